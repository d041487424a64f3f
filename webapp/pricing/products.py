"""The access products: time-based access per vehicle category.

Cars (Regulation (EU) 2018/858, Art. 61–63): one hour, one day, one week, one month, one
year. Motorcycles (Regulation (EU) No 168/2013, Art. 57–59): one day, one month, one year.
"""

from __future__ import annotations

from dataclasses import dataclass

from webapp.msgid import N_, Translate

CATEGORIES = {
    "car": N_("Cars (BMW, MINI)"),
    "motorcycle": N_("Motorcycles (BMW Motorrad)"),
}

DURATIONS = {
    "hour": N_("One hour"),
    "day": N_("One day"),
    "week": N_("One week"),
    "month": N_("One month"),
    "year": N_("One year"),
}


@dataclass(frozen=True)
class Product:
    code: str  # "<category>-<duration>", e.g. "car-hour"
    category: str
    duration: str

    @property
    def duration_label(self) -> str:
        """A msgid: the template translates it."""
        return DURATIONS[self.duration]

    def label(self, translate: Translate) -> str:
        """E.g. "Cars (BMW, MINI): One hour", in the language of `translate`."""
        return f"{translate(CATEGORIES[self.category])}: {translate(self.duration_label)}"


PRODUCTS: tuple[Product, ...] = tuple(
    Product(f"{category}-{duration}", category, duration)
    for category, durations in (
        ("car", ("hour", "day", "week", "month", "year")),
        ("motorcycle", ("day", "month", "year")),
    )
    for duration in durations
)


def product(code: str) -> Product | None:
    return next((p for p in PRODUCTS if p.code == code), None)


def product_choices(translate: Translate) -> list[tuple[str, str]]:
    return [(p.code, p.label(translate)) for p in PRODUCTS]
