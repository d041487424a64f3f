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


def field_labels(_: Callable[[str], str]) -> dict[str, str]:
    """The correctable record fields, as the registration form labels them (the console's
    before/after table); the same msgids, so the same translations."""
    labels = {
        "company_name": _("Company name"),
        "street": _("Street and house number"),
        "postcode": _("Postcode"),
        "city": _("City"),
        "billing_street": _("Billing street and house number"),
        "billing_postcode": _("Billing postcode"),
        "billing_city": _("Billing city"),
        "rep_title": _("Title"),
        "rep_first_name": _("First name"),
        "rep_last_name": _("Last name"),
        "contact_person": _("Contact person"),
        "phone": _("Phone"),
    }
    assert labels.keys() == {f for fields in c.CHANGE_GROUPS.values() for f in fields}
    return labels
