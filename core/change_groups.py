"""The words for contracts.CHANGE_GROUPS, for the console, the correction page and the
emails alike: `_` is the caller's gettext (Flask-Babel's on pages, the catalog's own in
emails), so one list serves both and pybabel still finds the strings."""

from __future__ import annotations

from collections.abc import Callable

from workflows import contracts as c


def change_group_labels(_: Callable[[str], str]) -> dict[str, str]:
    labels = {
        "company_name": _("Company name"),
        "address": _("Address"),
        "billing": _("Billing address"),
        "representative": _("Legal representative"),
        "contact_person": _("Contact person"),
        "phone": _("Phone"),
    }
    assert labels.keys() == c.CHANGE_GROUPS.keys()
    return labels
