// Focus management, from a file (the Content-Security-Policy allows no inline script).
document.addEventListener("DOMContentLoaded", function () {
  // The skip link moves the focus to the content without putting "#main" into the URL: a
  // fragment would ride along on every form post and redirect, and on arrival the browser
  // moves the focus to it, away from the error summary.
  var skip = document.querySelector(".skip-link");
  var main = document.getElementById("main");
  if (skip && main) {
    skip.addEventListener("click", function (event) {
      event.preventDefault();
      main.setAttribute("tabindex", "-1");
      main.focus();
      main.addEventListener("blur", function () { main.removeAttribute("tabindex"); }, { once: true });
    });
  }

  // The GOV.UK error-summary pattern: after a failed submit the summary at the top takes the
  // focus, so screen readers announce it and keyboard users start there; its links move the
  // focus to the field itself and show the field's label, not only the input.
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
