// Draw each dashboard chart from the numbers the page already shows in its table (no inline script: CSP-safe).
(function () {
  if (typeof Chart === "undefined") return;
  var palette = ["#0d6efd", "#198754", "#fd7e14", "#6f42c1", "#dc3545"];
  document.querySelectorAll("canvas[id^=chart-]").forEach(function (canvas) {
    var source = document.getElementById("chart-data-" + canvas.id.slice(6));
    if (!source) return;
    var data = JSON.parse(source.textContent);
    var chart = new Chart(canvas, {
      type: data.kind === "line" ? "line" : "bar",
      data: {
        labels: data.labels,
        datasets: data.series.map(function (series, index) {
          return {
            label: series.label,
            data: series.data,
            backgroundColor: palette[index % palette.length],
            borderColor: palette[index % palette.length],
            tension: 0.2
          };
        })
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        indexAxis: data.kind === "funnel" ? "y" : "x",
        plugins: { legend: { position: "bottom" } },
        scales: { y: { beginAtZero: true } }
      }
    });
    canvas.dataset.drawn = chart.data.datasets.length ? "true" : "empty";
  });
})();
