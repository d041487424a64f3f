"""The registration wizard: one step at a time, nothing typed is ever lost."""

from __future__ import annotations

import re

from tests.webapp.conftest import csrf_from, csrf_token

COMPANY = {
    "company_name": "Kovács és Társa Autójavító Kft.",
    "street": "Váci út 22.",
    "postcode": "1132",
    "city": "Budapest",
    "vat_number": "12345676",
    "rep_title": "",
    "rep_first_name": "Péter",
    "rep_last_name": "Kovács",
}
ACCESS = {
    "contact_person": "Kovács Péter",
    "email": "peter@kovacs-auto.hu",
    "phone": "+36 1 234 5678",
    "password": "correct horse battery staple",
    "accept_terms": "y",
}


def post(client, step: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
    token = csrf_token(client, f"/register/{step}?lang=en")
    return client.post(f"/register/{step}", data={**data, "csrf_token": token})


def walk_to_review(client, **company: str) -> None:  # type: ignore[no-untyped-def]
    assert (
        post(client, "type", {"user_type": "WORKSHOP"}).headers["Location"] == "/register/country"
    )
    assert post(client, "country", {"country": "HU"}).headers["Location"] == "/register/company"
    assert post(client, "company", {**COMPANY, **company}).headers["Location"] == "/register/access"
    assert post(client, "access", ACCESS).headers["Location"] == "/register/review"


def test_steps_in_order_and_the_warning_on_the_first(client):
    first = client.get("/register?lang=en", follow_redirects=True)
    page = first.get_data(as_text=True)
    assert first.request.path == "/register/type"
    assert "Motorcycle workshops get motorcycle information only" in page
    # A later step before the earlier ones: back to the first unfinished step.
    assert client.get("/register/company").headers["Location"] == "/register/type"


def test_each_step_is_validated_before_the_next(client):
    response = post(client, "type", {"user_type": ""})
    assert response.status_code == 200 and "Please choose a user type." in response.get_data(
        as_text=True
    )
    post(client, "type", {"user_type": "MOTORCYCLE"})
    post(client, "country", {"country": "HU"})
    bad = post(client, "company", {**COMPANY, "vat_number": "12345678"})
    page = bad.get_data(as_text=True)
    assert "check digit does not fit" in page
    assert 'value="Kovács és Társa Autójavító Kft."' in page  # what was typed stays
    assert '<span class="prefix" aria-hidden="true">HU</span>' in page


def test_reload_and_back_keep_what_was_typed(client):
    walk_to_review(client)
    # Going back to any step shows what was saved there.
    company = client.get("/register/company?lang=en").get_data(as_text=True)
    assert 'value="Váci út 22."' in company and 'value="12345676"' in company
    access = client.get("/register/access").get_data(as_text=True)
    assert 'value="peter@kovacs-auto.hu"' in access
    assert "A password is already set" in access
    # Sending the access step again without a password keeps the one set before.
    keep = post(client, "access", {**ACCESS, "password": ""})
    assert keep.headers["Location"] == "/register/review"
    review = client.get("/register/review").get_data(as_text=True)
    assert "Kovács és Társa Autójavító Kft." in review and "+36 1 234 5678" in review
    assert ">Send Registration</button>" in review
    assert review.count(">Edit</a>") == 4


def test_weak_inputs_are_refused_with_a_reason(client):
    walk_to_review(client)
    response = post(client, "access", {**ACCESS, "password": "qwertyuiop123", "phone": "+36 1 23"})
    page = response.get_data(as_text=True)
    assert "most common" in page
    assert "does not exist" in page or "country code" in page
    no_terms = post(client, "access", {k: v for k, v in ACCESS.items() if k != "accept_terms"})
    assert "accept the terms" in no_terms.get_data(as_text=True)


def test_billing_address_only_when_it_differs(client):
    post(client, "type", {"user_type": "WORKSHOP"})
    post(client, "country", {"country": "HU"})
    missing = post(client, "company", {**COMPANY, "billing_differs": "y"})
    assert "Please fill in the billing address" in missing.get_data(as_text=True)


def test_send_from_review_reaches_the_status_page(web, mailbox):
    client = web.test_client()
    walk_to_review(client)
    token = csrf_token(client, "/register/review")
    sent = client.post("/register/review", data={"csrf_token": token})
    assert sent.headers["Location"].startswith("/status/")
    assert mailbox.wait_for("peter@kovacs-auto.hu")
    # The draft is gone: a new registration starts from the first step.
    assert client.get("/register").headers["Location"] == "/register/type"


def test_mismatch_goes_back_to_the_company_step_and_adopts_the_registered_data(web):
    client = web.test_client()
    walk_to_review(client, company_name="Kovacs es Tarsa Kft.", street="Vaci ut 22")
    token = csrf_token(client, "/register/review")
    sent = client.post("/register/review?lang=en", data={"csrf_token": token})
    assert sent.headers["Location"] == "/register/company"
    page = client.get("/register/company?lang=en").get_data(as_text=True)
    assert "Registered in VIES" in page and "Use the registered data" in page
    # VIES's spelling, its differing letters marked.
    assert "Kovács és Társa Autójavító Kft." in re.sub(r"<[^>]+>", "", page)

    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.post("/register/company/adopt", data={"csrf_token": token})
    adopted = client.get("/register/company?lang=en").get_data(as_text=True)
    assert 'value="Kovács és Társa Autójavító Kft."' in adopted
    assert 'value="Váci út 22."' in adopted and 'value="1132"' in adopted
    # With the registered data the registration goes through.
    post(
        client,
        "company",
        {
            **COMPANY,
            **{k: v for k, v in (("company_name", "Kovács és Társa Autójavító Kft."),)},
        },
    )
    post(client, "access", {**ACCESS, "password": ""})
    token = csrf_token(client, "/register/review")
    again = client.post("/register/review", data={"csrf_token": token})
    assert again.headers["Location"].startswith("/status/")


def test_discard_deletes_the_draft(client):
    post(client, "type", {"user_type": "WORKSHOP"})
    token = csrf_token(client, "/register/country")
    client.post("/register/discard", data={"csrf_token": token})
    assert client.get("/register").headers["Location"] == "/register/type"
    assert 'selected value="WORKSHOP"' not in client.get("/register/type").get_data(as_text=True)


def _mismatch_then_adopt(client, country: str, company: dict[str, str]) -> str:  # type: ignore[no-untyped-def]
    post(client, "type", {"user_type": "WORKSHOP"})
    post(client, "country", {"country": country})
    post(client, "company", {**COMPANY, **company})
    post(client, "access", {**ACCESS, "email": f"owner@{country.lower()}.example"})
    token = csrf_token(client, "/register/review")
    sent = client.post("/register/review?lang=en", data={"csrf_token": token})
    assert sent.headers["Location"] == "/register/company"
    page = client.get("/register/company?lang=en").get_data(as_text=True)
    assert "Use the registered data" in page
    client.post("/register/company/adopt", data={"csrf_token": csrf_from(page)})
    return client.get("/register/company?lang=en").get_data(as_text=True)


def _send(client, email: str) -> str:  # type: ignore[no-untyped-def]
    """Step through company and access as filled in, send; the status page's address."""
    page = client.get("/register/company?lang=en").get_data(as_text=True)
    values = dict(re.findall(r'name="(\w+)"[^>]*value="([^"]*)"', page))
    fields = {k: values.get(k, "") for k in COMPANY}
    assert post(client, "company", fields).headers["Location"] == "/register/access"
    assert post(client, "access", {**ACCESS, "password": "", "email": email}).status_code == 302
    token = csrf_token(client, "/register/review")
    return client.post("/register/review", data={"csrf_token": token}).headers["Location"]


def test_irish_applicant_adopts_without_a_postcode_in_vies(web, mailbox):
    client = web.test_client()
    company = {
        "company_name": "Ballymount Motors Limited",
        "street": "Unit 4 Ballymount Road",  # the comma is missing
        "postcode": "D12 X9Y8",
        "city": "Dublin 12",
        "vat_number": "IE9666512W",
    }
    page = _mismatch_then_adopt(client, "IE", company)
    assert 'value="UNIT 4, BALLYMOUNT ROAD"' in page
    assert 'value="D12 X9Y8"' in page  # VIES holds no postcode: the typed one stays
    assert "Your company data do not match" not in page
    assert _send(client, "owner@ie.example").startswith("/status/")
    assert mailbox.wait_for("owner@ie.example")


def test_address_that_cannot_be_split_is_adopted_verbatim(web, mailbox):
    client = web.test_client()
    company = {
        "company_name": "Hal Far Engineering Limited",
        "street": "Hal Far Industrial Estate 1",
        "postcode": "BBG 3000",
        "city": "Birżebbuġa",
        "vat_number": "MT10585238",
    }
    page = _mismatch_then_adopt(client, "MT", company)
    assert 'value="ĦAL FAR ENGINEERING LIMITED"' in page
    assert 'id="adopted-address"' in page and "HAL FAR INDUSTRIAL ESTATE" in page
    assert _send(client, "owner@mt.example").startswith("/status/")
    assert mailbox.wait_for("owner@mt.example")
