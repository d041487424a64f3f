// The "Print" buttons of the portal's guides and documents. A script file instead of an
// inline onclick, so the Content-Security-Policy needs no inline script (webapp/security.py).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () {
      window.print();
    });
  });
});
