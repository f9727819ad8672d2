/* Dashboard charts (Apache ECharts). Each chart has a table view and an XLSX download next to it. */
(function () {
  "use strict";
  var el = document.getElementById("chart-data");
  if (!el || !window.echarts) { return; }
  var data = JSON.parse(el.textContent);
  var num = function (values) { return values.map(function (v) { return Number(v); }); };
  var fmt = function (v) { return Number(v).toLocaleString(); };
  var charts = [];
  function make(id, option) {
    var node = document.getElementById(id);
    if (!node) { return; }
    var chart = echarts.init(node, null, { renderer: "svg" });
    chart.setOption(option);
    charts.push(chart);
  }
  make("chart-trend", {
    tooltip: { trigger: "axis", valueFormatter: fmt },
    legend: { data: [data.labels.sales, data.labels.collected] },
    grid: { left: 60, right: 20, top: 40, bottom: 30 },
    xAxis: { type: "category", data: data.trend.months },
    yAxis: { type: "value", axisLabel: { formatter: function (v) { return v >= 1e6 ? v / 1e6 + "M" : v >= 1e3 ? v / 1e3 + "k" : v; } } },
    series: [
      { name: data.labels.sales, type: "bar", data: num(data.trend.sales) },
      { name: data.labels.collected, type: "line", smooth: true, data: num(data.trend.collected) }
    ]
  });
  var overdue = data.overdue.labels.map(function (l, i) { return { name: l, value: Number(data.overdue.amounts[i]) }; })
    .filter(function (d) { return d.value > 0; });
  var overdueNode = document.getElementById("chart-overdue");
  if (overdueNode && !overdue.length) {
    overdueNode.removeAttribute("aria-hidden");
    overdueNode.style.height = "auto";
    overdueNode.className = "text-muted small py-4 text-center";
    overdueNode.textContent = overdueNode.getAttribute("data-empty");
  } else make("chart-overdue", {
    tooltip: { trigger: "item", valueFormatter: fmt },
    series: [{ type: "pie", radius: ["35%", "65%"], name: data.labels.amount,
      data: overdue }]
  });
  make("chart-ranking", {
    tooltip: { trigger: "axis", valueFormatter: fmt },
    grid: { left: 110, right: 20, top: 10, bottom: 30 },
    xAxis: { type: "value" },
    yAxis: { type: "category", inverse: true, data: data.ranking.names },
    series: [{ name: data.labels.sales, type: "bar", barMaxWidth: 24, data: num(data.ranking.sales) }]
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
