from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, TextAreaField
from wtforms.validators import DataRequired, Length


class DecisionForm(FlaskForm):
    # One nonce per rendered page: a double click sends the same Update id twice and
    # Temporal answers both with the first result.
    nonce = HiddenField(validators=[DataRequired(), Length(max=64)])
    reason = TextAreaField(_l("Reason for rejection"), validators=[Length(max=2000)])
