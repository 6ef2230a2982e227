// Keeps the "Pay" button's amount in step with the chosen tip. The form works without it (the
// server adds the tip itself). The bill, the decimal mark and the currency come from the
// button's data attributes, in the page's language.
(function () {
  var form = document.querySelector("form.card");
  var pay = document.getElementById("pay");
  var toPay = document.getElementById("to-pay");
  var custom = document.getElementById("tip_custom");
  if (!form || !pay || !toPay || !custom) return;
  function kopiyky(text) {
    var m = text.trim().match(/^(\d+)(?:[.,](\d{1,2}))?$/);
    if (!m) return null;
    return parseInt(m[1], 10) * 100 + parseInt(((m[2] || "") + "00").slice(0, 2), 10);
  }
  function money(k) {
    return Math.floor(k / 100) + pay.dataset.decimal + String(k % 100).padStart(2, "0") + " " + pay.dataset.currency;
  }
  function update() {
    var tip = kopiyky(custom.value);
    if (tip === null) {
      var chosen = form.querySelector("input[name=tip]:checked");
      tip = chosen ? parseInt(chosen.dataset.tip, 10) : 0;
    }
    toPay.textContent = money(parseInt(pay.dataset.bill, 10) + tip);
  }
  form.addEventListener("change", update);
  custom.addEventListener("input", update);
  update();
})();
