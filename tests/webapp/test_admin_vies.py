"""The console's VIES evidence: the portal's comparison beside VIES's own approximate matching,
a banner for the portal's own VIES faults, and the member states whose service is down."""

from __future__ import annotations

from datetime import timedelta

import httpx

from tests.webapp.test_admin_queue import (  # noqa: F401 - fixtures
    NOW,
    app,
    cases,
    console,
    registration,
)
from webapp.models import ViesFault

CZ_VIES = {
    "valid": True,
    "matches": True,
    "no_data": False,
    "registered_name": "AUTOSERVIS VINOHRADY s.r.o.",
    "registered_address": "Milešovská 1136/5\nPRAHA 3 - VINOHRADY\n130 00  PRAHA 3",
    "request_date": "2026-03-02",
    "request_identifier": "",
    "fields": [
        {"field": "name", "registered": "AUTOSERVIS VINOHRADY s.r.o.",
         "typed": "Autoservis Vinohrady s.r.o.", "matches": True, "note": ""},
        {"field": "street", "registered": "Milešovská 1136/5", "typed": "Milešovská 1136/5",
         "matches": True, "note": ""},
        {"field": "postcode", "registered": "130 00", "typed": "130 00", "matches": True,
         "note": ""},
        {"field": "city", "registered": "PRAHA 3", "typed": "Praha 3", "matches": True,
         "note": ""},
    ],
    "vies_matches": {"name": "VALID", "street": "VALID", "postcode": "INVALID",
                     "city": "NOT_PROCESSED"},
    "flag_reason": "",
}  # fmt: skip


def test_detail_shows_vies_own_matching_beside_the_portal_comparison(app, console):  # noqa: F811
    reg_id = registration(
        app, "Autoservis Vinohrady s.r.o.", country_code="CZ", vies_result=CZ_VIES,
        email="cz@example.cz", status_deadline=NOW + timedelta(days=1),
    )  # fmt: skip
    page = console.get(f"/admin/registrations/{reg_id}?lang=en").get_data(as_text=True)
    assert "VIES&#39;s own matching (approximate)" in page or "VIES's own matching" in page
    rows = page.split('data-field="')[1:]
    own = {row.split('"', 1)[0]: row.split('class="vies-own">', 1)[1].split("<")[0] for row in rows}
    assert own == {
        "name": "✓ similar",
        "street": "✓ similar",
        "postcode": "✗ different",
        "city": "not checked",
    }


def test_vat_blocked_is_flagged_for_the_reviewer(app, console):  # noqa: F811
    blocked = {**CZ_VIES, "no_data": True, "fields": [], "flag_reason": "VAT_BLOCKED"}
    reg_id = registration(app, "Blocked s.r.o.", country_code="CZ", vies_result=blocked,
                          email="blocked@example.cz")  # fmt: skip
    page = console.get(f"/admin/registrations/{reg_id}?lang=en").get_data(as_text=True)
    assert 'id="vies-blocked"' in page and 'id="vies-no-data"' not in page
    assert "VIES: VAT_BLOCKED" in console.get("/admin/?lang=en").get_data(as_text=True)


def test_banner_shows_the_portal_own_vies_faults(app, console):  # noqa: F811
    assert 'id="vies-faults"' not in console.get("/admin/?lang=en").get_data(as_text=True)
    with app.extensions["aos_sessions"].begin() as session:
        session.add(ViesFault(code="IP_BLOCKED", message="", at=NOW - timedelta(minutes=5)))
        session.add(ViesFault(code="IP_BLOCKED", message="", at=NOW - timedelta(minutes=1)))
        session.add(ViesFault(code="OLD_ONE", message="", at=NOW - timedelta(hours=3)))
    page = console.get("/admin/?lang=en").get_data(as_text=True)
    banner = page.split('id="vies-faults"', 1)[1].split("</div>", 1)[0]
    assert "IP_BLOCKED" in banner and "2× in the last hour" in banner
    assert "OLD_ONE" not in banner


def test_banner_names_the_member_states_down(app, console, cases, vies):  # noqa: F811
    httpx.post(f"{vies}/_control/unavailable", json={"countries": ["CZ", "GR"]})
    cached = console.get("/admin/?lang=en").get_data(as_text=True)
    assert 'id="vies-states-down"' not in cached  # asked at most once a minute
    app.extensions["aos_vies_status"].max_age = 0  # ...and a minute has passed
    page = console.get("/admin/?lang=en").get_data(as_text=True)
    states = page.split('id="vies-states-down"', 1)[1].split("</p>", 1)[0]
    assert "Czechia (CZ)" in states and "Greece (GR)" in states
    # A Czech registration's detail page says so too; a Hungarian one does not.
    cz = registration(app, "Autoservis s.r.o.", country_code="CZ", email="cz@example.cz")
    detail = console.get(f"/admin/registrations/{cz}?lang=en").get_data(as_text=True)
    assert 'id="vies-country-down"' in detail
    hu = console.get(f"/admin/registrations/{cases['late']}?lang=en").get_data(as_text=True)
    assert 'id="vies-country-down"' not in hu
