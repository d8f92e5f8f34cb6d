// Google Analytics 4, loaded by templates/base.html only after the visitor accepted analytics
// cookies (privacy/cookie_consent.py); Google's gtag.js follows with the same CSP nonce.
// Cookies stay on this host (cookie_domain "none"), so a withdrawal can delete them, and live
// no longer than the consent.
(function () {
  "use strict";
  var script = document.currentScript;
  var id = script && script.dataset.ga4Id;
  if (!id) { return; }
  window.dataLayer = window.dataLayer || [];
  window.gtag = function () { window.dataLayer.push(arguments); };
  window.gtag("js", new Date());
  window.gtag("config", id, {
    cookie_domain: "none",
    cookie_expires: parseInt(script.dataset.cookieExpires, 10) || 15724800,
    allow_google_signals: false,
    allow_ad_personalization_signals: false,
  });
})();
