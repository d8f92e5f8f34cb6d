/* iLusmart charts: draws every [data-chart] element from its json_script data with ECharts.
   No inline script (CSP script-src 'self'). Missing values stay null (a gap, marked grey),
   estimated (EST) bars are lighter and hatched, with their own legend entry. Without JS the
   page's data table says everything. */
(function () {
  "use strict";

  var HATCH = { symbol: "rect", dashArrayX: [1, 0], dashArrayY: [3, 3], rotation: -Math.PI / 4, color: "rgba(255,255,255,0.7)" };

  function cssColor(name, fallback) {
    var value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return value || fallback;
  }

  function barData(values, estimated) {
    return values.map(function (value, i) {
      if (value === null) { return null; }
      if (estimated[i]) { return { value: value, itemStyle: { opacity: 0.55, decal: HATCH } }; }
      return value;
    });
  }

  // A day, month or year bar: its estimated share (0…1) as a hatched top part of the bar.
  function splitData(values, shares, estimatedPart) {
    return values.map(function (value, i) {
      if (value === null) { return null; }
      var share = shares[i] || 0;
      return estimatedPart ? value * share : value * (1 - share);
    });
  }

  function missingAreas(missing) {
    var areas = [], start = null;
    for (var i = 0; i <= missing.length; i++) {
      if (i < missing.length && missing[i]) {
        if (start === null) { start = i; }
      } else if (start !== null) {
        areas.push([{ xAxis: start }, { xAxis: i - 1 }]);
        start = null;
      }
    }
    return areas;
  }

  function optionFor(data, description) {
    var offtakeColor = cssColor("--offtake", "#c2410c");
    var injectionColor = cssColor("--injection", "#15803d");
    var text = data.text;
    var shares = data.estimatedShare || [];
    var anyShare = shares.some(function (share) { return share > 0; });
    var series = anyShare ? [
      { id: "offtake", name: text.offtake, type: "bar", stack: "offtake", data: splitData(data.offtake, shares, false), itemStyle: { color: offtakeColor } },
      { id: "offtake-estimated", name: text.offtake + ", " + text.estimated, type: "bar", stack: "offtake", data: splitData(data.offtake, shares, true), itemStyle: { color: offtakeColor, opacity: 0.55, decal: HATCH } },
      { id: "injection", name: text.injection, type: "bar", stack: "injection", data: splitData(data.injection, shares, false), itemStyle: { color: injectionColor } },
      { id: "injection-estimated", name: text.injection + ", " + text.estimated, type: "bar", stack: "injection", data: splitData(data.injection, shares, true), itemStyle: { color: injectionColor, opacity: 0.55, decal: HATCH } }
    ] : [
      { id: "offtake", name: text.offtake, type: "bar", data: barData(data.offtake, data.offtakeEstimated), itemStyle: { color: offtakeColor } },
      { id: "injection", name: text.injection, type: "bar", data: barData(data.injection, data.injectionEstimated), itemStyle: { color: injectionColor } }
    ];
    series.push(
      // Legend-only entries: what a hatched bar and a grey band mean.
      { id: "estimated", name: text.estimated, type: "bar", data: [], itemStyle: { color: "#8a9096", decal: HATCH, opacity: 0.55 } },
      {
        id: "missing", name: text.missing, type: "bar", data: [], itemStyle: { color: "#d7dde3" },
        markArea: { silent: true, itemStyle: { color: "rgba(120,130,140,0.16)" }, data: missingAreas(data.missing) }
      }
    );
    var legend = [text.offtake, text.injection];
    if (data.compare) {
      series.push({ id: "offtake-compare", name: data.compare.offtakeName, type: "line", data: data.compare.offtake, connectNulls: false, symbolSize: 4, lineStyle: { type: "dashed", width: 1.5 }, itemStyle: { color: offtakeColor } });
      series.push({ id: "injection-compare", name: data.compare.injectionName, type: "line", data: data.compare.injection, connectNulls: false, symbolSize: 4, lineStyle: { type: "dashed", width: 1.5 }, itemStyle: { color: injectionColor } });
      legend.push(data.compare.offtakeName, data.compare.injectionName);
    }
    if (anyShare || data.offtakeEstimated.indexOf(true) >= 0 || data.injectionEstimated.indexOf(true) >= 0) { legend.push(text.estimated); }
    if (data.missing.indexOf(true) >= 0) { legend.push(text.missing); }
    return {
      animation: false,
      // The screen-reader description is the page's own (its language), not ECharts' English one.
      aria: { enabled: true, label: { description: description } },
      grid: { left: 48, right: 12, top: 56, bottom: 40, containLabel: false },
      legend: { data: legend, top: 0, type: "scroll" },
      // richText tooltips are drawn on the canvas: no HTML with inline styles (CSP style-src 'self').
      tooltip: { trigger: "axis", renderMode: "richText", valueFormatter: function (v) { return v === null || v === undefined ? "—" : v.toLocaleString(document.documentElement.lang, { maximumFractionDigits: 3 }) + " kWh"; } },
      xAxis: { type: "category", data: data.labels, axisLabel: { hideOverlap: true } },
      yAxis: { type: "value", name: text.unit, nameTextStyle: { align: "left" }, axisLabel: { formatter: axisNumber } },
      series: series
    };
  }

  // The value axis's ticks in the page's language (1,2 on a Dutch page; ECharts writes 1.2).
  function axisNumber(value) {
    return value.toLocaleString(document.documentElement.lang);
  }

  function draw(element) {
    var source = document.getElementById(element.getAttribute("data-chart"));
    if (!source || typeof echarts === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    // The server wrote the description in the page's language; ECharts would replace it.
    var description = element.getAttribute("aria-label") || "";
    var chart = echarts.init(element, null, { renderer: "canvas" });
    chart.setOption(optionFor(data, description));
    element.classList.add("is-drawn");
    window.addEventListener("resize", function () { chart.resize(); });
    // With a drawn chart the long quarter-hour table starts folded (one click opens it).
    var details = document.querySelector("details[data-collapse-when-drawn]");
    if (details) { details.open = false; }
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-chart]"), draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
