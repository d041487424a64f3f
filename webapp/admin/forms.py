from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from webapp.admin.decisions import REJECTION_REASONS


class DecisionForm(FlaskForm):
    # One nonce per rendered page: a double click sends the same Update id twice and
    # Temporal answers both with the first result.
    nonce = HiddenField(validators=[DataRequired(), Length(max=64)])
    reason_code = SelectField(_l("Reason for rejection"), validate_choice=False)
    reason = TextAreaField(
        _l("Details for the applicant"),
        description=_l("Required when no reason is picked above. The applicant reads it."),
        validators=[Length(max=2000)],
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.reason_code.choices = [("", _l("— pick a common reason —"))] + [
            (code, text) for code, text in REJECTION_REASONS.items()
        ]


class CodeForm(FlaskForm):
    code = StringField(
        _l("Code from your authenticator app"),
        description=_l("6 digits; a new one every 30 seconds."),
        validators=[DataRequired(message=_l("Please fill in this field.")), Length(max=12)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True},
    )


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""
