"""The public price list (/prices) and the console page to change prices (/admin/prices)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from babel.numbers import format_currency
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from core.formatting import format_date
from webapp.database import db
from webapp.i18n import current_language
from webapp.pricing import service
from webapp.pricing.forms import PriceForm
from webapp.pricing.products import CATEGORIES, PRODUCTS, product
from webapp.sessions import current, role_required

bp = Blueprint("pricing", __name__)


def money(amount: Decimal, currency: str = "EUR") -> str:
    return format_currency(amount, currency, locale=current_language())


def day(value: date) -> str:
    # „2026. december 4.” / „4 December 2026” (Babel's English "long" is the US order).
    return format_date(value, current_language())


def _by_category(rows: list) -> list[tuple[str, list]]:  # type: ignore[type-arg]
    return [
        (_(label), [(p, price) for p, price in rows if p.category == category])
        for category, label in CATEGORIES.items()
    ]


@bp.get("/prices")
def price_list() -> str:
    on = service.today()
    rows = service.prices_on(db(), on)
    return render_template(
        "pricing/price_list.html",
        on=on,
        groups=_by_category(rows),
        any_example=any(price and price.example for _p, price in rows),
        money=money,
        day=day,
    )


@bp.route("/admin/prices", methods=["GET", "POST"])
@role_required("reviewer")
def console() -> str | Response | tuple[str, int]:
    session = db()
    form = PriceForm()
    if form.validate_on_submit():
        admin = current("admin")
        assert admin is not None
        entry = service.set_price(
            session,
            product=form.product.data,
            amount=form.amount,
            valid_from=form.valid_from.data,
            admin_email=admin.email,
        )
        item = product(entry.product)
        flash(
            _(
                "Price saved: %(product)s, %(price)s from %(date)s.",
                product=item.label(_) if item else entry.product,
                price=money(form.amount),
                date=day(entry.valid_from),
            ),
            "success",
        )
        return redirect(url_for("pricing.console"))
    on = service.today()
    return render_template(
        "pricing/console.html",
        console_account=current("admin"),
        form=form,
        on=on,
        current=dict((p.code, price) for p, price in service.prices_on(session, on)),
        histories=[(p, service.history(session, p.code)) for p in PRODUCTS],
        product_label=lambda p: p.label(_),
        money=money,
        day=day,
    ), (400 if form.errors else 200)
