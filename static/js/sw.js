// The rep's app without signal: pages are fetched from the network first and the visit form and Today are kept for
// when there is none; static files are served from the cache once fetched. Pages are kept in one cache that the
// page empties at logout and the login page empties again, so a phone never shows one rep's pages to another.
var PAGES = "crm-pages";
var STATIC = "crm-static-v1";
var KEPT_PAGES = ["/", "/visits/new/"];

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(caches.open(STATIC).then(function (cache) {
      return cache.match(request).then(function (hit) {
        return hit || fetch(request).then(function (response) {
          if (response.ok) cache.put(request, response.clone());
          return response;
        });
      });
    }));
    return;
  }
  if (request.mode !== "navigate" || KEPT_PAGES.indexOf(url.pathname) === -1) return;
  event.respondWith(fetch(request).then(function (response) {
    if (response.ok && !response.redirected) {
      var copy = response.clone();
      caches.open(PAGES).then(function (cache) { cache.put(url.pathname, copy); });
    }
    return response;
  }).catch(function () {
    return caches.open(PAGES).then(function (cache) { return cache.match(url.pathname); }).then(function (hit) {
      return hit || Response.error();
    });
  }));
});

// Background Sync: the network is back; an open page of the app sends the queue (it holds the rep's session).
self.addEventListener("sync", function (event) {
  if (event.tag !== "crm-send") return;
  event.waitUntil(self.clients.matchAll({ type: "window" }).then(function (pages) {
    pages.forEach(function (page) { page.postMessage("crm-send"); });
  }));
});
