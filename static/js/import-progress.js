// While a file is checked or imported in the background, ask how far it got every two seconds and move the bar;
// once it is done, reload the page to show the result. Without JavaScript the page's Reload link does the same.
(function () {
  var box = document.querySelector("[data-progress-url]");
  if (!box) return;
  var label = box.querySelector("[data-progress-label]");
  var meter = box.querySelector("[role=progressbar]");
  var bar = box.querySelector(".progress-bar");
  function poll() {
    fetch(box.dataset.progressUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (progress) {
        if (!progress.working) {
          window.location.reload();
          return;
        }
        label.textContent = progress.label;
        meter.setAttribute("aria-valuenow", progress.percent);
        bar.style.width = progress.percent + "%";
        window.setTimeout(poll, 2000);
      })
      .catch(function () {
        window.setTimeout(poll, 10000); // offline or the server busy: try again later, the page stays as it was
      });
  }
  window.setTimeout(poll, 2000);
})();
