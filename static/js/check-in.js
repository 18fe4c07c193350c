// "I'm here": ask the phone where it is, then send the check-in. Without a position the form is sent as it is and
// the server says what to do (allow location, or log the visit without a check-in).
(function () {
  document.querySelectorAll("form[data-check-in]").forEach(function (form) {
    var sending = false;
    form.addEventListener("submit", function (event) {
      if (sending || !("geolocation" in navigator)) return;
      event.preventDefault();
      var button = form.querySelector("button");
      button.disabled = true;
      button.textContent = button.dataset.locating;
      var send = function () {
        sending = true;
        form.submit();
      };
      navigator.geolocation.getCurrentPosition(
        function (position) {
          form.querySelector("input[name=latitude]").value = position.coords.latitude.toFixed(6);
          form.querySelector("input[name=longitude]").value = position.coords.longitude.toFixed(6);
          form.querySelector("input[name=accuracy]").value = Math.round(position.coords.accuracy);
          send();
        },
        send,
        { enableHighAccuracy: true, timeout: 10000, maximumAge: 30000 }
      );
    });
  });
})();
