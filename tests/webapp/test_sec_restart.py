"""Issue 24 finding 6 (first half): opening a restart link changes nothing; the button on
its page (a POST with CSRF) fills the visitor's draft with the earlier registration."""

from __future__ import annotations

from sqlalchemy import func, select

from core.models import RegistrationDraft
from core.tokens import status_token
from tests.webapp.conftest import csrf_from
from tests.workflows.helpers import make_registration


def _drafts(app) -> int:  # type: ignore[no-untyped-def]
    with app.extensions["aos_sessions"]() as session:
        return session.scalar(select(func.count(RegistrationDraft.id)))


def _restart_url(app) -> str:  # type: ignore[no-untyped-def]
    reg = make_registration(app, status="EXPIRED", open_email=None, email="earlier@example.com")
    return f"/restart/{status_token(app.config['SETTINGS'].secret_key, reg.id)}"


def test_opening_a_restart_link_changes_nothing(app, client) -> None:  # type: ignore[no-untyped-def]
    url = _restart_url(app)
    opened = client.get(f"{url}?lang=en")
    assert opened.status_code == 200
    page = opened.get_data(as_text=True)
    assert "Fill in my earlier data" in page and 'method="post"' in page
    assert "earlier@example.com" not in page  # the page itself shows none of the data
    assert _drafts(app) == 0
    access = client.get("/register/access?lang=en", follow_redirects=True).get_data(as_text=True)
    assert "earlier@example.com" not in access


def test_the_restart_button_fills_the_draft(app, client) -> None:  # type: ignore[no-untyped-def]
    url = _restart_url(app)
    token = csrf_from(client.get(url).get_data(as_text=True))
    assert client.post(url).status_code == 400  # without its CSRF token: refused
    assert _drafts(app) == 0
    filled = client.post(url, data={"csrf_token": token})
    assert filled.status_code == 302 and filled.headers["Location"].endswith("/register/access")
    assert _drafts(app) == 1
    access = client.get("/register/access").get_data(as_text=True)
    assert 'value="earlier@example.com"' in access
