from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField
from wtforms.validators import Length

from webapp.forms import NewPasswordForm, optional_code, required
from webapp.password_policy import MAX_LENGTH


class ChangePasswordForm(NewPasswordForm):
    current_password = PasswordField(
        _l("Current password"), validators=[required(), Length(max=MAX_LENGTH)]
    )
    code = optional_code()
