// Progress bars take their width from data-width, so the page needs no inline styles (and a strict CSP holds).
document.querySelectorAll(".progress-bar[data-width]").forEach(function (bar) {
  bar.style.width = bar.dataset.width + "%";
});
