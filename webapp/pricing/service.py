"""Which price is in force on a day, and the history behind it.

The sample prices (sample_prices.json, marked as examples) are the first entry of every
product's history; an administrator's price valid from the same day or later supersedes it.
Among entries with the same valid-from date the one entered last wins.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.formatting import PORTAL_TZ
from core.models import AuditEntry, PriceEntry
from webapp.pricing.products import PRODUCTS, Product

SAMPLE_FILE = Path(__file__).with_name("sample_prices.json")


@dataclass(frozen=True)
class Price:
    product: str
    net_cents: int
    currency: str
    valid_from: date
    example: bool
    created_by: str = ""
    entry_id: int = 0  # 0 for the shipped sample

    @property
    def net(self) -> Decimal:
        return Decimal(self.net_cents) / 100


def today() -> date:
    """Today in Budapest: a price valid from a date applies from that local midnight."""
    return datetime.now(PORTAL_TZ).date()


def to_cents(amount: str | Decimal) -> int:
    return int((Decimal(amount) * 100).to_integral_value())


@cache
def sample_prices() -> dict[str, Price]:
    data = json.loads(SAMPLE_FILE.read_text(encoding="utf-8"))
    valid_from = date.fromisoformat(data["valid_from"])
    return {
        code: Price(code, to_cents(amount), data["currency"], valid_from, bool(data["example"]))
        for code, amount in data["prices"].items()
    }


def _from_entry(entry: PriceEntry) -> Price:
    return Price(
        entry.product,
        entry.net_cents,
        entry.currency,
        entry.valid_from,
        example=False,
        created_by=entry.created_by,
        entry_id=entry.id,
    )


def history(session: Session, product: str) -> list[Price]:
    """Every price of a product, the shipped sample first, then in order of validity."""
    entries = session.scalars(
        select(PriceEntry)
        .where(PriceEntry.product == product)
        .order_by(PriceEntry.valid_from, PriceEntry.id)
    ).all()
    sample = sample_prices().get(product)
    return ([sample] if sample else []) + [_from_entry(e) for e in entries]


def price_on(session: Session, product: str, on: date) -> Price | None:
    in_force = [p for p in history(session, product) if p.valid_from <= on]
    # Stable sort: for the same date the later entry (and any entry over the sample) wins.
    return sorted(in_force, key=lambda p: p.valid_from)[-1] if in_force else None


def prices_on(session: Session, on: date) -> list[tuple[Product, Price | None]]:
    return [(p, price_on(session, p.code, on)) for p in PRODUCTS]


def add_price(
    session: Session, *, product: str, net_cents: int, valid_from: date, created_by: str
) -> PriceEntry:
    entry = PriceEntry(
        product=product, net_cents=net_cents, valid_from=valid_from, created_by=created_by
    )
    session.add(entry)
    return entry


def set_price(
    session: Session, *, product: str, amount: str | Decimal, valid_from: date, admin_email: str
) -> PriceEntry:
    """A reviewer's new net price (EUR) from a day on: stored, audited, committed."""
    entry = add_price(
        session,
        product=product,
        net_cents=to_cents(amount),
        valid_from=valid_from,
        created_by=admin_email,
    )
    session.add(
        AuditEntry(
            actor=admin_email,
            action="price_set",
            detail=f"{entry.product}: {amount} EUR net from {entry.valid_from}",
        )
    )
    session.commit()
    return entry
