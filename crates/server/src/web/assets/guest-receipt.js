// While a payment is on its way (the acquirer confirming, the till closing the bill), the
// receipt page looks again every second. A script rather than <meta refresh>: a timed refresh
// is an accessibility failure (WCAG 2.2.1), and the page keeps a "Refresh" link without it.
(function () {
  var status = document.getElementById("payment-status");
  if (!status || status.dataset.refresh !== "yes") return;
  setTimeout(function () { window.location.reload(); }, 1000);
})();
