"""Every console route against anonymous, applicant, reviewer and support visitors."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from core.models import Account, AuditEntry
from core.passwords import hash_password
from tests.webapp.conftest import csrf_token
from tests.webapp.test_admin_auth import console_login, make_console_account
from tests.workflows.helpers import make_registration

REG_ID = "r0000000000000000000000000000001"
APPLICANT_PASSWORD = "applicant password 1"
LOGIN = "/admin/login"
# The steps of the login itself are open to anyone: they are the way in.
PUBLIC = {"/admin/login", "/admin/login/enrol", "/admin/login/code", "/admin/logout"}

OK, REDIRECT_LOGIN, FORBIDDEN = 200, "login", 403
HOME = "the account's first section"  # support: help requests (or accounts)
# (method, path) → expected answer for anonymous, applicant, reviewer, support.
ROUTES = [
    ("GET", "/admin/", REDIRECT_LOGIN, REDIRECT_LOGIN, OK, HOME),
    ("GET", f"/admin/registrations/{REG_ID}", REDIRECT_LOGIN, REDIRECT_LOGIN, OK, FORBIDDEN),
    ("POST", f"/admin/registrations/{REG_ID}/decision", FORBIDDEN, FORBIDDEN, 302, FORBIDDEN),
    # Nothing ticked, no message: the page again with the problems (no workflow call).
    ("POST", f"/admin/registrations/{REG_ID}/changes", FORBIDDEN, FORBIDDEN, 400, FORBIDDEN),
    # The address of that page, opened again (e.g. by the language switch): the detail page.
    (
        "GET",
        f"/admin/registrations/{REG_ID}/changes",
        REDIRECT_LOGIN,
        REDIRECT_LOGIN,
        f"/admin/registrations/{REG_ID}",
        FORBIDDEN,
    ),
    ("GET", "/admin/accounts", REDIRECT_LOGIN, REDIRECT_LOGIN, FORBIDDEN, OK),
    ("POST", "/admin/accounts/{account}/disable", FORBIDDEN, FORBIDDEN, FORBIDDEN, 302),
    ("POST", "/admin/accounts/{account}/enable", FORBIDDEN, FORBIDDEN, FORBIDDEN, 302),
    ("POST", "/admin/accounts/{account}/two-step-reset", FORBIDDEN, FORBIDDEN, FORBIDDEN, 302),
]
VISITORS = ("anonymous", "applicant", "reviewer", "support")


def seed(app: Flask) -> int:
    """A registration (never started in Temporal) and the applicant account it made."""
    make_registration(
        app,
        id=REG_ID,
        billing_street="",
        billing_postcode="",
        billing_city="",
        password_hash=hash_password(APPLICANT_PASSWORD),
        status="AWAITING_REVIEW",
    )
    with app.extensions["aos_sessions"].begin() as session:
        account = Account(
            email="peter@kovacs-auto.hu",
            role="applicant",
            password_hash=hash_password(APPLICANT_PASSWORD),
            company_name="Kovács és Társa Autójavító Kft.",
            user_type="WORKSHOP",
        )
        session.add(account)
        session.flush()
        account_id = account.id
    make_console_account(app, "reviewer@aos.test", roles="reviewer")
    make_console_account(app, "support@aos.test", roles="support")
    return account_id


def visitor(app: Flask, who: str) -> FlaskClient:
    client = app.test_client()
    if who == "applicant":
        token = csrf_token(client, "/login")
        data = {"email": "peter@kovacs-auto.hu", "password": APPLICANT_PASSWORD}
        assert client.post("/login", data={**data, "csrf_token": token}).status_code == 302
    elif who in ("reviewer", "support"):
        assert console_login(client, app, f"{who}@aos.test").status_code == 302
    return client


def _token(client: FlaskClient) -> str:
    # Any page carrying a token: the CSRF token is per session, not per form.
    return csrf_token(client, "/admin/login")


def call(client: FlaskClient, method: str, path: str, data: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    if method == "GET":
        return client.get(path)
    form = {"csrf_token": _token(client), "nonce": "n1", "action": "approve", **(data or {})}
    return client.post(path, data=form)


def check(response, expected, client=None) -> None:  # type: ignore[no-untyped-def]
    if expected == HOME:
        assert response.status_code == 302
        home = response.headers["Location"]
        assert not home.startswith(LOGIN) and client.get(home).status_code == 200
    elif expected == REDIRECT_LOGIN:
        assert response.status_code == 302
        assert response.headers["Location"].startswith(LOGIN + "?next=")
    elif isinstance(expected, str):
        assert response.status_code == 302 and response.headers["Location"] == expected
    else:
        assert response.status_code == expected, response.get_data(as_text=True)[:500]


@pytest.mark.parametrize("who", VISITORS)
def test_every_console_route_for_every_visitor(app, who):
    account_id = seed(app)
    client = visitor(app, who)
    for method, path, *expected in ROUTES:
        response = call(client, method, path.format(account=account_id))
        check(response, expected[VISITORS.index(who)], client)
    # Nobody but support changed the account; the decision went nowhere (not started).
    with app.extensions["aos_sessions"]() as session:
        actions = set(session.scalars(select(AuditEntry.action)))
    assert ("account.disabled" in actions) == (who == "support")
    assert ("registration.decision_refused" in actions) == (who == "reviewer")


def test_the_table_covers_every_route_of_the_console(app):
    covered = {re.sub(r"\{account\}", "<int:account_id>", p) for _m, p, *_ in ROUTES}
    covered = {p.replace(REG_ID, "<registration_id>") for p in covered}
    mine = {r.rule for r in app.url_map.iter_rules() if r.endpoint.startswith("admin.")}
    assert mine - PUBLIC == covered


def _sample(rule: str) -> str:
    return re.sub(r"<[^>]+>", "x", re.sub(r"<int:[^>]+>", "1", rule))


@pytest.mark.parametrize("who", ["anonymous", "applicant"])
def test_no_console_route_of_any_blueprint_lets_outsiders_in(app, who):
    """Other features add console pages under /admin too: none may let an outsider in."""
    seed(app)
    client = visitor(app, who)
    rules = [r for r in app.url_map.iter_rules() if r.rule.startswith("/admin")]
    rules = [r for r in rules if r.rule not in PUBLIC]
    assert rules
    for rule in rules:
        for method in sorted(rule.methods & {"GET", "POST"}):
            response = call(client, method, _sample(rule.rule))
            if method == "GET":
                check(response, REDIRECT_LOGIN)
            else:
                assert response.status_code == 403, rule.rule


def test_every_change_is_a_post_with_a_csrf_token(app):
    account_id = seed(app)
    for who, path in (
        ("reviewer", f"/admin/registrations/{REG_ID}/decision"),
        ("support", f"/admin/accounts/{account_id}/disable"),
        ("support", f"/admin/accounts/{account_id}/enable"),
        ("support", f"/admin/accounts/{account_id}/two-step-reset"),
    ):
        client = visitor(app, who)
        assert client.get(path).status_code == 405
        assert client.post(path, data={"nonce": "n1", "action": "approve"}).status_code == 400
    with app.extensions["aos_sessions"]() as session:
        changes = session.scalars(select(AuditEntry).where(AuditEntry.action != "admin.login"))
        assert changes.all() == []
        assert session.get(Account, account_id).active is True
