// Visits entered without signal wait on this phone (IndexedDB) and are sent when the network returns: on page load,
// on the "online" event, and whenever the queue changes. Each entry carries an id made on the phone, so the server
// saves it once however often it is sent (a lost answer, two tabs). Without IndexedDB the page works as before.
(function () {
  // The app shell for a phone without signal; on the login page (nobody signed in) the kept pages are emptied.
  if ("serviceWorker" in navigator && "caches" in window) {
    if (document.body.dataset.user) {
      // Fetched once, only when missing: the worker refreshes a kept page whenever the rep opens it online, so no page
      // load here costs the server another request.
      var keep = function (name, urls) {
        return caches.open(name).then(function (cache) {
          return Promise.all(urls.map(function (url) {
            return cache.match(url).then(function (hit) { return hit || cache.add(url).catch(function () {}); });
          }));
        });
      };
      navigator.serviceWorker.register("/sw.js").then(function () {
        // This page's own files, so that a kept page can be shown without signal.
        keep("crm-static-v1", Array.prototype.map.call(
          document.querySelectorAll("script[src], link[rel=stylesheet], link[rel=icon], link[rel=manifest]"),
          function (element) { return element.src || element.href; }));
        return keep("crm-pages", ["/", "/visits/new/"]);
      }).catch(function () { /* no service worker: the pages work online as before */ });
      document.querySelectorAll("form[action$='/accounts/logout/']").forEach(function (logout) {
        logout.addEventListener("submit", function () { caches.delete("crm-pages"); });
      });
    } else {
      caches.delete("crm-pages");
    }
  }
  if (!("indexedDB" in window) || !window.fetch) return;
  var user = document.body.dataset.user;
  if (!user) return;
  var indicator = document.getElementById("offline-indicator");

  function open() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open("crm-offline", 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore("entries", { keyPath: "client_id" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function store(mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction("entries", mode);
        var result = work(transaction.objectStore("entries"));
        transaction.oncomplete = function () { resolve(result && result.result !== undefined ? result.result : result); };
        transaction.onerror = function () { reject(transaction.error); };
      });
    });
  }

  function mine() {
    return store("readonly", function (entries) { return entries.getAll(); }).then(function (all) {
      return all.filter(function (entry) { return entry.user === user; });
    });
  }

  function csrfToken() {
    var match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function show() {
    if (!indicator) return Promise.resolve();
    return mine().then(function (entries) {
      var waiting = entries.filter(function (entry) { return entry.status === "waiting"; });
      var refused = entries.filter(function (entry) { return entry.status === "refused"; });
      indicator.hidden = !entries.length;
      indicator.querySelector("[data-waiting]").textContent = waiting.length
        ? indicator.dataset.waiting.replace("{count}", waiting.length) : "";
      var list = indicator.querySelector("[data-refused]");
      list.textContent = "";
      refused.forEach(function (entry) {
        var item = document.createElement("li");
        item.textContent = entry.company + ": " + entry.message + " ";
        var fix = document.createElement("a");
        fix.href = "/visits/new/?queued=" + encodeURIComponent(entry.client_id);
        fix.textContent = indicator.dataset.fix;
        fix.className = "me-2";
        item.appendChild(fix);
        var cold = document.createElement("a");
        cold.href = "/visits/new/?company=" + encodeURIComponent(entry.company);
        cold.textContent = indicator.dataset.cold;
        cold.className = "me-2";
        item.appendChild(cold);
        var drop = document.createElement("button");
        drop.type = "button";
        drop.className = "btn btn-link btn-sm p-0 align-baseline";
        drop.textContent = indicator.dataset.drop;
        drop.addEventListener("click", function () {
          store("readwrite", function (entries) { entries.delete(entry.client_id); }).then(show);
        });
        item.appendChild(drop);
        list.appendChild(item);
      });
    });
  }

  function sendOne(entry) {
    var body = new FormData();
    entry.fields.forEach(function (pair) { body.append(pair[0], pair[1]); });
    body.set("device_time", new Date().toISOString());
    return fetch("/visits/new/", {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
    }).then(function (response) {
      if (response.status >= 500 || response.redirected) throw new Error("not now");
      return response.json().then(function (answer) {
        if (answer.status === "saved" || answer.status === "replayed") {
          return store("readwrite", function (entries) { entries.delete(entry.client_id); });
        }
        var message = answer.message || Object.values(answer.errors || {}).join(" ");
        entry.status = "refused";
        entry.message = message;
        return store("readwrite", function (entries) { entries.put(entry); });
      });
    });
  }

  var sending = null;
  function sendAll() {
    if (sending || !navigator.onLine) return sending || Promise.resolve();
    sending = mine()
      .then(function (entries) {
        return entries.filter(function (entry) { return entry.status === "waiting"; })
          .reduce(function (chain, entry) { return chain.then(function () { return sendOne(entry); }); },
            Promise.resolve());
      })
      .catch(function () { /* the network went again: the rest wait for the next chance */ })
      .then(function () { sending = null; return show(); });
    return sending;
  }

  window.crmQueue = {
    add: function (form, company) {
      var fields = [];
      new FormData(form).forEach(function (value, name) {
        if (typeof value === "string") fields.push([name, value]);
      });
      var entry = {
        client_id: form.querySelector("input[name=client_id]").value,
        user: user,
        fields: fields,
        company: company,
        status: "waiting",
        message: "",
      };
      return store("readwrite", function (entries) { entries.put(entry); }).then(function () {
        // Where the browser has Background Sync, the worker wakes an open page to send when the network is back.
        if (navigator.serviceWorker && navigator.serviceWorker.ready && window.SyncManager) {
          navigator.serviceWorker.ready.then(function (registration) {
            return registration.sync.register("crm-send");
          }).catch(function () {});
        }
        return show();
      });
    },
    entry: function (clientId) {
      return store("readonly", function (entries) { return entries.get(clientId); });
    },
    forget: function (clientId) {
      return store("readwrite", function (entries) { entries.delete(clientId); }).then(show);
    },
    send: sendAll,
    show: show,
  };

  window.addEventListener("online", sendAll);
  if (navigator.serviceWorker) {
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data === "crm-send") sendAll();
    });
  }
  show().then(sendAll);
})();
