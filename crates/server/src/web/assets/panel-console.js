// The console's JSON editor starts from the chosen operation's example, until the operator edits it.
(function () {
  var select = document.getElementById("operation");
  var editor = document.getElementById("fields");
  var pristine = true;
  editor.addEventListener("input", function () { pristine = false; });
  select.addEventListener("change", function () {
    if (pristine) editor.value = select.selectedOptions[0].dataset.example;
  });
})();
