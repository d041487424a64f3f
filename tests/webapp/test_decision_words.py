"""The words of a review's answers without Flask-Babel (issue 15): the decision code takes a
gettext, the applicant's reason is written in the registration's language from the catalog,
and a request for changes is checked before it may reach the workflow."""

from __future__ import annotations

import ast
from pathlib import Path

from core.emails import translations
from webapp.admin import decisions
from webapp.admin.decisions import (
    REJECTION_CODES,
    changes_problems,
    compose_reason,
    rejection_reasons,
)
from workflows import contracts as c


def test_the_decision_code_imports_no_flask() -> None:
    tree = ast.parse(Path(decisions.__file__).read_text())
    imported = [
        node.module or ""
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and not node.level
    ] + [
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    ]
    assert [m for m in imported if m.split(".")[0] == "flask" or m.startswith("flask_")] == []


def test_the_reason_is_written_in_the_registrations_language() -> None:
    assert compose_reason("duplicate", "", "hu") == "A cég már rendelkezik AOS-fiókkal."
    assert compose_reason("duplicate", "  See BMW's list. ", "en") == (
        "The company already has an AOS account.\nSee BMW's list."
    )
    assert compose_reason(None, "Only free text", "hu") == "Only free text"
    assert compose_reason("no_such_code", "", "en") == ""


def test_the_reasons_are_plain_msgids_in_the_words_given() -> None:
    english = rejection_reasons(str)
    hungarian = rejection_reasons(translations("hu").gettext)
    assert tuple(english) == tuple(hungarian) == REJECTION_CODES
    # Every reason has its Hungarian words in the catalog.
    assert all(hungarian[code] != english[code] for code in REJECTION_CODES)


def test_a_request_for_changes_is_checked_before_the_workflow() -> None:
    hu = translations("hu").gettext
    assert changes_problems(["phone"], "Please check.", str) == {}
    assert set(changes_problems([], "", str)) == {"groups", "message"}
    assert changes_problems(["phone", "vat_number"], "x", str) == {
        "groups": "Tick only the parts offered in the list."
    }
    assert changes_problems(["phone"], " \n ", hu) == {
        "message": "Írja meg a jelentkezőnek, mit és miért kell módosítania."
    }
    too_long = "x" * (decisions.CHANGES_MESSAGE_MAX + 1)
    assert "2000" in changes_problems(list(c.CHANGE_GROUPS), too_long, str)["message"]
