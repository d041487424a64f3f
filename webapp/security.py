"""Security defaults of every response, and the reverse proxy in front of the app.

- Content-Security-Policy without inline script or style: the templates load style.css and
  nothing else; the admin's TOTP QR code is inline SVG markup, and `data:` images are allowed.
  A view that sets its own policy keeps it (the dev mailbox's HTML view, shown in a sandboxed
  frame, is stricter still) and decides its own framing.
- Cache-Control: no-store on every page behind a login (or half-way through one), so a
  shared computer's cache or a proxy keeps nothing of the portal or the console.
- X-Content-Type-Options, Referrer-Policy (unless the view chose one), X-Frame-Options DENY,
  and Strict-Transport-Security once the request arrived over HTTPS.
- TRUSTED_PROXIES (or AOS_BEHIND_PROXY=1, a proxy on this machine): the X-Forwarded-For,
  -Proto and -Host of a request from one of those addresses are believed (Werkzeug's
  ProxyFix, one hop), so the client IP (rate limits), the scheme and the host are the
  visitor's; from any other address they are dropped (webapp/proxies.py).
"""

from __future__ import annotations

from flask import Flask, Response, request, session

from webapp import input_filter
from webapp.proxies import TrustedProxies

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
# Session keys that mean a login (or half of one): such pages are never stored by caches.
LOGGED_IN_KEYS = ("account", "admin", "admin_pending", "account_pending")
PRIVATE_PREFIXES = ("/portal", "/admin")
HSTS = "max-age=31536000; includeSubDomains"


def init_app(app: Flask, trusted_proxies: tuple[str, ...] = ()) -> None:
    input_filter.init_app(app)  # first of all before_request hooks
    app.wsgi_app = TrustedProxies(app.wsgi_app, trusted_proxies)  # type: ignore[method-assign]

    @app.after_request
    def _security_headers(response: Response) -> Response:
        headers = response.headers
        if "Content-Security-Policy" not in headers:
            headers["Content-Security-Policy"] = CSP
            headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if request.path.startswith(PRIVATE_PREFIXES) or any(k in session for k in LOGGED_IN_KEYS):
            headers["Cache-Control"] = "no-store"
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", HSTS)
        return response
