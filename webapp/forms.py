"""The forms more than one feature shows, so that no feature package imports another's
forms: the new password (the reset link's page in webapp/auth/reset.py, the Account page's
change of password in webapp/portal/forms.py) and the second factor's code (the console's and
the applicant's login)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from webapp.password_policy import check_new_password


def required() -> DataRequired:
    return DataRequired(message=_l("Please fill in this field."))


def validate_new_password(_form: FlaskForm, field: PasswordField) -> None:
    """The registration's password rules (webapp.password_policy)."""
    problem = check_new_password(field.data or "")
    if problem:
        raise ValidationError(problem)


class NewPasswordForm(FlaskForm):
    new_password = PasswordField(
        _l("New password"),
        description=_l("At least 12 characters."),
        validators=[required(), validate_new_password],
    )
    confirm_password = PasswordField(
        _l("New password again"),
        validators=[
            required(),
            EqualTo("new_password", message=_l("The two passwords are not the same.")),
        ],
    )


def optional_code() -> StringField:
    """The authenticator code beside a password that confirms a sensitive action: asked
    for (and checked) only when two-step login is on, so it is optional for the form."""
    return StringField(
        _l("Code from your authenticator app"),
        description=_l("Only when two-step login is on."),
        validators=[Length(max=12)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )


class CodeForm(FlaskForm):
    """The second factor's code: the console's login and the applicant's two-step login."""

    code = StringField(
        _l("Code from your authenticator app"),
        description=_l("6 digits; a new one every 30 seconds."),
        validators=[DataRequired(message=_l("Please fill in this field.")), Length(max=12)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True},
    )
