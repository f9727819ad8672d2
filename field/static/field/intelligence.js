/* Market intelligence charts (Apache ECharts, SVG): the average competitor price per month for one product, and the
   market reports, channel conflicts and leads per month. The tables below each chart hold the same figures. */
(function () {
  "use strict";
  var el = document.getElementById("intel-data");
  if (!el || !window.echarts) { return; }
  var data = JSON.parse(el.textContent);
  var charts = [];
  function make(id, option) {
    var node = document.getElementById(id);
    if (!node) { return; }
    var chart = echarts.init(node, null, { renderer: "svg" });
    chart.setOption(option);
    charts.push(chart);
  }
  var narrow = window.matchMedia("(max-width: 576px)").matches;
  if (data.series.length) {
    make("chart-prices", {
      animation: false,
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v == null ? "–" : Number(v).toLocaleString(); } },
      legend: { type: "scroll", top: 0 },
      grid: { left: narrow ? 50 : 70, right: 16, top: 40, bottom: 30 },
      xAxis: { type: "category", data: data.months },
      yAxis: { type: "value", name: data.labels.price, scale: true },
      series: data.series.map(function (s) {
        return { name: s.name, type: "line", connectNulls: true, showSymbol: true, symbolSize: 8,
          data: s.data.map(function (v) { return v == null ? null : Number(v); }) };
      })
    });
  }
  make("chart-activity", {
    animation: false,
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: { left: 40, right: 16, top: 40, bottom: 30 },
    xAxis: { type: "category", data: data.months },
    yAxis: { type: "value", minInterval: 1 },
    series: [
      { name: data.labels.reports, type: "bar", data: data.activity.reports },
      { name: data.labels.conflicts, type: "line", data: data.activity.conflicts },
      { name: data.labels.leads, type: "line", data: data.activity.leads }
    ]
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
