from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, SelectMultipleField, TextAreaField
from wtforms.validators import DataRequired, Length

from core.change_groups import change_group_labels
from webapp.admin.decisions import CHANGES_MESSAGE_MAX, changes_problems, rejection_reasons


class DecisionForm(FlaskForm):
    # One nonce per rendered page: a double click sends the same Update id twice and
    # Temporal answers both with the first result.
    nonce = HiddenField(validators=[DataRequired(), Length(max=64)])
    # "yes" once the reviewer has seen the rejection page and pressed Reject again there:
    # a rejection never happens in the one click beside Approve.
    confirmed = HiddenField(validators=[Length(max=3)])
    reason_code = SelectField(_l("Reason for rejection"), validate_choice=False)
    reason = TextAreaField(
        _l("Details for the applicant"),
        description=_l("Required when no reason is picked above. The applicant reads it."),
        validators=[Length(max=2000)],
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.reason_code.choices = [("", _l("— pick a common reason —"))] + list(
            rejection_reasons(gettext).items()
        )


class ChangesForm(FlaskForm):
    """Ask for changes: the parts to change (contracts.CHANGE_GROUPS) and the message the
    applicant reads. Rendered with the prefix "changes" beside the DecisionForm."""

    nonce = HiddenField(validators=[DataRequired(), Length(max=64)])
    # Checked here against the groups offered, with the console's own words.
    groups = SelectMultipleField(_l("What should the applicant change?"), validate_choice=False)
    message = TextAreaField(
        _l("Message to the applicant"),
        description=_l(
            "Required. The applicant reads it in the email and on the correction page: "
            "say what is wrong and what you need."
        ),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("prefix", "changes")
        super().__init__(*args, **kwargs)
        self.groups.choices = list(change_group_labels(gettext).items())
        self.message.render_kw = {"maxlength": CHANGES_MESSAGE_MAX}

    def validate(self, extra_validators: object = None) -> bool:
        valid = super().validate(extra_validators)  # type: ignore[arg-type]
        problems = changes_problems(self.groups.data or [], self.message.data or "", gettext)
        for name, problem in problems.items():
            self[name].errors = [*self[name].errors, problem]
        return valid and not problems


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""
