"""The language each member of staff reads: a console account's `language` (default hu,
the portal's own language); an address with no console account (a shared mailbox) reads
Hungarian too."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.models import Account

DEFAULT_STAFF_LANGUAGE = "hu"


def staff_language(session: Session, address: str) -> str:
    language = session.scalar(
        select(Account.language).where(
            func.lower(Account.email) == address.strip().lower(), Account.role == "admin"
        )
    )
    return language if language in ("hu", "en") else DEFAULT_STAFF_LANGUAGE


def by_language(session: Session, addresses: Iterable[str]) -> dict[str, list[str]]:
    """The addresses grouped by the language their owners read."""
    groups: dict[str, list[str]] = {}
    for address in addresses:
        groups.setdefault(staff_language(session, address), []).append(address)
    return groups
