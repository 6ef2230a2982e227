// The live connection dots on the list of restaurants.
(function () {
  function refresh() {
    fetch("/panel/restaurants.json", { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (list) {
        list.forEach(function (r) {
          var row = document.querySelector('[data-resto="' + r.restoId + '"]');
          if (!row) return;
          row.querySelector(".dot").classList.toggle("on", r.connected);
          var status = row.querySelector(".status");
          status.textContent = r.connected ? status.dataset.on : status.dataset.off;
        });
      })
      .catch(function () {});
  }
  setInterval(refresh, 2000);
})();
