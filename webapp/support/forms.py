"""The support request questionnaires: common fields plus each topic's own questions."""

from __future__ import annotations

import re
from functools import partial

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from webapp.support.topics import CHOICES, HINTS, LABELS
from webapp.text_policy import multi_line, single_line

VIN = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")
MAX_MESSAGE = 5000


def _label(name: str) -> LazyString:
    """The question's label (a msgid of topics.LABELS), translated when the form is shown."""
    return _l(LABELS[name])


def _select(name: str, *validators: object) -> SelectField:
    """A question with fixed answers (topics.CHOICES), shown in the reader's language."""
    return SelectField(
        _label(name), choices=partial(CHOICES[name], gettext), validators=list(validators)
    )


def _question(name: str, *validators: object) -> StringField:
    """One of a topic's own questions: a line of text, its label and hint from topics."""
    hint = _l(HINTS[name]) if name in HINTS else ""
    return StringField(_label(name), description=hint, validators=[*validators, single_line])


def _required() -> DataRequired:
    return DataRequired(message=_l("Please fill in this field."))


class SupportForm(FlaskForm):
    """Common fields. `website` is the honeypot: hidden from people, filled in by bots."""

    TOPIC_FIELDS: tuple[str, ...] = ()

    name = StringField(_label("name"), validators=[_required(), Length(max=200), single_line])
    email = EmailField(
        _label("email"),
        description=_l("We send the confirmation and our answer to this address."),
        validators=[
            _required(),
            Email(message=_l("Please give a valid email address.")),
            Length(max=254),
        ],
    )
    phone = StringField(_label("phone"), validators=[Optional(), Length(max=40), single_line])
    company = StringField(_label("company"), validators=[Optional(), Length(max=200), single_line])
    website = StringField(_l("Leave this field empty"), validators=[Optional()])

    def topic_answers(self) -> list[list[str]]:
        return [[name, (self[name].data or "").strip()] for name in self.TOPIC_FIELDS]


def _message_field() -> TextAreaField:
    return TextAreaField(
        _label("message"),
        description=_l("What did you do, what did you expect, what happened instead?"),
        validators=[_required(), Length(max=MAX_MESSAGE), multi_line],
    )


class RegistrationTopicForm(SupportForm):
    TOPIC_FIELDS = ("vat_number", "registration_reference")
    vat_number = _question("vat_number", _required(), Length(max=20))
    registration_reference = _question("registration_reference", Optional(), Length(max=64))
    message = _message_field()


class LoginTopicForm(SupportForm):
    TOPIC_FIELDS = ("login_email", "login_problem", "error_text")
    login_email = EmailField(
        _label("login_email"),
        validators=[
            _required(),
            Email(message=_l("Please give a valid email address.")),
            Length(max=254),
        ],
    )
    login_problem = _select("login_problem", _required())
    error_text = _question("error_text", Optional(), Length(max=500))
    message = _message_field()


class PricingTopicForm(SupportForm):
    TOPIC_FIELDS = ("product", "invoice_number")
    product = _select("product", Optional())
    invoice_number = _question("invoice_number", Optional(), Length(max=64))
    message = _message_field()


class TechnicalTopicForm(SupportForm):
    TOPIC_FIELDS = ("vehicle_category", "model", "vin", "document")
    vehicle_category = _select("vehicle_category", _required())
    model = _question("model", Optional(), Length(max=100))
    vin = _question("vin", Optional(), Length(max=25))
    document = _question("document", Optional(), Length(max=100))
    message = _message_field()

    def validate_vin(self, field: StringField) -> None:
        field.data = (field.data or "").strip().upper().replace(" ", "")
        if field.data and not VIN.match(field.data):
            raise ValidationError(_l("A VIN has 17 letters and digits (no I, O or Q)."))


class OtherTopicForm(SupportForm):
    TOPIC_FIELDS = ("subject",)
    subject = _question("subject", _required(), Length(max=200))
    message = _message_field()


FORMS: dict[str, type[SupportForm]] = {
    "registration": RegistrationTopicForm,
    "login": LoginTopicForm,
    "pricing": PricingTopicForm,
    "technical": TechnicalTopicForm,
    "other": OtherTopicForm,
}


class FollowUpForm(FlaskForm):
    body = TextAreaField(
        _l("Add information"), validators=[_required(), Length(max=MAX_MESSAGE), multi_line]
    )


class ReplyForm(FlaskForm):
    body = TextAreaField(
        _l("Reply to the requester"),
        validators=[_required(), Length(max=MAX_MESSAGE), multi_line],
    )


class StatusForm(FlaskForm):
    status = SelectField(_l("Status"), validators=[_required()])
