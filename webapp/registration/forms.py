"""The registration's fields, one form per wizard step, validated on the server.

RegistrationForm is all steps at once (the one-page form, and the final re-check of a
wizard's draft), so every rule lives in exactly one place.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from core.phones import InvalidPhone, normalize_phone
from core.postcodes import InvalidPostcode, normalize_postcode
from vies.vatnumber import (
    EU_COUNTRY_CODES,
    VAT_SHAPES,
    InvalidVatNumber,
    normalize_vat,
    vies_country_code,
)
from webapp.countries import country_choices
from webapp.input_filter import single_line
from webapp.password_policy import check_new_password
from workflows import contracts as c
from workflows.contracts import USER_TYPE_LABELS


def _required() -> DataRequired:
    return DataRequired(message=_l("Please fill in this field."))


# What each user type gives, shown beside its English name (the seed's guide quotes the
# English names, so they stay as they are; the explanation is in the page's language).
USER_TYPE_EXPLANATIONS = {
    c.UserType.WORKSHOP.value: _l(
        "Independent workshop or dealer: BMW and MINI cars and BMW Motorrad motorcycles."
    ),
    c.UserType.MOTORCYCLE.value: _l(
        "Independent motorcycle workshop or dealer: BMW Motorrad motorcycles only."
    ),
}


class UserTypeStep(FlaskForm):
    # Two radio buttons (both choices in view at once), with the English names of the seed.
    user_type = RadioField(
        _l("User type"),
        choices=lambda: list(USER_TYPE_LABELS.items()),
        validate_choice=False,  # checked below, with a message a person understands
    )

    def validate_user_type(self, field: RadioField) -> None:
        if field.data not in USER_TYPE_LABELS:
            raise ValidationError(_l("Please choose a user type."))


class CountryStep(FlaskForm):
    country = SelectField(_l("Country"), validators=[_required()])

    def __init__(self, *args, ui_language: str = "hu", **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.country.choices = country_choices(ui_language)
        if not self.country.data and ui_language == "hu":
            self.country.data = "HU"

    def validate_country(self, field: SelectField) -> None:
        if field.data not in EU_COUNTRY_CODES:
            raise ValidationError(_l("Please choose a country from the list."))


class CompanyStep(FlaskForm):
    company_name = StringField(
        _l("Company name"),
        description=_l("With the legal form, exactly as registered for VAT (e.g. Kft., Bt.)"),
        validators=[_required(), Length(max=200), single_line],
    )
    street = StringField(
        _l("Street and house number"), validators=[_required(), Length(max=200), single_line]
    )
    postcode = StringField(_l("Postcode"), validators=[_required(), Length(max=20), single_line])
    city = StringField(_l("City"), validators=[_required(), Length(max=100), single_line])
    vat_number = StringField(_l("VAT number"), validators=[_required(), Length(max=20)])
    billing_differs = BooleanField(_l("The billing address is different"))
    # No Optional() here: it would stop the check that they are filled in when ticked.
    billing_street = StringField(
        _l("Billing street and house number"), [Length(max=200), single_line]
    )
    billing_postcode = StringField(_l("Billing postcode"), [Length(max=20), single_line])
    billing_city = StringField(_l("Billing city"), [Length(max=100), single_line])
    rep_title = StringField(
        _l("Title"),
        description=_l("Optional, e.g. Dr."),
        validators=[Optional(), Length(max=40), single_line],
    )
    rep_first_name = StringField(
        _l("First name"), validators=[_required(), Length(max=100), single_line]
    )
    rep_last_name = StringField(
        _l("Last name"), validators=[_required(), Length(max=100), single_line]
    )

    # The country is chosen on an earlier step; the wizard sets it here.
    country_code: str | None = None
    normalized_vat: str = ""

    def _country(self) -> str | None:
        country = getattr(self, "country", None)
        return country.data if country is not None else self.country_code

    @property
    def vat_prefix(self) -> str:
        country = self._country()
        return vies_country_code(country) if country in EU_COUNTRY_CODES else ""

    def validate_vat_number(self, field: StringField) -> None:
        country = self._country()
        if country not in EU_COUNTRY_CODES:
            return
        try:
            self.normalized_vat = normalize_vat(country, field.data or "")
        except InvalidVatNumber as err:
            if err.reason == "checksum":
                raise ValidationError(
                    _l(
                        "This VAT number is not valid: its check digit does not fit. "
                        "Please check the digits against your VAT registration."
                    )
                ) from err
            if country == "HU":
                raise ValidationError(
                    _l(
                        "Please type the 8 digits of the EU VAT number (e.g. 12345676) "
                        "or the 11-digit Hungarian tax number (e.g. 12345676-2-41)."
                    )
                ) from err
            raise ValidationError(
                _l(
                    "This is not a VAT number of the chosen country. Please type it without "
                    "the prefix %(prefix)s, in the form %(example)s.",
                    prefix=self.vat_prefix,
                    example=VAT_SHAPES.get(country, ""),
                )
            ) from err

    def _postcode(self, field: StringField) -> None:
        country = self._country()
        if not (field.data or "").strip() or country not in EU_COUNTRY_CODES:
            return
        try:
            field.data = normalize_postcode(country, field.data)
        except InvalidPostcode as err:
            raise ValidationError(
                _l("Please type the postcode in the form %(example)s.", example=err.example)
            ) from err

    validate_postcode = _postcode

    def _billing_required(self, field: StringField) -> None:
        if self.billing_differs.data and not (field.data or "").strip():
            raise ValidationError(_l("Please fill in the billing address, or untick the box."))

    def validate_billing_postcode(self, field: StringField) -> None:
        self._billing_required(field)
        if self.billing_differs.data:
            self._postcode(field)

    validate_billing_street = _billing_required
    validate_billing_city = _billing_required


class AccessStep(FlaskForm):
    # One field, shown as typed (docs/hu-style.md, Contact person): the hint asks for the
    # order of the page's language.
    contact_person = StringField(
        _l("Contact person"),
        description=_l("First and last name, e.g. Jane Smith"),
        validators=[_required(), Length(max=200), single_line],
    )
    email = EmailField(
        _l("Email"),
        validators=[
            _required(),
            Email(message=_l("Please enter a valid email address."), check_deliverability=False),
            Length(max=254),
        ],
    )
    phone = StringField(
        _l("Phone"),
        description=_l("With the country code, e.g. +36 30 123 4567, or as dialled in the country"),
        validators=[_required(), Length(max=40)],
    )
    password = PasswordField(
        _l("Password"),
        description=_l("At least 12 characters. A long phrase is best; no special rules."),
    )
    accept_terms = BooleanField(
        _l("I accept the terms of use of the AOS portal"),
        validators=[DataRequired(message=_l("Please accept the terms of use to register."))],
    )

    normalized_phone: str = ""
    # The country chosen on an earlier step (the wizard, the correction page set it).
    country_code: str | None = None
    # The wizard already holds this applicant's password hash: an empty field keeps it.
    keep_password: bool = False

    def validate_phone(self, field: StringField) -> None:
        """National form („06 30 123 4567”) is read with the chosen country (core.phones)."""
        country = getattr(self, "country", None)
        region = country.data if country is not None else self.country_code
        try:
            self.normalized_phone = normalize_phone(field.data or "", region)
        except InvalidPhone as err:
            if not err.national:
                raise ValidationError(
                    _l("Please give the phone number with the country code, e.g. +36 1 234 5678.")
                ) from err
            raise ValidationError(
                _l(
                    "Please type the phone number as you dial it in the country, e.g. "
                    "%(national)s, or with the country code, e.g. %(international)s.",
                    national=err.national,
                    international=err.international,
                )
            ) from err

    def validate_password(self, field: PasswordField) -> None:
        password = field.data or ""
        if not password and self.keep_password:
            return
        if not password:
            raise ValidationError(_l("Please fill in this field."))
        problem = check_new_password(password)
        if problem:
            raise ValidationError(problem)


class RegistrationForm(UserTypeStep, CountryStep, CompanyStep, AccessStep):
    """Every step at once."""


# The registration form's own fields and rules, for the correction page of "Ask for
# changes": each correctable record field is the one the registration form defines.
_CORRECTABLE = {
    name: getattr(step, name)
    for step, names in (
        (
            CompanyStep,
            (
                "company_name street postcode city billing_street billing_postcode "
                "billing_city rep_title rep_first_name rep_last_name"
            ).split(),
        ),
        (AccessStep, ("contact_person", "phone")),
    )
    for name in names
}


class CorrectionForm(FlaskForm):
    """The correction page: only the fields of the ticked groups (correction_form adds
    them). A billing address asked for is a separate one, so all of it is needed."""

    normalized_phone: str = ""
    country_code: str | None = None
    validate_phone = AccessStep.validate_phone
    _country = CompanyStep._country
    _postcode = CompanyStep._postcode
    validate_postcode = CompanyStep._postcode

    def _billing_required(self, field: StringField) -> None:
        if not (field.data or "").strip():
            raise ValidationError(_l("Please fill in this field."))

    def validate_billing_postcode(self, field: StringField) -> None:
        self._billing_required(field)
        self._postcode(field)

    validate_billing_street = _billing_required
    validate_billing_city = _billing_required

    @property
    def values(self) -> dict[str, str]:
        """The typed values of the shown fields, trimmed; the phone number as normalised."""
        values = {name: (self[name].data or "").strip() for name in self._fields}
        values.pop("csrf_token", None)
        if "phone" in values and self.normalized_phone:
            values["phone"] = self.normalized_phone
        return values


def correction_form(fields: list[str], **kwargs: object) -> CorrectionForm:
    """A CorrectionForm with the named record fields, in the registration form's order."""
    unknown = set(fields) - _CORRECTABLE.keys()
    if unknown:
        raise ValueError(f"not correctable: {sorted(unknown)}")
    cls = type("CorrectionForm", (CorrectionForm,), {name: _CORRECTABLE[name] for name in fields})
    return cls(**kwargs)
