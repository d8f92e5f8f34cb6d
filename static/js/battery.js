/* iLusmart battery what-if: draws each [data-battery-chart] element (a typical day) from its
   json_script data with ECharts: bars for offtake and injection without battery (kWh per
   quarter-hour), a line per battery for its state of charge (kWh, right axis). No inline script
   (CSP script-src 'self'); without JS the page's table says everything. */
(function () {
  "use strict";

  var LINE_COLORS = ["#0b5cad", "#7c3aed", "#0f766e"];

  function cssColor(name, fallback) {
    var value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return value || fallback;
  }

  function format(value, unit) {
    if (value === null || value === undefined) { return "—"; }
    return value.toLocaleString(document.documentElement.lang, { maximumFractionDigits: 3 }) + " " + unit;
  }

  // The value axes' ticks in the page's language (1,2 on a Dutch page; ECharts writes 1.2).
  function axisNumber(value) {
    return value.toLocaleString(document.documentElement.lang);
  }

  function optionFor(data) {
    var text = data.text;
    var series = [
      { id: "offtake", name: text.offtake, type: "bar", data: data.offtake, itemStyle: { color: cssColor("--offtake", "#c2410c") }, tooltip: { valueFormatter: function (v) { return format(v, "kWh"); } } },
      { id: "injection", name: text.injection, type: "bar", data: data.injection, itemStyle: { color: cssColor("--injection", "#15803d") }, tooltip: { valueFormatter: function (v) { return format(v, "kWh"); } } }
    ];
    var legend = [text.offtake, text.injection];
    data.soc.forEach(function (values, i) {
      var name = text.soc.replace("%(name)s", data.names[i]);
      series.push({ id: "soc-" + i, name: name, type: "line", yAxisIndex: 1, data: values, showSymbol: false, step: "end", lineStyle: { width: 2 }, itemStyle: { color: LINE_COLORS[i % LINE_COLORS.length] }, tooltip: { valueFormatter: function (v) { return format(v, "kWh"); } } });
      legend.push(name);
    });
    return {
      animation: false,
      aria: { enabled: true },
      grid: { left: 44, right: 44, top: 72, bottom: 40, containLabel: false },
      legend: { data: legend, top: 0, type: "scroll" },
      // richText tooltips are drawn on the canvas: no HTML with inline styles (CSP style-src 'self').
      tooltip: { trigger: "axis", renderMode: "richText" },
      xAxis: { type: "category", data: data.labels, axisLabel: { hideOverlap: true } },
      yAxis: [
        { type: "value", name: text.energy, nameTextStyle: { align: "left" }, axisLabel: { formatter: axisNumber } },
        { type: "value", name: text.charge, nameTextStyle: { align: "right" }, splitLine: { show: false }, axisLabel: { formatter: axisNumber } }
      ],
      series: series
    };
  }

  function draw(element) {
    var source = document.getElementById(element.getAttribute("data-battery-chart"));
    if (!source || typeof echarts === "undefined") { return; }
    var chart = echarts.init(element, null, { renderer: "canvas" });
    chart.setOption(optionFor(JSON.parse(source.textContent)));
    element.classList.add("is-drawn");
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-battery-chart]"), draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
