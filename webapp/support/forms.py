"""The support request questionnaires: common fields plus each topic's own questions."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from webapp.support.topics import (
    LABELS,
    login_problem_choices,
    pricing_product_choices,
    vehicle_category_choices,
)

VIN = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")
MAX_MESSAGE = 5000


def _required() -> DataRequired:
    return DataRequired(message=_l("Please fill in this field."))


class SupportForm(FlaskForm):
    """Common fields. `website` is the honeypot: hidden from people, filled in by bots."""

    TOPIC_FIELDS: tuple[str, ...] = ()

    name = StringField(LABELS["name"], validators=[_required(), Length(max=200)])
    email = EmailField(
        LABELS["email"],
        description=_l("We send the confirmation and our answer to this address."),
        validators=[
            _required(),
            Email(message=_l("Please give a valid email address.")),
            Length(max=254),
        ],
    )
    phone = StringField(LABELS["phone"], validators=[Optional(), Length(max=40)])
    company = StringField(LABELS["company"], validators=[Optional(), Length(max=200)])
    website = StringField(_l("Leave this field empty"), validators=[Optional()])

    def topic_answers(self) -> list[list[str]]:
        return [[name, (self[name].data or "").strip()] for name in self.TOPIC_FIELDS]


def _message_field() -> TextAreaField:
    return TextAreaField(
        LABELS["message"],
        description=_l("What did you do, what did you expect, what happened instead?"),
        validators=[_required(), Length(max=MAX_MESSAGE)],
    )


class RegistrationTopicForm(SupportForm):
    TOPIC_FIELDS = ("vat_number", "registration_reference")
    vat_number = StringField(
        LABELS["vat_number"],
        description=_l("With the country code, e.g. HU12345676"),
        validators=[_required(), Length(max=20)],
    )
    registration_reference = StringField(
        LABELS["registration_reference"],
        description=_l(
            "If you have it: the reference shown in the portal, or the date you sent the "
            "registration."
        ),
        validators=[Optional(), Length(max=64)],
    )
    message = _message_field()


class LoginTopicForm(SupportForm):
    TOPIC_FIELDS = ("login_email", "login_problem", "error_text")
    login_email = EmailField(
        LABELS["login_email"],
        validators=[
            _required(),
            Email(message=_l("Please give a valid email address.")),
            Length(max=254),
        ],
    )
    login_problem = SelectField(
        LABELS["login_problem"], choices=login_problem_choices, validators=[_required()]
    )
    error_text = StringField(LABELS["error_text"], validators=[Optional(), Length(max=500)])
    message = _message_field()


class PricingTopicForm(SupportForm):
    TOPIC_FIELDS = ("product", "invoice_number")
    product = SelectField(
        LABELS["product"], choices=pricing_product_choices, validators=[Optional()]
    )
    invoice_number = StringField(
        LABELS["invoice_number"],
        description=_l("If your question is about an invoice."),
        validators=[Optional(), Length(max=64)],
    )
    message = _message_field()


class TechnicalTopicForm(SupportForm):
    TOPIC_FIELDS = ("vehicle_category", "model", "vin", "document")
    vehicle_category = SelectField(
        LABELS["vehicle_category"], choices=vehicle_category_choices, validators=[_required()]
    )
    model = StringField(
        LABELS["model"],
        description=_l("e.g. 3 Series (G20), R 1250 GS"),
        validators=[Optional(), Length(max=100)],
    )
    vin = StringField(
        LABELS["vin"],
        description=_l("17 characters, if the question is about one vehicle."),
        validators=[Optional(), Length(max=25)],
    )
    document = StringField(LABELS["document"], validators=[Optional(), Length(max=100)])
    message = _message_field()

    def validate_vin(self, field: StringField) -> None:
        field.data = (field.data or "").strip().upper().replace(" ", "")
        if field.data and not VIN.match(field.data):
            raise ValidationError(_l("A VIN has 17 letters and digits (no I, O or Q)."))


class OtherTopicForm(SupportForm):
    TOPIC_FIELDS = ("subject",)
    subject = StringField(LABELS["subject"], validators=[_required(), Length(max=200)])
    message = _message_field()


FORMS: dict[str, type[SupportForm]] = {
    "registration": RegistrationTopicForm,
    "login": LoginTopicForm,
    "pricing": PricingTopicForm,
    "technical": TechnicalTopicForm,
    "other": OtherTopicForm,
}


class FollowUpForm(FlaskForm):
    body = TextAreaField(_l("Add information"), validators=[_required(), Length(max=MAX_MESSAGE)])


class ReplyForm(FlaskForm):
    body = TextAreaField(
        _l("Reply to the requester"), validators=[_required(), Length(max=MAX_MESSAGE)]
    )


class StatusForm(FlaskForm):
    status = SelectField(_l("Status"), validators=[_required()])
