"""Issue 24 finding 7: one text-input policy for every free-text field (webapp/text_policy.py).
Lines refuse line breaks; every field refuses invisible and bidi control characters, naming
the character and where it stands, in Hungarian and English; the console shows a requester's
address as text, or as a mailto: link without parameters."""

from __future__ import annotations

import html
import re

import pytest
from werkzeug.datastructures import MultiDict

from tests.webapp.test_portal import console_client
from tests.webapp.test_support import requests_in, send
from tests.webapp.test_wizard import COMPANY, post
from webapp.registration.forms import correction_form
from webapp.text_policy import problem

# The characters of the issue, and their relatives.
INVISIBLE = [
    "\u202a", "\u202b", "\u202c", "\u202d", "\u202e",  # embeddings and overrides
    "\u2066", "\u2067", "\u2068", "\u2069",  # isolates
    "\u200e", "\u200f", "\u061c",  # LRM, RLM, ALM
    "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad",  # ZWSP ZWNJ ZWJ WJ BOM SHY
    "\u3164", "\u115f", "\uffa0", "\u2800", "\U000e0041",  # fillers, braille blank, a tag
]  # fmt: skip
HELP = {"name": "Nagy Anna", "email": "anna@example.hu", "message": "Help", "website": ""}
SNEAKY = "x?bcc=attacker%40evil.example&body=x&a=@example.com"


@pytest.mark.parametrize("char", INVISIBLE)
def test_a_line_refuses_each_invisible_character_and_says_where(char: str) -> None:
    found = problem(f"Kft{char}.")
    assert found is not None and (found.position, found.char) == (4, char)


@pytest.mark.parametrize(
    "text", ["Kovács és Társa Kft.", "Łódź", "ΑΘΗΝΑ", "гр.СОФИЯ", "O'Neil & Co"]
)
def test_ordinary_names_pass(text: str) -> None:
    assert problem(text) is None


def test_a_text_keeps_line_breaks_and_joiners_but_no_bidi_controls() -> None:
    assert problem("Hello,\r\nmy 👩\u200d🔧 says\tno.", multi_line=True) is None
    assert problem("Hello,\r\nmy", multi_line=False).line_break  # type: ignore[union-attr]
    assert problem("line one\n\u202eenil", multi_line=True).position == 10  # type: ignore[union-attr]


@pytest.mark.parametrize("field", ["name", "company", "phone", "subject"])
def test_help_form_lines_refuse_crlf(client, field: str) -> None:  # type: ignore[no-untyped-def]
    forged = "Nagy Anna\r\nBcc: attacker@evil.example"
    answer = send(client, "other", **{**HELP, "subject": "Login", field: forged})
    assert answer.status_code == 400
    page = html.unescape(answer.get_data(as_text=True))
    assert "Please write this on a single line: character 10 is a line break." in page
    assert "attacker@evil.example" in page  # what was typed is kept
    assert requests_in(client.application) == []


def test_help_form_refuses_a_bidi_override_in_hungarian_and_english(client) -> None:  # type: ignore[no-untyped-def]
    fields = {**HELP, "subject": "Login", "company": "Kft\u202e.tfK"}
    english = html.unescape(send(client, "other", **fields).get_data(as_text=True))
    assert "Character 4, U+202E (RIGHT-TO-LEFT OVERRIDE), is invisible" in english
    hungarian = html.unescape(send(client, "other", lang="hu", **fields).get_data(as_text=True))
    assert "A szöveg 4. karaktere (U+202E, RIGHT-TO-LEFT OVERRIDE) láthatatlan" in hungarian
    message = {**HELP, "subject": "Login", "message": "Hi\n\u2067there"}
    assert send(client, "other", **message).status_code == 400
    assert requests_in(client.application) == []


@pytest.mark.parametrize(
    "char", ["\u200f", "\u061c", "\u200b", "\ufeff", "\u2060", "\u00ad", "\u3164"]
)
def test_the_wizard_refuses_invisible_characters_in_the_company_name(client, char: str) -> None:  # type: ignore[no-untyped-def]
    post(client, "type", {"user_type": "WORKSHOP"})
    post(client, "country", {"country": "HU"})
    answer = post(client, "company", {**COMPANY, "company_name": f"Kovács{char} Kft."})
    assert answer.status_code == 200  # the step again, not on to the next one
    page = html.unescape(answer.get_data(as_text=True))
    assert f"Character 7, U+{ord(char):04X}" in page


def test_the_correction_page_uses_the_same_policy(app) -> None:  # type: ignore[no-untyped-def]
    data = MultiDict({"company_name": "Kovács\u202e Kft.", "city": "Buda\r\npest"})
    with app.test_request_context("/?lang=en"):
        form = correction_form(["company_name", "city"], formdata=data, meta={"csrf": False})
        assert not form.validate()
        assert "U+202E" in form.company_name.errors[0]
        assert "line break" in form.city.errors[0]


def test_the_console_shows_a_parameterised_address_as_text(client) -> None:  # type: ignore[no-untyped-def]
    assert send(client, "other", **{**HELP, "subject": "Login", "email": SNEAKY}).status_code == 302
    [request] = requests_in(client.application)
    agent = console_client(client.application, "agent@aos.test", roles="support")
    page = agent.get(f"/admin/support/{request.reference}?lang=en").get_data(as_text=True)
    links = re.findall(r'href="(mailto:[^"]*)"', page)
    assert not [link for link in links if "?" in html.unescape(link) or "bcc" in link]
    assert SNEAKY in html.unescape(page)  # shown, as plain text


def test_the_console_links_a_plain_address(client) -> None:  # type: ignore[no-untyped-def]
    assert send(client, "other", **{**HELP, "subject": "Login"}).status_code == 302
    [request] = requests_in(client.application)
    agent = console_client(client.application, "agent@aos.test", roles="support")
    page = agent.get(f"/admin/support/{request.reference}?lang=en").get_data(as_text=True)
    assert '<a href="mailto:anna@example.hu">anna@example.hu</a>' in page


def test_a_request_for_changes_refuses_a_bidi_override_in_its_message(web, mailbox) -> None:  # type: ignore[no-untyped-def]
    from tests.webapp.test_admin_changes import _ask, _page, _reviewer
    from tests.webapp.test_admin_decisions import in_review

    reg = in_review(web, mailbox)
    admin = _reviewer(web)
    answer = _ask(admin, reg.id, ["phone"], "Please call \u202eus back", _page(admin, reg.id))
    assert answer.status_code == 400
    assert "Character 13, U+202E (RIGHT-TO-LEFT OVERRIDE)" in html.unescape(
        answer.get_data(as_text=True)
    )
    assert web.extensions["aos_temporal"].status(reg.id).changes is None
