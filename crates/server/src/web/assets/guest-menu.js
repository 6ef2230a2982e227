// The menu and the order pages, a little nicer with JavaScript (everything works without it;
// the server checks every rule again):
// - a modifier group keeps its limits while the guest ticks: past its maximum the other boxes
//   are disabled, and under its minimum the form says what is missing instead of sending;
// - "Confirm the order" (and "check again") is pressed once: a double click sends one form.
"use strict";

document.querySelectorAll("fieldset.modifiers[data-group]").forEach(function (group) {
  var boxes = group.querySelectorAll("input[type=checkbox]");
  if (!boxes.length) return;
  var least = parseInt(group.dataset.least || "0", 10);
  var most = group.dataset.most ? parseInt(group.dataset.most, 10) : 0;
  function keep() {
    var checked = 0;
    boxes.forEach(function (box) { if (box.checked) checked += 1; });
    boxes.forEach(function (box) { box.disabled = most > 0 && checked >= most && !box.checked; });
    boxes[0].setCustomValidity(checked < least ? group.dataset.message : "");
  }
  boxes.forEach(function (box) { box.addEventListener("change", keep); });
  keep();
});

document.querySelectorAll("#confirm-form, #check-again").forEach(function (form) {
  form.addEventListener("submit", function (event) {
    if (form.dataset.sent) { event.preventDefault(); return; }
    form.dataset.sent = "1";
    var button = form.querySelector("button[type=submit]");
    if (button) button.setAttribute("aria-disabled", "true");
  });
});
