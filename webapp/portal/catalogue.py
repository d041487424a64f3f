"""Technical information: the catalogue of documents and who may open what.

The account's user type decides its scope (PRODUCT.md step 3): a workshop/dealer sees cars
and motorcycles, a motorcycle workshop/dealer only motorcycles. Every route checks it here,
on the server; the templates only show what these functions return.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from flask_babel import lazy_gettext as _l

from core.models import Account
from webapp.pricing.products import CATEGORIES

CATALOGUE_FILE = Path(__file__).with_name("catalogue.json")

SCOPES: dict[str, tuple[str, ...]] = {
    "WORKSHOP": ("car", "motorcycle"),
    "MOTORCYCLE": ("motorcycle",),
}

CATEGORY_LABELS = CATEGORIES  # the same vehicle categories as the price list

DOC_TYPES = {
    "repair": _l("Repair instructions"),
    "maintenance": _l("Maintenance and service"),
    "wiring": _l("Wiring diagrams"),
    "bulletin": _l("Technical bulletin"),
    "safety": _l("Safety instructions"),
}


@dataclass(frozen=True)
class Entry:
    id: str
    category: str
    brand: str
    model: str
    doc_type: str
    updated: str
    title: dict[str, str]
    summary: dict[str, str]
    body: dict[str, list[str]]

    def text(self, field: str, lang: str) -> str | list[str]:
        values = getattr(self, field)
        return values.get(lang) or values["en"]

    @property
    def doc_type_label(self) -> str:
        return str(DOC_TYPES.get(self.doc_type, self.doc_type))


@cache
def entries() -> tuple[Entry, ...]:
    data = json.loads(CATALOGUE_FILE.read_text(encoding="utf-8"))
    return tuple(Entry(**item) for item in data["entries"])


def scope(account: Account) -> tuple[str, ...]:
    """The vehicle categories the account may see; none for an unknown user type."""
    return SCOPES.get(account.user_type or "", ())


def may_see(account: Account, category: str) -> bool:
    return category in scope(account)


def visible_entries(account: Account, category: str | None = None) -> list[Entry]:
    allowed = scope(account)
    return [
        e
        for e in entries()
        if e.category in allowed and (category is None or e.category == category)
    ]


def find(entry_id: str) -> Entry | None:
    return next((e for e in entries() if e.id == entry_id), None)
