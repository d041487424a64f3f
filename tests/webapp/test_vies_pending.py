"""When the VAT check waits, the applicant is told why, and never that the number is invalid
when the fault is the portal's own (a live worker and the VIES stand-in behind the app)."""

from __future__ import annotations

import time

import httpx
from sqlalchemy import select

from tests.webapp.conftest import submit
from webapp.models import Registration, ViesFault

CZECH = {
    "country": "CZ",
    "company_name": "AUTOSERVIS VINOHRADY s.r.o.",
    "street": "Milešovská 1136/5",
    "postcode": "130 00",
    "city": "PRAHA 3",
    "vat_number": "CZ35192275",
}


def _page_with(client, url: str, text: str, timeout: float = 20.0) -> str:  # type: ignore[no-untyped-def]
    """The status page once it shows `text` (the worker's retry may still be on its way)."""
    deadline = time.monotonic() + timeout
    while True:
        page = client.get(url).get_data(as_text=True)
        if text in page or time.monotonic() > deadline:
            return page
        time.sleep(0.2)


def test_member_state_down_is_named_on_the_pending_page(web, vies):
    httpx.post(f"{vies}/_control/unavailable", json={"countries": ["CZ"]})
    client = web.test_client()
    response = submit(client, lang="en", **CZECH)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The Czechia VAT service is currently unavailable" in page
    assert "not valid" not in page


def test_portal_fault_is_pending_never_invalid_and_reported(web, vies):
    httpx.post(f"{vies}/_control/fail-next", json={"count": 50, "error": "IP_BLOCKED"})
    client = web.test_client()
    response = submit(client, lang="en")
    assert response.status_code == 302  # not the mismatch page
    url = response.headers["Location"]
    page = _page_with(client, url, "VAT check pending")
    assert "VAT check pending" in page and "not valid" not in page
    with web.extensions["aos_sessions"]() as session:
        assert session.scalars(select(Registration.status)).one() == "VERIFYING_VAT"
        assert "IP_BLOCKED" in set(session.scalars(select(ViesFault.code)))
