// The connection card keeps itself current: polls the status JSON and redraws, no reload.
(function () {
  var url = document.getElementById("connection").dataset.url;
  function set(id, text) { document.getElementById(id).textContent = text; }
  function show(c) {
    document.getElementById("conn-dot").className = c.connected ? "dot on" : "dot";
    set("conn-status", c.status);
    set("conn-since", rahunokTime(c.since));
    set("conn-pos", c.posName || "—");
    set("conn-plugin", c.pluginVersion == null ? "—" : c.pluginVersion);
    set("conn-last-seen", rahunokTime(c.lastSeen));
    var features = document.getElementById("conn-features");
    features.textContent = c.features.length ? "" : "—";
    c.features.forEach(function (f) {
      var badge = document.createElement("span");
      badge.className = f.implemented && f.available ? "badge good" : "badge";
      badge.textContent = f.feature;
      features.append(badge, " ");
    });
    var list = document.getElementById("conn-warnings");
    list.textContent = "";
    c.warnings.forEach(function (w) {
      var item = document.createElement("li");
      item.className = "alert";
      item.textContent = w;
      list.append(item);
    });
  }
  function poll() {
    fetch(url, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (c) { if (c) show(c); })
      .catch(function () {});
  }
  setInterval(poll, 1500);
})();
