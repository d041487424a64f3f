from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, Length

from webapp.forms import optional_code


class LoginForm(FlaskForm):
    email = EmailField(
        _l("Email"),
        validators=[DataRequired(message=_l("Please fill in this field.")), Length(max=254)],
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(message=_l("Please fill in this field.")), Length(max=256)],
    )


class ForgotForm(FlaskForm):
    email = EmailField(
        _l("Email"),
        validators=[
            DataRequired(message=_l("Please fill in this field.")),
            Email(message=_l("Please give a valid email address.")),
            Length(max=254),
        ],
    )


class ConfirmIdentityForm(FlaskForm):
    """Before a sensitive action: the password again, and the code when two-step is on."""

    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(message=_l("Please fill in this field.")), Length(max=256)],
    )
    code = optional_code()


class RecoveryCodeForm(FlaskForm):
    """A recovery code instead of the authenticator's, at the login's second step."""

    code = StringField(
        _l("Recovery code"),
        description=_l("One of the codes you saved when you turned on two-step login."),
        validators=[DataRequired(message=_l("Please fill in this field.")), Length(max=24)],
        render_kw={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"},
    )
