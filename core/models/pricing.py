"""Price history: a row per change; the price in force on a day is the product's latest
row whose valid-from date has come. Rows are never updated or deleted."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base
from core.models.records import utcnow


class PriceEntry(Base):
    __tablename__ = "prices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product: Mapped[str] = mapped_column(String(20))  # webapp.pricing.products code
    net_cents: Mapped[int] = mapped_column(Integer)  # net, in euro cents
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    valid_from: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(254))

    __table_args__ = (Index("ix_prices_product_valid_from", "product", "valid_from"),)
