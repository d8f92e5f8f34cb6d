"""Consents: the Fluvius mandates a homeowner gives iLumen (and, later, cookie and marketing consents).

A mandate's natural key at Fluvius is (reference number, EAN, data service type). We keep the
evidence Fluvius may ask for within 14 days: who started it, when, from which short URL, and
when we first saw it approved.
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ilusmart import clock


class Mandate(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "Requested", _("aangevraagd")
        APPROVED = "Approved", _("actief")
        REJECTED = "Rejected", _("geweigerd")
        FINISHED = "Finished", _("beëindigd")

    class RenewalStatus(models.TextChoices):
        TO_BE_RENEWED = "ToBeRenewed", _("te hernieuwen")
        RENEWAL_REQUESTED = "RenewalRequested", _("hernieuwing aangevraagd")
        EXPIRED = "Expired", _("verlopen")

    class EndReason(models.TextChoices):
        REJECTED = "rejected", _("geweigerd in Mijn Fluvius")
        FINISHED = "finished", _("ingetrokken of periode voorbij")
        NOT_FOUND = "not_found", _("onbekend bij Fluvius")
        EXPIRED_LINK = "expired_link", _("aanvraaglink verlopen zonder beslissing")
        # Ended by us on the person's request to erase (issue 10): Fluvius offers no way to end
        # a mandate from our side, so it is ended here for good and the status poll leaves it.
        ERASED = "erased", _("beëindigd op vraag tot wissen")

    # Empty only once the person was erased (issue 10): the mandate stays as Fluvius's evidence.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="mandates",
        verbose_name=_("klant"),
    )
    reference_number = models.CharField(_("referentie"), max_length=32)
    ean = models.CharField(_("EAN"), max_length=18, db_index=True)
    data_service_type = models.CharField(_("dienst"), max_length=32, default="VH_kwartier_uur")
    energy_type = models.CharField(_("energiesoort"), max_length=1, default="E")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.REQUESTED)
    renewal_status = models.CharField(
        _("hernieuwing"), max_length=20, choices=RenewalStatus.choices, blank=True
    )
    data_period_from = models.DateTimeField(_("gegevens vanaf"), null=True, blank=True)
    data_period_to = models.DateTimeField(_("gegevens tot"), null=True, blank=True)
    expires_at = models.DateTimeField(_("vervalt op"), null=True, blank=True)
    end_reason = models.CharField(_("reden van einde"), max_length=20, choices=EndReason.choices, blank=True)
    ended_at = models.DateTimeField(_("beëindigd op"), null=True, blank=True)
    # A 403 on a fetch suspends fetching until a status poll says the mandate is approved again.
    fetch_suspended_at = models.DateTimeField(_("ophalen geschorst sinds"), null=True, blank=True)
    # Evidence for Fluvius audits.
    # The project clock (not the database's), so "requested more than 7 days ago" (a
    # mandate_action fault) agrees with every other "now" when tests move the clock.
    requested_at = models.DateTimeField(_("aangevraagd op"), default=clock.now, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("aangevraagd door"),
    )
    short_url_id = models.CharField(_("korte-URL-code"), max_length=64, blank=True)
    short_url = models.URLField(_("korte URL"), max_length=300, blank=True)
    short_url_valid_to = models.DateTimeField(_("korte URL geldig tot"), null=True, blank=True)
    approved_at = models.DateTimeField(_("goedgekeurd gezien op"), null=True, blank=True)
    last_polled_at = models.DateTimeField(_("laatst opgevraagd"), null=True, blank=True)
    updated_at = models.DateTimeField(_("gewijzigd op"), auto_now=True)

    class Meta:
        verbose_name = _("mandaat")
        verbose_name_plural = _("mandaten")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["reference_number", "ean", "data_service_type"], name="consents_mandate_natural_key"
            ),
        ]
        indexes = [models.Index(fields=["status", "ean"])]

    def __str__(self):
        return f"{self.reference_number}/{self.ean} ({self.status})"


class MandatePollState(models.Model):
    """Watermark of the incremental status poll (one row)."""

    name = models.CharField(max_length=40, unique=True)
    last_updated_until = models.DateTimeField(null=True, blank=True)
    last_full_poll_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("mandaatpeiling")
        verbose_name_plural = _("mandaatpeilingen")

    def __str__(self):
        return self.name


class FetchRefusal(models.Model):
    """A fetch we refused because no active mandate covered it (audit of 'no mandate, no fetch')."""

    ean = models.CharField(_("EAN"), max_length=18)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("klant"),
    )
    reason = models.CharField(_("reden"), max_length=200)
    at = models.DateTimeField(_("op"), auto_now_add=True)

    class Meta:
        verbose_name = _("geweigerde ophaling")
        verbose_name_plural = _("geweigerde ophalingen")

    def __str__(self):
        return f"{self.ean} {self.at:%Y-%m-%d %H:%M}"


class ProcessingRestriction(models.Model):
    """A pause of processing asked by the person (GDPR art. 18) or set for them by staff or the DPO.

    While one is active (``lifted_at`` empty) nothing new is done with their data: no sync from
    Fluvius, no fault emails, no communications, no sharing with partners. Their data is kept and
    they still see it. Rows are never updated except to record the lift, so the history shows who
    paused and resumed, and when.
    """

    class Source(models.TextChoices):
        HOMEOWNER = "homeowner", _("de klant zelf")
        SUPPORT = "support", _("support")
        DPO = "dpo", _("functionaris voor gegevensbescherming")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="processing_restrictions",
        verbose_name=_("klant"),
    )
    source = models.CharField(_("gevraagd via"), max_length=16, choices=Source.choices)
    reason = models.CharField(_("reden"), max_length=500, blank=True)
    started_at = models.DateTimeField(_("gepauzeerd sinds"), default=clock.now, editable=False)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("gepauzeerd door"),
    )
    lifted_at = models.DateTimeField(_("hervat op"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("hervat door"),
    )

    class Meta:
        verbose_name = _("pauze van de verwerking")
        verbose_name_plural = _("pauzes van de verwerking")
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(lifted_at__isnull=True),
                name="consents_one_active_restriction_per_user",
            ),
        ]

    def __str__(self):
        return f"{self.user_id} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def is_active(self) -> bool:
        return self.lifted_at is None


def _new_consent_id() -> str:
    return secrets.token_hex(16)


class CookieConsent(models.Model):
    """One cookie choice or withdrawal in one browser: the proof of consent (GBA, GDPR art. 7(1)).

    The ``consent_id`` is also in the browser's consent cookie, so a visitor (or the DPO) can find
    the record of the choice in force. Strictly necessary and functional cookies need no consent
    and are always on; the optional categories are columns. The cookie lists per category and
    the cookie policy's version are what the visitor was shown, passed down by the caller. No IP
    address and no browser details are kept.
    """

    class Action(models.TextChoices):
        CHOICE = "choice", _("keuze")
        WITHDRAWAL = "withdrawal", _("intrekking")

    class Via(models.TextChoices):
        BANNER = "banner", _("cookiebanner")
        SETTINGS = "settings", _("cookie-instellingen")
        FOOTER = "footer", _("knop onderaan de pagina")

    consent_id = models.CharField(
        _("code van de keuze"), max_length=32, unique=True, default=_new_consent_id, editable=False
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cookie_consents",
        verbose_name=_("gebruiker"),
    )
    action = models.CharField(_("soort"), max_length=10, choices=Action.choices)
    analytics = models.BooleanField(_("analytische cookies"))
    social_media = models.BooleanField(_("cookies van sociale media"))
    # e.g. "cookies/nl/v2": the cookie policy in force when the choice was made.
    policy_version = models.CharField(_("versie van het cookiebeleid"), max_length=40)
    # {"analytics": ["_ga", "_ga_AB12CD34EF"], "social_media": []}: the cookies chosen about.
    cookie_lists = models.JSONField(_("cookies per categorie"))
    via = models.CharField(_("via"), max_length=10, choices=Via.choices)
    at = models.DateTimeField(_("op"), default=clock.now, editable=False)

    class Meta:
        verbose_name = _("cookietoestemming")
        verbose_name_plural = _("cookietoestemmingen")
        ordering = ["-at", "-pk"]

    def __str__(self):
        return self.consent_id


class CommunicationConsent(models.Model):
    """One choice a person made about being contacted: a channel, a topic, yes or no (append-only).

    Newsletters, surveys and information go out by email or by post only to people whose latest
    choice for that channel and topic is "yes" (``consents.selectors.communications``). Nobody is
    opted in until they say so: no row means no. Every change is a new row with its source and
    time, so the history shows when and how each yes and each no was given.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", _("e-mail")
        POST = "post", _("post")

    class Topic(models.TextChoices):
        NEWSLETTER = "newsletter", _("nieuwsbrieven")
        SURVEY = "survey", _("enquêtes")
        INFORMATION = "information", _("informatie over producten en diensten")

    class Source(models.TextChoices):
        SIGN_UP = "sign_up", _("registratieformulier")
        PAGE = "page", _("pagina Communicatie")
        API = "api", _("app (API)")
        UNSUBSCRIBE_LINK = "unsubscribe_link", _("afmeldlink in een bericht")
        ONE_CLICK = "one_click", _("afmelden met één klik (mailprogramma)")
        STAFF = "staff", _("medewerker, op vraag van de klant")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="communication_consents",
        verbose_name=_("klant"),
    )
    channel = models.CharField(_("kanaal"), max_length=8, choices=Channel.choices)
    topic = models.CharField(_("onderwerp"), max_length=16, choices=Topic.choices)
    opted_in = models.BooleanField(_("ingeschreven"))
    source = models.CharField(_("gekozen via"), max_length=20, choices=Source.choices)
    at = models.DateTimeField(_("op"), default=clock.now, editable=False)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("geregistreerd door"),
    )

    class Meta:
        verbose_name = _("keuze voor communicatie")
        verbose_name_plural = _("keuzes voor communicatie")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["user", "channel", "topic", "-at"], name="consents_comm_latest")]

    def __str__(self):
        answer = _("ja") if self.opted_in else _("nee")
        return f"{self.user_id} {self.channel}/{self.topic}: {answer} ({self.at:%Y-%m-%d %H:%M})"
