// The GOV.UK error-summary pattern, from a file (the Content-Security-Policy allows no inline
// script): after a failed submit the summary at the top takes the focus, so screen readers
// announce it and keyboard users start there; its links move the focus to the field itself
// and show the field's label, not only the input.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector(".error-summary");
  if (!summary) return;
  if (!summary.hasAttribute("tabindex")) summary.setAttribute("tabindex", "-1");
  summary.focus();
  summary.addEventListener("click", function (event) {
    var link = event.target.closest('a[href^="#"]');
    var input = link && document.getElementById(link.getAttribute("href").slice(1));
    if (!input) return;
    event.preventDefault();
    var label = document.querySelector('label[for="' + input.id + '"]') || input;
    label.scrollIntoView();
    input.focus({ preventScroll: true });
  });
});
