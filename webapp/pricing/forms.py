from __future__ import annotations

from decimal import Decimal, InvalidOperation
from functools import partial

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.validators import DataRequired, ValidationError

from webapp.pricing.products import product_choices
from webapp.pricing.service import today

MAX_PRICE = Decimal("100000")


class PriceForm(FlaskForm):
    product = SelectField(
        _l("Access product"),
        choices=partial(product_choices, gettext),
        validators=[DataRequired(message=_l("Please fill in this field."))],
    )
    net_price = StringField(
        _l("Net price (EUR)"),
        description=_l("Without VAT, e.g. 35.00"),
        validators=[DataRequired(message=_l("Please fill in this field."))],
    )
    valid_from = DateField(
        _l("Valid from"),
        description=_l("From this day (Budapest time) on; today or later."),
        validators=[DataRequired(message=_l("Please give a date."))],
    )

    def validate_net_price(self, field: StringField) -> None:
        text = (field.data or "").strip().replace(" ", "").replace(",", ".")
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise ValidationError(_l("Please give an amount such as 35.00.")) from None
        if not amount.is_finite() or amount <= 0 or amount > MAX_PRICE:
            raise ValidationError(_l("Please give an amount above 0 and up to 100000."))
        if amount != amount.quantize(Decimal("0.01")):
            raise ValidationError(_l("Please give at most two decimal places."))
        self.amount = amount

    def validate_valid_from(self, field: DateField) -> None:
        if field.data and field.data < today():
            raise ValidationError(
                _l("A price cannot start in the past: the history of charged prices is kept.")
            )
