// The split page's running total: what the ticked positions come to (each choice carries its
// sum in kopiyky, a quantity its share), less the same share of each of the bill's discounts,
// rounded half up to the kopiyka — the server's estimate, in the page. BigInt keeps the
// arithmetic exact for any bill. The page works without it (the next step shows the total).
(function () {
  var form = document.getElementById("split-form");
  var out = document.getElementById("split-total");
  if (!form || !out || typeof BigInt !== "function") return;
  var raw = BigInt(form.dataset.raw || "0");
  var discounts = (form.dataset.discounts || "").split(",").filter(Boolean).map(function (d) { return BigInt(d); });
  function chosen() {
    var total = 0n;
    form.querySelectorAll("input[name=pos]:checked").forEach(function (box) {
      var select = form.querySelector("select[name='qty_" + box.value + "']");
      var source = select ? select.options[select.selectedIndex] : box;
      total += BigInt(source.dataset.sum || "0");
    });
    return total;
  }
  function estimate(part) {
    if (raw === 0n) return part;
    discounts.forEach(function (d) {
      part -= (2n * d * part + raw) / (2n * raw);
    });
    return part;
  }
  function money(k) {
    var whole = (k / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, form.dataset.group);
    return whole + form.dataset.decimal + (k % 100n).toString().padStart(2, "0") + " " + form.dataset.currency;
  }
  function update() {
    out.textContent = money(estimate(chosen()));
  }
  form.addEventListener("change", update);
  update();
})();
