/* One salesperson over time (Apache ECharts, SVG): sales, target and collections per month; visits and the review
   score per month. The table under the charts holds the same figures. */
(function () {
  "use strict";
  var el = document.getElementById("history-data");
  if (!el || !window.echarts) { return; }
  var data = JSON.parse(el.textContent);
  var num = function (values) { return values.map(function (v) { return v == null ? null : Number(v); }); };
  var charts = [];
  function make(id, option) {
    var node = document.getElementById(id);
    if (!node) { return; }
    var chart = echarts.init(node, null, { renderer: "svg" });
    chart.setOption(option);
    charts.push(chart);
  }
  var short = function (v) { return v >= 1e6 ? v / 1e6 + "M" : v >= 1e3 ? v / 1e3 + "k" : v; };
  make("chart-history-money", {
    animation: false,
    tooltip: { trigger: "axis", valueFormatter: function (v) { return v == null ? "–" : Number(v).toLocaleString(); } },
    legend: { top: 0 },
    grid: { left: 48, right: 12, top: 36, bottom: 28 },
    xAxis: { type: "category", data: data.months },
    yAxis: { type: "value", axisLabel: { formatter: short } },
    series: [
      { name: data.labels.sales, type: "bar", data: num(data.sales) },
      { name: data.labels.target, type: "line", step: "middle", data: num(data.target) },
      { name: data.labels.collections, type: "line", data: num(data.collections) }
    ]
  });
  make("chart-history-work", {
    animation: false,
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: { left: 36, right: 36, top: 36, bottom: 28 },
    xAxis: { type: "category", data: data.months },
    yAxis: [{ type: "value", minInterval: 1 }, { type: "value", min: 0, max: 100 }],
    series: [
      { name: data.labels.visits, type: "bar", data: data.visits },
      { name: data.labels.review, type: "line", yAxisIndex: 1, connectNulls: true, showSymbol: true, data: num(data.review) }
    ]
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
