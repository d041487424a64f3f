"""The registration form: every field of PRODUCT.md steps 3–6, validated on the server."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from vies.vatnumber import EU_COUNTRY_CODES, InvalidVatNumber, normalize_vat
from webapp.countries import country_choices
from workflows.contracts import UserType

MIN_PASSWORD = 12


def user_type_choices() -> list[tuple[str, str]]:
    # The labels are the AOS product names, identical in both languages.
    return [
        (UserType.WORKSHOP.value, "Independent workshop/dealer"),
        (UserType.MOTORCYCLE.value, "Independent Motorcycle workshop/Motorcycle dealers"),
    ]


def _required() -> DataRequired:
    return DataRequired(message=_l("Please fill in this field."))


class RegistrationForm(FlaskForm):
    user_type = SelectField(_l("User type"), choices=user_type_choices, validators=[_required()])
    country = SelectField(_l("Country"), validators=[_required()])
    company_name = StringField(
        _l("Company name"),
        description=_l("With the legal form, exactly as registered for VAT (e.g. Kft., Bt.)"),
        validators=[_required(), Length(max=200)],
    )
    street = StringField(_l("Street and house number"), validators=[_required(), Length(max=200)])
    postcode = StringField(_l("Postcode"), validators=[_required(), Length(max=20)])
    city = StringField(_l("City"), validators=[_required(), Length(max=100)])
    vat_number = StringField(_l("VAT number"), validators=[_required(), Length(max=20)])
    billing_street = StringField(
        _l("Billing street and house number"),
        description=_l("Leave the billing address empty if it is the company address."),
        validators=[Optional(), Length(max=200)],
    )
    billing_postcode = StringField(_l("Billing postcode"), validators=[Optional(), Length(max=20)])
    billing_city = StringField(_l("Billing city"), validators=[Optional(), Length(max=100)])
    rep_title = StringField(_l("Title"), validators=[Optional(), Length(max=40)])
    rep_first_name = StringField(_l("First name"), validators=[_required(), Length(max=100)])
    rep_last_name = StringField(_l("Last name"), validators=[_required(), Length(max=100)])
    contact_person = StringField(_l("Contact person"), validators=[_required(), Length(max=200)])
    phone = StringField(
        _l("Phone"),
        description=_l("With the country code, e.g. +36 1 234 5678"),
        validators=[_required(), Length(max=40)],
    )
    email = EmailField(
        _l("Email"),
        validators=[
            _required(),
            Email(message=_l("Please enter a valid email address."), check_deliverability=False),
            Length(max=254),
        ],
    )
    password = PasswordField(
        _l("Password"),
        description=_l("At least 12 characters."),
        validators=[_required(), Length(max=256)],
    )

    def __init__(self, *args, ui_language: str = "hu", **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.country.choices = country_choices(ui_language)
        if not self.country.data and ui_language == "hu":
            self.country.data = "HU"

    def validate_country(self, field: SelectField) -> None:
        if field.data not in EU_COUNTRY_CODES:
            raise ValidationError(_l("Please choose a country from the list."))

    def validate_vat_number(self, field: StringField) -> None:
        if self.country.data not in EU_COUNTRY_CODES:
            return
        try:
            self.normalized_vat = normalize_vat(self.country.data, field.data or "")
        except InvalidVatNumber as err:
            if err.reason == "checksum":
                raise ValidationError(
                    _l("This VAT number is not valid: its check digit does not fit.")
                ) from err
            raise ValidationError(
                _l("This is not a VAT number of the chosen country. Check the digits.")
            ) from err

    def validate_phone(self, field: StringField) -> None:
        digits = "".join(ch for ch in field.data or "" if ch.isdigit())
        if not (field.data or "").strip().startswith("+") or len(digits) < 8:
            raise ValidationError(
                _l("Please give the phone number with the country code, e.g. +36 1 234 5678.")
            )

    def validate_password(self, field: PasswordField) -> None:
        if len(field.data or "") < MIN_PASSWORD:
            raise ValidationError(_l("The password must be at least 12 characters long."))
