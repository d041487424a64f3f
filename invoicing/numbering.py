"""Gap-free invoice numbers: one sequence per series and year, `AOS-2026-000001`.

The number is taken in the transaction that inserts the invoice, under a lock that lasts
until it commits: a rolled-back issue gives its number back (no gap), and two concurrent
issues cannot read the same last number (no repeat).

- PostgreSQL: the counter row is created if missing (`INSERT … ON CONFLICT DO NOTHING`),
  then locked with `SELECT … FOR UPDATE`; a second issuer waits on that row until the first
  commits or rolls back, then reads the new value.
- SQLite: the first statement is a write (that same insert), which makes the transaction
  take SQLite's one write lock at once (the driver opens a deferred transaction before a
  write); every other writer waits for it (the engine's busy timeout) before it reads.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from core.models import InvoiceCounter

DIGITS = 6


def format_number(series: str, year: int, sequence: int) -> str:
    return f"{series}-{year}-{sequence:0{DIGITS}d}"


def allocate(session: Session, series: str, year: int) -> int:
    """The next number of `series` in `year`, held by the session's open transaction."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(
        insert(InvoiceCounter)
        .values(series=series, year=year, last_number=0)
        .on_conflict_do_nothing(index_elements=["series", "year"])
    )
    counter = session.execute(
        select(InvoiceCounter)
        .where(InvoiceCounter.series == series, InvoiceCounter.year == year)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    counter.last_number += 1
    session.flush()
    return counter.last_number
