"""The mismatch page: the differing characters marked and named, one message, and "Use the
registered data" landing on the review step."""

from __future__ import annotations

import re

from tests.webapp.conftest import csrf_from, csrf_token
from tests.webapp.test_wizard import ACCESS, COMPANY, post, walk_to_review
from webapp.registration.mismatch import DIFF, GAP, SAME, mark, registered_part

VIES_ADDRESS = "Váci út 22.\n1132 Budapest"


def test_a_missing_full_stop_is_marked_on_both_sides() -> None:
    marked = mark("Váci út 22.", "Vaci ut 22")
    assert marked.registered == [
        (SAME, "V"),
        (DIFF, "á"),
        (SAME, "ci "),
        (DIFF, "ú"),
        (SAME, "t 22"),
        (DIFF, "."),
    ]
    assert marked.typed[-1] == (GAP, "")
    assert [(c.registered, c.typed) for c in marked.changes] == [("á", "a"), ("ú", "u"), (".", "")]


def test_case_and_spacing_are_not_differences() -> None:
    marked = mark("KOVÁCS  ÉS TÁRSA", "Kovács és Társa")
    assert marked.changes == [] and all(kind == SAME for kind, _ in marked.registered)


def test_an_address_field_is_compared_with_its_own_part_of_the_address() -> None:
    # The postcode and the city claim their words: the street is compared with its line.
    assert registered_part("Váci út", VIES_ADDRESS, ["1132", "Budapest"]) == "Váci út 22."
    assert registered_part("Budapst", VIES_ADDRESS, ["1132", "Váci út 22."]) == "Budapest"
    assert registered_part("1123", VIES_ADDRESS, ["Budapest", "Váci út 22."]) == "1132"


def _mismatch_page(client, lang: str = "en", **company: str) -> str:  # type: ignore[no-untyped-def]
    walk_to_review(client, **company)
    sent = client.post(
        "/register/review", data={"csrf_token": csrf_token(client, "/register/review")}
    )
    assert sent.headers["Location"] == "/register/company"
    return client.get(f"/register/company?lang={lang}").get_data(as_text=True)


def test_only_a_full_stop_missing_is_marked_and_named(web) -> None:  # type: ignore[no-untyped-def]
    page = _mismatch_page(web.test_client(), street="Váci út 22")
    row = re.search(r'<tr data-field="street">.*?</tr>', page, re.S).group(0)
    assert '<mark class="diff-mark">.</mark>' in row  # the full stop VIES holds, marked
    assert 'class="diff-gap"' in row  # where the typed text lacks it
    assert "Differences:" in row and "“.” is missing" in row  # and said in words
    # One message: the blue box repeating the red one is gone.
    assert page.count("letter for letter") == 1
    assert page.count("Use the registered data") == 1


def test_the_hungarian_page_names_the_differences(web) -> None:  # type: ignore[no-untyped-def]
    page = _mismatch_page(web.test_client(), lang="hu", company_name="Kovacs es Tarsa Kft.")
    row = re.search(r'<tr data-field="name">.*?</tr>', page, re.S).group(0)
    assert "Eltérések:" in row
    assert "„a” helyett „á”" in row
    assert "„Autójavító” hiányzik" in row
    assert "A regisztrált adatok használata" in page


def test_use_the_registered_data_lands_on_the_review_step(web, mailbox) -> None:  # type: ignore[no-untyped-def]
    client = web.test_client()
    page = _mismatch_page(client, company_name="Kovacs es Tarsa Kft.", street="Vaci ut 22")
    adopted = client.post("/register/company/adopt", data={"csrf_token": csrf_from(page)})
    assert adopted.headers["Location"] == "/register/review"
    review = client.get("/register/review?lang=en").get_data(as_text=True)
    assert "We filled in the data registered in VIES. Check them and send" in review
    assert "Kovács és Társa Autójavító Kft." in review and "Váci út 22., 1132 Budapest" in review
    sent = client.post("/register/review", data={"csrf_token": csrf_from(review)})
    assert sent.headers["Location"].startswith("/status/")
    assert mailbox.wait_for(ACCESS["email"])


def test_adopting_before_the_last_step_stays_on_the_company_step(web) -> None:  # type: ignore[no-untyped-def]
    client = web.test_client()
    _mismatch_page(client, company_name="Kovacs es Tarsa Kft.")
    with web.extensions["aos_sessions"]() as session:
        from core.models import RegistrationDraft

        draft = session.query(RegistrationDraft).one()
        draft.completed = 3  # as if the access step had not been sent yet
        session.commit()
    token = csrf_token(client, "/register/company")
    adopted = client.post("/register/company/adopt", data={"csrf_token": token})
    assert adopted.headers["Location"] == "/register/company"
    assert (
        post(
            client, "company", {**COMPANY, "company_name": "Kovács és Társa Autójavító Kft."}
        ).status_code
        == 302
    )
