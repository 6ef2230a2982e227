// The tables page asks the POS from the browser (showing progress) and draws the QR cards;
// its texts and URLs come from the #tables element's data attributes.
(function () {
  var root = document.getElementById("tables");
  var t = root.dataset;
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }
  function card(table) {
    var fig = el("figure", "card qr-card");
    fig.dataset.table = table.number;
    var img = el("img");
    img.src = table.svgUrl;
    img.alt = "QR " + table.guestUrl;
    var cap = el("figcaption");
    cap.append(el("strong", null, table.name || (t.table + " " + table.number)), " · № " + table.number);
    var links = el("div", "links");
    [["SVG", table.svgUrl], ["PNG", table.pngUrl]].forEach(function (l) {
      var a = el("a", null, l[0]);
      a.href = l[1] + "?download=1";
      a.setAttribute("download", "");
      links.append(a);
    });
    var url = el("div", "mono muted guest-url", table.guestUrl);
    fig.append(img, cap, links, url);
    return fig;
  }
  function show(view) {
    root.textContent = "";
    var summary = el("p", "muted", t.count.replace("{n}", view.tableCount).replace("{h}", view.halls.length));
    root.append(summary);
    view.halls.forEach(function (hall) {
      var section = el("section", "hall");
      section.append(el("h2", null, hall.name));
      var grid = el("div", "grid");
      hall.tables.forEach(function (table) { grid.append(card(table)); });
      section.append(grid);
      root.append(section);
    });
    document.getElementById("print-all").hidden = view.tableCount === 0;
  }
  function fail(body, status) {
    root.textContent = "";
    var known = body && t["err" + String(body.errCode || "").toLowerCase()];
    var text = known || t.errOther;
    if (body && body.errCode === "POS_FAIL" && body.errText) text += " " + body.errText;
    var alert = el("p", "alert", text);
    alert.setAttribute("role", "alert");
    var again = el("button", "inline", t.again);
    again.type = "button";
    again.addEventListener("click", load);
    root.append(alert, again);
  }
  function load() {
    root.textContent = "";
    root.append(el("p", "progress", t.waiting));
    fetch(t.url, { method: "POST", credentials: "same-origin", headers: { "x-csrf-token": t.csrf } })
      .then(function (r) {
        return r.json().then(function (body) { return r.ok ? show(body) : fail(body, r.status); });
      })
      .catch(function () { fail(null, 0); });
  }
  load();
})();
