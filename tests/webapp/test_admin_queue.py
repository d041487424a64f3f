"""The queue, the detail page and the accounts list, on records written as the workflow's
activities write them (no Temporal needed here: those registrations were never started)."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from core.models import Account, AuditEntry, Registration
from core.passwords import hash_password
from tests.webapp.conftest import csrf_token
from tests.webapp.test_admin_auth import console_login, make_console_account

NOW = datetime.now(UTC)
HU_VIES = {
    "valid": True,
    "matches": True,
    "no_data": False,
    "registered_name": "KOVÁCS ÉS TÁRSA AUTÓJAVÍTÓ KFT.",
    "registered_address": "VÁCI ÚT 22.\n1132 BUDAPEST",
    "request_date": "2026-03-02",
    "request_identifier": "WAPIAAAAXYZ123",
    "fields": [
        {"field": "name", "registered": "KOVÁCS ÉS TÁRSA AUTÓJAVÍTÓ KFT.", "typed": "Kovács és "
         "Társa Autójavító Kft.", "matches": True},
        {"field": "address", "registered": "VÁCI ÚT 22. 1132 BUDAPEST", "typed": "Váci út 22. "
         "1132 Budapest", "matches": True},
    ],
}  # fmt: skip
DE_VIES = {"valid": True, "matches": True, "no_data": True, "registered_name": "---",
           "registered_address": "---", "request_date": "2026-03-02", "request_identifier": "",
           "fields": []}  # fmt: skip


def registration(app: Flask, company: str, **fields) -> str:  # type: ignore[no-untyped-def]
    values = {
        "id": uuid.uuid4().hex,
        "user_type": "WORKSHOP",
        "country_code": "HU",
        "vat_number": "12345676",
        "company_name": company,
        "street": "Váci út 22.",
        "postcode": "1132",
        "city": "Budapest",
        "billing_street": "",
        "billing_postcode": "",
        "billing_city": "",
        "rep_first_name": "Péter",
        "rep_last_name": "Kovács",
        "contact_person": "Kovács Péter",
        "phone": "+36 1 234 5678",
        "email": f"{company.split()[0].lower()}@example.hu",
        "password_hash": "x",
        "status": "AWAITING_REVIEW",
        **fields,
    }
    with app.extensions["aos_sessions"].begin() as session:
        session.add(Registration(**values))
    return values["id"]


@pytest.fixture
def app(app_env, make_app):  # type: ignore[no-untyped-def]
    # Temporal is "down" here: pages must still work from the stored records.
    return make_app({**app_env, "TEMPORAL_ADDRESS": "127.0.0.1:1"})


@pytest.fixture
def cases(app):  # type: ignore[no-untyped-def]
    late = registration(
        app,
        "Kovács és Társa Autójavító Kft.",
        email="peter@kovacs-auto.hu",
        created_at=NOW - timedelta(days=4),
        email_confirmed_at=NOW - timedelta(days=3),
        status_deadline=NOW - timedelta(days=1),
        vies_result=HU_VIES,
        workflow_started=True,  # the detail page then asks Temporal, which is not there
    )
    fresh = registration(
        app,
        "Motorrad Huber GmbH",
        country_code="DE",
        vat_number="535883162",
        user_type="MOTORCYCLE",
        created_at=NOW - timedelta(hours=2),
        email_confirmed_at=NOW - timedelta(hours=1),
        status_deadline=NOW + timedelta(hours=47),
        vies_result=DE_VIES,
    )
    done = registration(app, "Officina Rossi S.r.l.", country_code="IT", status="APPROVED")
    waiting = registration(app, "Szőke és Fia Bt.", status="AWAITING_EMAIL_CONFIRMATION")
    make_console_account(app)
    return {"late": late, "fresh": fresh, "done": done, "waiting": waiting}


@pytest.fixture
def console(app, cases):  # type: ignore[no-untyped-def]
    client = app.test_client()
    assert console_login(client, app).status_code == 302
    client.get("/admin/?lang=en")
    return client


def ids(page: str) -> list[str]:
    return re.findall(r'data-registration="(\w+)"', page)


def test_queue_shows_confirmed_registrations_oldest_first_and_overdue_ones_stand_out(
    console, cases
):
    page = console.get("/admin/").get_data(as_text=True)
    assert ids(page) == [cases["late"], cases["fresh"]]
    assert "2 awaiting review" in page and "1 overdue" in page
    late_row = re.search(rf'<tr class="(\w*)" data-registration="{cases["late"]}"', page)
    assert late_row.group(1) == "overdue"
    assert "Overdue by 1 d 0 h" in page
    assert "Due in 1 d 22 h" in page or "Due in 1 d 23 h" in page
    assert "3 days ago" in page  # waiting since the email confirmation
    assert "No VIES name/address" in page  # the German one is flagged


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("country=DE", ["fresh"]),
        ("user_type=MOTORCYCLE", ["fresh"]),
        ("user_type=WORKSHOP&country=HU", ["late"]),
        ("status=OVERDUE", ["late"]),
        ("status=APPROVED", ["done"]),
        ("status=AWAITING_EMAIL_CONFIRMATION", ["waiting"]),
        ("q=kov%C3%A1cs", ["late"]),
        ("q=DE535883162", ["fresh"]),
        ("q=535+883+162", ["fresh"]),
        ("q=PETER%40KOVACS", ["late"]),
        ("q=%25", []),
        ("status=nonsense", ["late", "fresh"]),
    ],
)
def test_queue_filters_and_search(console, cases, query, expected):
    page = console.get(f"/admin/?{query}").get_data(as_text=True)
    assert ids(page) == [cases[name] for name in expected]


def test_all_statuses_newest_first(console, cases):
    page = console.get("/admin/?status=ALL").get_data(as_text=True)
    assert set(ids(page)) == set(cases.values())
    assert ids(page)[-1] == cases["late"]


def test_detail_shows_everything_needed_to_decide(console, cases):
    page = console.get(f"/admin/registrations/{cases['late']}").get_data(as_text=True)
    for text in (
        "Kovács és Társa Autójavító Kft.",
        "HU12345676",
        "Váci út 22.",
        "Same as the company address",
        "Péter",
        "+36 1 234 5678",
        "peter@kovacs-auto.hu",
        "Independent workshop/dealer",
        "WAPIAAAAXYZ123",  # the VIES consultation number
        "2 March 2026",  # VIES's request date, in the console's one date form
        "KOVÁCS ÉS TÁRSA AUTÓJAVÍTÓ KFT.",
        "✓ matches",
        "Overdue",
        "The service level (2 d 0 h) passed",
        "Email address confirmed",
        "Approve",
        "Reject",
        "The company already has an AOS account.",  # a common reason to pick
        f"/workflows/registration-{cases['late']}",
        "The workflow service did not answer",  # Temporal is not there in this test
    ):
        assert text in page, text
    assert 'id="vies-no-data"' not in page

    german = console.get(f"/admin/registrations/{cases['fresh']}").get_data(as_text=True)
    assert "This member state returns no name/address" in german
    assert "None obtained" in german  # no consultation number
    assert "Decide by" in german

    decided = console.get(f"/admin/registrations/{cases['done']}").get_data(as_text=True)
    assert 'value="approve"' not in decided


def test_a_rejection_without_a_reason_is_not_sent(console, cases, app):
    path = f"/admin/registrations/{cases['fresh']}"
    page = console.get(path).get_data(as_text=True)
    nonce = re.search(r'name="nonce" type="hidden" value="(\w+)"', page).group(1)
    data = {"csrf_token": csrf_token(console, path), "nonce": nonce, "action": "reject"}
    response = console.post(f"{path}/decision", data={**data, "reason": "  "})
    assert response.status_code == 302
    assert "A rejection needs a reason" in console.get(path).get_data(as_text=True)
    with app.extensions["aos_sessions"]() as session:
        assert session.scalars(select(AuditEntry.action)).all() == ["admin.login"]
    bad = console.post(f"{path}/decision", data={**data, "reason_code": "made-up"})
    assert bad.status_code == 400


def test_disabling_an_account_ends_its_sessions_at_once_and_is_audited(app, console):
    with app.extensions["aos_sessions"].begin() as session:
        session.add(
            Account(
                email="shop@example.hu",
                role="applicant",
                company_name="Shop Kft.",
                user_type="WORKSHOP",
                password_hash=hash_password("shop password 1"),
            )
        )
    shop = app.test_client()
    login = {"email": "shop@example.hu", "password": "shop password 1"}
    shop.post("/login", data={**login, "csrf_token": csrf_token(shop, "/login?lang=en")})
    assert shop.get("/portal/").status_code == 200

    page = console.get("/admin/accounts").get_data(as_text=True)
    assert re.findall(r"<td data-label=\"Email\">([^<]+)</td>", page) == ["shop@example.hu"]
    account_id = re.search(r'data-account="(\d+)"', page).group(1)
    token = csrf_token(console, "/admin/accounts")
    disabled = console.post(f"/admin/accounts/{account_id}/disable", data={"csrf_token": token})
    assert disabled.status_code == 302
    assert shop.get("/portal/").status_code == 302  # logged out at once
    again = shop.post("/login", data={**login, "csrf_token": csrf_token(shop, "/login")})
    assert again.status_code == 403 and "disabled" in again.get_data(as_text=True)

    page = console.get("/admin/accounts?state=disabled").get_data(as_text=True)
    assert "shop@example.hu" in page and "Re-enable" in page
    assert "Account disabled" in page and "admin@aos.test" in page  # the recent changes
    console.post(f"/admin/accounts/{account_id}/enable", data={"csrf_token": token})
    back = shop.post("/login", data={**login, "csrf_token": csrf_token(shop, "/login")})
    assert back.status_code == 302
    with app.extensions["aos_sessions"]() as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.action.like("account.%")).order_by(AuditEntry.id)
        ).all()
    assert [(e.action, e.actor, e.detail) for e in entries] == [
        ("account.disabled", "admin@aos.test", "shop@example.hu"),
        ("account.enabled", "admin@aos.test", "shop@example.hu"),
    ]
