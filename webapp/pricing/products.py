"""The access products: time-based access per vehicle category.

Cars (Regulation (EU) 2018/858, Art. 61–63): one hour, one day, one week, one month, one
year. Motorcycles (Regulation (EU) No 168/2013, Art. 57–59): one day, one month, one year.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

CATEGORIES = {
    "car": _l("Cars (BMW, MINI)"),
    "motorcycle": _l("Motorcycles (BMW Motorrad)"),
}

DURATIONS = {
    "hour": _l("One hour"),
    "day": _l("One day"),
    "week": _l("One week"),
    "month": _l("One month"),
    "year": _l("One year"),
}


@dataclass(frozen=True)
class Product:
    code: str  # "<category>-<duration>", e.g. "car-hour"
    category: str
    duration: str

    @property
    def category_label(self) -> str:
        return str(CATEGORIES[self.category])

    @property
    def duration_label(self) -> str:
        return str(DURATIONS[self.duration])

    @property
    def label(self) -> str:
        return f"{self.category_label}: {self.duration_label}"


PRODUCTS: tuple[Product, ...] = tuple(
    Product(f"{category}-{duration}", category, duration)
    for category, durations in (
        ("car", ("hour", "day", "week", "month", "year")),
        ("motorcycle", ("day", "month", "year")),
    )
    for duration in durations
)
PRODUCT_CODES = frozenset(p.code for p in PRODUCTS)


def product(code: str) -> Product | None:
    return next((p for p in PRODUCTS if p.code == code), None)


def product_choices() -> list[tuple[str, str]]:
    return [(p.code, p.label) for p in PRODUCTS]
