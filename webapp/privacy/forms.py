from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms.validators import DataRequired, Length

from webapp.forms import optional_code
from webapp.password_policy import MAX_LENGTH


class CloseAccountForm(FlaskForm):
    password = PasswordField(
        _l("Password"),
        description=_l("Your current password, to confirm that it is you."),
        validators=[DataRequired(message=_l("Please fill in this field.")), Length(max=MAX_LENGTH)],
    )
    code = optional_code()
