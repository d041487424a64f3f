"""MNB's rate in force on a day, stored per day (the `exchange_rates` table).

The rule (Áfa tv. 80. § (1)): a foreign-currency amount is converted at MNB's official rate
in force on the day the VAT falls due, here the fulfilment date. MNB publishes on working
days only; on a weekend or holiday the rate in force is the last one published before it.
So the rate of a day is the newest publication on or before it.

A day is stored once its rate is final: a day MNB published for, or any past day (nothing
can be published for it any more). Today without a publication yet (MNB publishes around
noon) uses yesterday's and is asked again next time. A stored day needs no call to MNB, so
an invoice is issued while MNB is down whenever its day has been seen before.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from core.formatting import PORTAL_TZ
from core.models import ExchangeRate
from invoicing.mnb import MnbClient, MnbUnavailable, PublishedRate

# How far back a publication is looked for: longer than any run of Hungarian holidays.
LOOKBACK = timedelta(days=14)


class NoRatePublished(MnbUnavailable):
    """MNB published no rate for the currency in the days before the date."""


@dataclass(frozen=True)
class DayRate:
    currency: str
    day: date  # the day asked for (the fulfilment date)
    rate: Decimal  # HUF per `unit`
    unit: int
    published_on: date  # the publication the rate is from: printed as "the rate's date"


def budapest_today() -> date:
    return datetime.now(PORTAL_TZ).date()


class ExchangeRates:
    def __init__(
        self,
        sessions: sessionmaker,
        client: MnbClient,
        today: Callable[[], date] = budapest_today,
    ) -> None:
        self.sessions = sessions
        self.client = client
        self.today = today

    def rate_on(self, currency: str, day: date) -> DayRate:
        """MNB's `currency` rate in force on `day`; MnbUnavailable when it is not stored and
        MNB does not answer (the caller retries later)."""
        with self.sessions() as session:
            stored = session.get(ExchangeRate, (currency, day))
            if stored is not None:
                return _day_rate(stored)
        published = self.client.exchange_rates(currency, day - LOOKBACK, day)
        mine = [p for p in published if p.currency == currency and p.day <= day]
        if not mine:
            raise NoRatePublished(f"MNB published no {currency} rate from {day - LOOKBACK}")
        last = mine[-1]
        self._store(_every_day(mine, day, final=last.day == day or day < self.today()))
        return DayRate(currency, day, last.rate, last.unit, last.day)

    def _store(self, rows: list[ExchangeRate]) -> None:
        """Keep the rows not stored yet; a concurrent lookup may store the same day first."""
        with self.sessions() as session:
            for row in rows:
                if session.get(ExchangeRate, (row.currency, row.day)) is not None:
                    continue
                session.add(row)
                try:
                    session.commit()
                except IntegrityError:
                    session.rollback()

    def stored(self, currency: str) -> list[DayRate]:
        with self.sessions() as session:
            rows = session.scalars(
                select(ExchangeRate)
                .where(ExchangeRate.currency == currency)
                .order_by(ExchangeRate.day)
            )
            return [_day_rate(r) for r in rows]


def _every_day(published: list[PublishedRate], day: date, final: bool) -> list[ExchangeRate]:
    """A row for each day from the first publication to `day` (itself only when final),
    each with the newest publication on or before it."""
    rows, current, index = [], published[0].day, 0
    while current < day or (current == day and final):
        while index + 1 < len(published) and published[index + 1].day <= current:
            index += 1
        rows.append(_row(current, published[index]))
        current += timedelta(days=1)
    return rows


def _row(day: date, published: PublishedRate) -> ExchangeRate:
    return ExchangeRate(
        currency=published.currency,
        day=day,
        rate=str(published.rate),
        unit=published.unit,
        published_on=published.day,
    )


def _day_rate(row: ExchangeRate) -> DayRate:
    return DayRate(row.currency, row.day, Decimal(row.rate), row.unit, row.published_on)
