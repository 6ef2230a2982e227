// Every panel page: times in the restaurant's time zone on its pages (the viewer's own
// elsewhere), with the zone's offset; copy buttons.
(function () {
  var lang = document.documentElement.lang || "uk";
  var zoneMeta = document.querySelector("meta[name=rahunok-time-zone]");
  var options = zoneMeta ? { timeZone: zoneMeta.content, timeZoneName: "short" } : undefined;
  window.rahunokTime = function (ms) {
    if (!ms) return "—";
    try {
      return new Date(ms).toLocaleString(lang === "uk" ? "uk-UA" : "en-GB", options);
    } catch (unknownZone) {
      return new Date(ms).toLocaleString(lang === "uk" ? "uk-UA" : "en-GB");
    }
  };
  document.querySelectorAll("time[data-ms]").forEach(function (t) {
    t.textContent = window.rahunokTime(Number(t.dataset.ms));
  });
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var source = document.getElementById(button.dataset.copy);
      var text = source ? source.textContent.trim() : "";
      var done = function () {
        var label = button.textContent;
        button.textContent = button.dataset.copied || "✓";
        setTimeout(function () { button.textContent = label; }, 1500);
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done);
      } else {
        var area = document.createElement("textarea");
        area.value = text;
        document.body.appendChild(area);
        area.select();
        document.execCommand("copy");
        area.remove();
        done();
      }
    });
  });
})();
