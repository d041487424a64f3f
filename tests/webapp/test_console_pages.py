"""The console as a reviewer reads it: one date form on every page, the queue's country and
VIES columns, and Reject that asks before it acts."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime

from sqlalchemy import select

from core.local_time import format_local
from core.models import AuditEntry, Registration
from tests.webapp.conftest import csrf_token
from tests.webapp.test_admin_queue import app, cases, console  # noqa: F401

ISO = re.compile(r"\d{4}-\d{2}-\d{2}")
ZONES = re.compile(r"\b(CET|CEST|UTC)\b")


def visible_text(page: str) -> str:
    """The page's text as read: no tags, no attributes (a <time datetime> may be ISO)."""
    body = re.sub(r"<(script|style)\b.*?</\1>", "", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def test_one_local_date_form_in_both_languages() -> None:
    moment = datetime(2026, 12, 4, 2, 46, 30, tzinfo=UTC)
    assert format_local(moment, "hu") == "2026. december 4. 03:46"
    assert format_local(moment, "en") == "4 December 2026 03:46"
    assert format_local("2026-12-04T02:46:30.744Z", "hu") == "2026. december 4. 03:46"
    assert format_local("2026-07-04T02:46:00", "en") == "4 July 2026 04:46"  # summer time
    assert format_local("2026-03-02", "hu") == "2026. március 2."  # a bare day stays a day
    assert format_local(None, "hu") == "—"


def test_no_console_page_shows_an_iso_time_or_a_zone(console, cases) -> None:  # noqa: F811
    pages = {
        "queue": "/admin/?lang=hu",
        "all": "/admin/?status=ALL",
        "detail": f"/admin/registrations/{cases['late']}",
        "german": f"/admin/registrations/{cases['fresh']}",
        "accounts": "/admin/accounts",
    }
    for name, path in pages.items():
        response = console.get(path)
        assert response.status_code == 200, name
        text = visible_text(response.get_data(as_text=True))
        assert not ISO.search(text), (name, ISO.search(text))
        assert not ZONES.search(text), (name, ZONES.search(text))
    detail = visible_text(
        console.get(f"/admin/registrations/{cases['late']}").get_data(as_text=True)
    )
    assert "2026. március 2." in detail  # VIES's request date
    assert re.search(r"\d{4}\. [a-zőúéáűíóöü]+ \d{1,2}\. \d{2}:\d{2}", detail)  # the timeline


def test_the_queue_shows_country_and_vies_result(console, cases) -> None:  # noqa: F811
    page = console.get("/admin/?lang=en").get_data(as_text=True)
    assert "<th>Country</th>" in page and "<th>VIES result</th>" in page
    late = re.search(rf'data-registration="{cases["late"]}".*?</tr>', page, re.S).group(0)
    assert '<td data-label="Country" class="country">Hungary</td>' in late
    assert re.search(r'class="vies-result">✓ matches</td>', late)
    german = re.search(rf'data-registration="{cases["fresh"]}".*?</tr>', page, re.S).group(0)
    assert "Germany" in german and "No VIES name/address" in german
    hu = console.get("/admin/?lang=hu").get_data(as_text=True)
    assert "Magyarország" in hu and "Németország" in hu and "VIES-eredmény" in hu


def test_reject_asks_first_and_changes_nothing(console, cases, app) -> None:  # noqa: F811
    path = f"/admin/registrations/{cases['fresh']}"
    page = console.get(f"{path}?lang=en").get_data(as_text=True)
    nonce = re.search(r'name="nonce" type="hidden" value="(\w+)"', page).group(1)
    first = console.post(
        f"{path}/decision",
        data={
            "csrf_token": csrf_token(console, path),
            "nonce": nonce,
            "action": "reject",
            "reason_code": "duplicate",
            "reason": "Two registrations for one company.",
        },
    )
    assert first.status_code == 200  # a page that asks, not a redirect after acting
    shown = first.get_data(as_text=True)
    assert "Reject this registration?" in shown and "cannot be undone" in shown
    assert "Two registrations for one company." in shown
    assert 'name="confirmed" value="yes"' in shown and f'value="{nonce}"' in shown
    assert ">Reject</button>" in shown and "Cancel: back to the registration" in shown
    assert 'value="approve"' not in shown  # Approve is not beside it
    with app.extensions["aos_sessions"]() as session:
        assert session.get(Registration, cases["fresh"]).status == "AWAITING_REVIEW"
        audit = select(AuditEntry).where(AuditEntry.registration_id == cases["fresh"])
        assert session.scalars(audit).all() == []
    hu = console.post(
        f"{path}/decision?lang=hu",
        data={"csrf_token": csrf_token(console, path), "nonce": nonce, "action": "reject",
              "reason_code": "duplicate"},
    ).get_data(as_text=True)  # fmt: skip
    assert "Elutasítja ezt a regisztrációt?" in hu and ">Elutasítás</button>" in hu


def test_the_console_shows_only_its_own_navigation_bar(console) -> None:  # noqa: F811
    for path in ("/admin/?lang=en", "/admin/accounts", "/admin/support/", "/admin/prices"):
        page = console.get(path).get_data(as_text=True)
        assert page.count('aria-label="Administrator console"') == 1, path
        assert 'aria-label="Main menu"' not in page, path  # the public bar is not drawn
        for public in ("Register now", ">Log in<", "Price list", ">Help<"):
            assert public not in page, (path, public)
        assert ">Accounts</a>" in page and ">Review queue</a>" in page, path
    # The public pages keep theirs.
    assert "Register now" in console.get("/?lang=en").get_data(as_text=True)


def test_the_console_comparison_marks_what_differs(console, app) -> None:  # noqa: F811
    from tests.webapp.test_admin_queue import HU_VIES, registration

    vies = {
        **HU_VIES,
        "matches": False,
        "fields": [
            {"field": "name", "registered": "KOVÁCS ÉS TÁRSA AUTÓJAVÍTÓ KFT.",
             "typed": "Kovacs es Tarsa Autojavito Kft.", "matches": False},
            {"field": "street", "registered": "VÁCI ÚT 22. 1132 BUDAPEST",
             "typed": "Váci út 22", "matches": False},
            {"field": "postcode", "registered": "VÁCI ÚT 22. 1132 BUDAPEST",
             "typed": "1132", "matches": True},
        ],
    }  # fmt: skip
    reg_id = registration(app, "Kovacs es Tarsa Autojavito Kft.", vies_result=vies)
    page = console.get(f"/admin/registrations/{reg_id}?lang=en").get_data(as_text=True)
    street = re.search(r'<tr class="bad" data-field="street">.*?</tr>', page, re.S).group(0)
    # The street's own line of VIES's address, its full stop marked, the typed side's gap.
    marked = 'class="registered">VÁCI ÚT 22<mark class="diff-mark">.</mark></td>'
    assert marked in street
    assert 'class="diff-gap"' in street
    name = re.search(r'<tr class="bad" data-field="name">.*?</tr>', page, re.S).group(0)
    assert name.count('<mark class="diff-mark">') == 12  # six letters, on each side
