"""Security defaults: headers with a CSP that needs no inline script or style, cookies,
ProxyFix behind a proxy, and templates the CSP does not break."""

from __future__ import annotations

import re
import smtplib
from email.message import EmailMessage
from pathlib import Path

import pytest
from flask import Response, request

from tests.production.conftest import REPO
from webapp.security import CSP
from webapp.totp import qr_svg

TEMPLATES = REPO / "webapp" / "templates"
PAGES = ["/", "/useful-information", "/register/one-page", "/register/type", "/prices", "/help/"]


def test_csp_is_the_agreed_policy() -> None:
    assert CSP == (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    )


@pytest.mark.parametrize("path", PAGES)
def test_pages_carry_the_security_headers(client, path: str) -> None:  # type: ignore[no-untyped-def]
    response = client.get(path, follow_redirects=True)
    assert response.status_code == 200
    headers = response.headers
    assert headers["Content-Security-Policy"] == CSP
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in headers  # plain http: no HSTS


@pytest.mark.parametrize("path", PAGES)
def test_served_pages_have_no_inline_script_or_style(client, path: str) -> None:  # type: ignore[no-untyped-def]
    html = client.get(path, follow_redirects=True).get_data(as_text=True)
    assert not _inline_problems(html), _inline_problems(html)


def test_a_view_keeps_the_headers_it_chose(app, client) -> None:  # type: ignore[no-untyped-def]
    @app.get("/_test/own-policy")
    def own_policy() -> Response:
        response = Response("framed elsewhere")
        response.headers["Content-Security-Policy"] = "default-src 'none'"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    headers = client.get("/_test/own-policy").headers
    assert headers["Content-Security-Policy"] == "default-src 'none'"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert "X-Frame-Options" not in headers  # its own policy decides its framing
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_the_password_reset_page_keeps_no_referrer(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/password/reset/not-a-valid-token")
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Content-Security-Policy"] == CSP


def test_the_dev_mailbox_html_keeps_its_stricter_policy(app_env, make_app, mailbox) -> None:  # type: ignore[no-untyped-def]
    app = make_app({**app_env, "AOS_ENV": "development", "MAILBOX_DIR": str(mailbox.directory)})
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "a@aos.test", "b@aos.test", "Hello"
    message.set_content("text")
    message.add_alternative("<p style='color: red'>html</p>", subtype="html")
    with smtplib.SMTP("127.0.0.1", mailbox.port) as smtp:
        smtp.send_message(message)
    [stored] = mailbox.wait_for("b@aos.test")
    client = app.test_client()
    page = client.get(f"/dev/mailbox/{stored.id}")
    assert page.headers["Content-Security-Policy"] == CSP  # the page with the frame
    framed = client.get(f"/dev/mailbox/{stored.id}/html")
    assert framed.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert "X-Frame-Options" not in framed.headers  # it is shown in the page's frame


def _session_cookie(app) -> str:  # type: ignore[no-untyped-def]
    response = app.test_client().get("/?lang=en")  # remembers the language in the session
    cookies = [
        c
        for c in response.headers.getlist("Set-Cookie")
        if c.startswith(("session=", "__Host-session="))
    ]
    assert cookies, response.headers
    return cookies[0]


def test_session_cookie_is_httponly_lax_and_secure_over_https(app_env, make_app) -> None:  # type: ignore[no-untyped-def]
    cookie = _session_cookie(make_app({**app_env, "PUBLIC_BASE_URL": "https://aos.example"}))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie
    # __Host-: only for this exact host, path /, Secure, no Domain (ASVS V3.3.1).
    assert cookie.startswith("__Host-session=") and "Path=/" in cookie and "Domain" not in cookie
    plain = _session_cookie(make_app(app_env))  # http://aos.test: a browser would drop Secure
    assert "HttpOnly" in plain and "SameSite=Lax" in plain and "Secure" not in plain
    assert plain.startswith("session=")


def _whoami(app) -> None:  # type: ignore[no-untyped-def]
    @app.get("/_test/whoami")
    def whoami() -> dict[str, str]:
        return {"ip": request.remote_addr or "", "scheme": request.scheme, "host": request.host}


FORWARDED = {
    "X-Forwarded-For": "203.0.113.7",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "aos.example",
}


def test_behind_a_proxy_the_visitor_address_and_https_are_used(app_env, make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app({**app_env, "AOS_BEHIND_PROXY": "1"})
    _whoami(app)
    response = app.test_client().get("/_test/whoami", headers=FORWARDED)
    assert response.json == {"ip": "203.0.113.7", "scheme": "https", "host": "aos.example"}
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_without_the_proxy_setting_forwarded_headers_are_ignored(app_env, make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app(app_env)
    _whoami(app)
    response = app.test_client().get("/_test/whoami", headers=FORWARDED)
    assert response.json["ip"] == "127.0.0.1" and response.json["scheme"] == "http"
    assert "Strict-Transport-Security" not in response.headers


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style\b", re.I), "<style> block"),
    (re.compile(r"\sstyle\s*=", re.I), "style= attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "on…= event handler"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def _inline_problems(html: str) -> list[str]:
    return [label for pattern, label in INLINE if pattern.search(html)]


def _web_templates() -> list[Path]:
    """Templates the app serves as pages (emails are not served; their HTML is shown only in
    the dev mailbox's sandboxed frame, under its own policy)."""
    return sorted(
        p for p in TEMPLATES.rglob("*.html") if "email" not in p.relative_to(TEMPLATES).parts
    )


def test_web_templates_need_no_inline_script_or_style() -> None:
    templates = _web_templates()
    assert len(templates) > 10
    found = {
        str(p.relative_to(TEMPLATES)): _inline_problems(p.read_text(encoding="utf-8"))
        for p in templates
    }
    assert {name: problems for name, problems in found.items() if problems} == {}


def test_the_totp_qr_code_is_inline_svg_without_inline_style() -> None:
    svg = qr_svg("otpauth://totp/AOS%20Portal:admin%40aos.test?secret=JBSWY3DPEHPK3PXP")
    assert svg.startswith("<svg") and "<path" in svg
    assert not _inline_problems(svg), _inline_problems(svg)
