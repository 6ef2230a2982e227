// The bill page's tip: keeps the "Pay" button's amount in step with the chosen tip, makes a
// tapped preset clear the typed amount (and typing clear the preset), and checks a typed tip
// against its limit before the form is sent, keeping what was typed. The form works without
// it (the server adds the tip and checks it again). The bill, the marks and the currency come
// from the button's data attributes, in the page's language.
(function () {
  var form = document.getElementById("pay-form");
  var pay = document.getElementById("pay");
  var toPay = document.getElementById("to-pay");
  var custom = document.getElementById("tip_custom");
  var error = document.getElementById("tip-error");
  if (!form || !pay || !toPay || !custom || !error) return;
  var presets = form.querySelectorAll("input[name=tip]");
  function kopiyky(text) {
    var m = text.trim().replace(/\s/g, "").match(/^(\d+)(?:[.,](\d{1,2}))?$/);
    if (!m) return null;
    return parseInt(m[1], 10) * 100 + parseInt(((m[2] || "") + "00").slice(0, 2), 10);
  }
  function grouped(n) {
    return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, pay.dataset.group);
  }
  function money(k) {
    return grouped(Math.floor(k / 100)) + pay.dataset.decimal + String(k % 100).padStart(2, "0") + " " + pay.dataset.currency;
  }
  // What is wrong with the typed tip, or "" when it is fine (or empty).
  function problem() {
    if (custom.value.trim() === "") return "";
    var tip = kopiyky(custom.value);
    if (tip === null) return error.dataset.notAmount;
    if (tip > parseInt(custom.dataset.max, 10)) return error.dataset.tooMuch;
    return "";
  }
  function showProblem() {
    var text = problem();
    error.textContent = text;
    if (text) custom.setAttribute("aria-invalid", "true");
    else custom.removeAttribute("aria-invalid");
    return text;
  }
  function update() {
    var tip = custom.value.trim() === "" ? null : kopiyky(custom.value);
    if (tip === null || problem()) {
      var chosen = form.querySelector("input[name=tip]:checked");
      tip = chosen && custom.value.trim() === "" ? parseInt(chosen.dataset.tip, 10) : 0;
    }
    toPay.textContent = money(parseInt(pay.dataset.bill, 10) + tip);
  }
  presets.forEach(function (preset) {
    preset.addEventListener("change", function () {
      custom.value = "";
      showProblem();
      update();
    });
  });
  custom.addEventListener("input", function () {
    if (custom.value.trim() !== "") presets.forEach(function (p) { p.checked = false; });
    else if (presets.length) presets[0].checked = true;
    showProblem();
    update();
  });
  form.addEventListener("submit", function (event) {
    if (showProblem()) {
      event.preventDefault();
      custom.focus();
    }
  });
  if (custom.value.trim() !== "") showProblem();
  update();
})();
