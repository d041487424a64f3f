"""The web app's pages that emails link to, built on PUBLIC_BASE_URL without the web app.

tests/webapp/test_email_links.py checks each path against the web app's own routes."""

from __future__ import annotations

from urllib.parse import quote

HOME = "/"
LOGIN = "/login"
FIRST_STEPS = "/portal/first-steps"
CONFIRM = "/confirm/{token}"
STATUS = "/status/{token}"
RESTART = "/restart/{token}"
CHANGES = "/changes/{token}"  # the correction page of "Ask for changes"
ADMIN_DETAIL = "/admin/registrations/{registration_id}"


def link(base_url: str, path: str, **values: str) -> str:
    """An absolute link: base_url plus the path with its values filled in (quoted)."""
    filled = path.format(**{k: quote(str(v), safe="") for k, v in values.items()})
    return base_url.rstrip("/") + filled
