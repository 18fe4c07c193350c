// Progressive enhancement of the visit form: it works fully without this script.
(function () {
  var form = document.getElementById("visit-form");
  if (!form) return;

  // Show only the part of the form the chosen kind of visit needs.
  function showKind() {
    var checked = form.querySelector("input[name=kind]:checked");
    var kind = checked ? checked.value : "lead";
    form.querySelectorAll("[data-when-kind]").forEach(function (part) {
      part.hidden = part.dataset.whenKind !== kind;
    });
  }
  form.querySelectorAll("input[name=kind]").forEach(function (radio) {
    radio.addEventListener("change", showKind);
  });
  showKind();

  // Search as you type among the rep's leads.
  var filter = document.getElementById("lead-filter");
  var select = form.querySelector("select[name=lead]");
  if (filter && select) {
    filter.hidden = false;
    filter.addEventListener("input", function () {
      var text = filter.value.trim().toLowerCase();
      var first = null;
      select.querySelectorAll("option").forEach(function (option) {
        var match = !text || option.textContent.toLowerCase().indexOf(text) !== -1;
        option.hidden = !match;
        if (match && option.value && !first) first = option;
      });
      if (text && first) select.value = first.value;
    });
  }

  // A cold visit to a company already visited today will not count: say so before it is saved (the server, which
  // compares names more thoroughly, says so again after).
  var today = document.getElementById("companies-today");
  var company = form.querySelector("input[name=company_name]");
  var warning = document.getElementById("repeat-warning");
  if (today && company && warning) {
    var names = JSON.parse(today.textContent).map(function (name) {
      return name.trim().toLowerCase();
    });
    var warn = function () {
      warning.hidden = names.indexOf(company.value.trim().toLowerCase()) === -1;
    };
    company.addEventListener("input", warn);
    warn();
  }

  // "When": the time field only for "earlier today at", the date field only for "another day"; a field hidden by a
  // change of mind is emptied, so that what was typed in it does not outvote the choice.
  function showWhen() {
    var checked = form.querySelector("input[name=when]:checked");
    var when = checked ? checked.value : "now";
    form.querySelectorAll("[data-when-choice]").forEach(function (part) {
      part.hidden = part.dataset.whenChoice !== when;
      if (part.hidden) {
        part.querySelectorAll("input").forEach(function (input) {
          input.value = "";
        });
      }
    });
  }
  form.querySelectorAll("input[name=when]").forEach(function (radio) {
    radio.addEventListener("change", showWhen);
  });
  showWhen();

  // The phone's clock as the entry leaves, for the server to compare with its own.
  form.addEventListener("submit", function () {
    var clock = form.querySelector("input[name=device_time]");
    if (clock) clock.value = new Date().toISOString();
  });

  // An entry the server sent back to fix (?queued=<its id>): the form is filled in as it was, keeping its id.
  var queued = new URLSearchParams(window.location.search).get("queued");
  if (queued) {
    var fill = function () {
      if (!window.crmQueue) return;
      window.crmQueue.entry(queued).then(function (found) {
        if (!found) return;
        found.fields.forEach(function (pair) {
          form.querySelectorAll("[name='" + pair[0] + "']").forEach(function (field) {
            if (field.type === "radio" || field.type === "checkbox") {
              field.checked = field.value === pair[1];
            } else if (field.tagName === "SELECT" && pair[1] && !field.querySelector("option[value='" + pair[1] + "']")) {
              // a lead no longer offered stays unchosen: the rep picks again
            } else if (field.name !== "csrfmiddlewaretoken") {
              field.value = pair[1];
            }
          });
        });
        form.querySelectorAll("input[name=kind], input[name=when]").forEach(function (radio) {
          radio.dispatchEvent(new Event("change"));
        });
      });
    };
    window.addEventListener("load", fill);
  }

  // Without signal the entry waits on this phone (offline-queue.js) with an id made here, so that it is saved once
  // however often it is sent. With signal it is sent at once the same way; a problem to fix is shown by the form.
  var saved = document.getElementById("saved-on-phone");
  form.addEventListener("submit", function (event) {
    if (!window.crmQueue || !window.crypto || !window.crypto.randomUUID) return; // posted as a plain form
    event.preventDefault();
    var entry = form.querySelector("input[name=client_id]");
    if (!entry.value) entry.value = window.crypto.randomUUID();
    form.querySelector("input[name=saved_at]").value = new Date().toISOString();
    var lead = form.querySelector("select[name=lead]");
    var cold = form.querySelector("input[name=kind][value=cold]");
    var company = cold && cold.checked
      ? form.querySelector("input[name=company_name]").value
      : (lead && lead.selectedIndex > 0 ? lead.options[lead.selectedIndex].text : "");
    var keep = function () {
      // The entry is read from the form at once; the form is then cleared for the next one straight away.
      var stored = window.crmQueue.add(form, company);
      form.reset();
      entry.value = "";
      form.querySelectorAll("input[name=kind], input[name=when]").forEach(function (radio) {
        radio.dispatchEvent(new Event("change"));
      });
      stored.then(function () {
        saved.hidden = false;
        saved.focus();
      });
    };
    if (!navigator.onLine) return keep();
    fetch(form.action || window.location.href, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    }).then(function (response) {
      if (response.status >= 500) throw new Error("server");
      return response.json().then(function (answer) {
        if (answer.status === "saved" || answer.status === "replayed") {
          var done = queued ? window.crmQueue.forget(queued) : Promise.resolve();
          done.then(function () { window.location.assign(answer.next || "/"); });
        } else {
          form.submit(); // the page shows what to fix, with everything typed kept
        }
      });
    }).catch(keep);
  });

  // The browser's position, only when the rep asks for it.
  var box = document.getElementById("location-box");
  var button = document.getElementById("add-location");
  var status = document.getElementById("location-status");
  if (box && button && "geolocation" in navigator) {
    box.hidden = false;
    button.addEventListener("click", function () {
      navigator.geolocation.getCurrentPosition(
        function (position) {
          form.querySelector("input[name=latitude]").value = position.coords.latitude.toFixed(6);
          form.querySelector("input[name=longitude]").value = position.coords.longitude.toFixed(6);
          form.querySelector("input[name=accuracy]").value = Math.round(position.coords.accuracy);
          status.textContent = status.dataset.saved;
        },
        function () {
          status.textContent = status.dataset.failed;
        },
        { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 }
      );
    });
  }
})();
