"""A registration's status in the reader's words: the applicant's status page, the console's
queue and detail page and the help console say the same (a module beside the features, so
none imports another's)."""

from __future__ import annotations

from flask_babel import gettext as _

from workflows import contracts as c


def status_label(status: str) -> str:
    labels = {
        "SUBMITTED": _("Received"),
        c.Status.VERIFYING_VAT: _("VAT number check"),
        c.Status.VAT_MISMATCH: _("Company data do not match the VAT registration"),
        c.Status.VAT_CHECK_FAILED: _("VAT number could not be checked"),
        c.Status.AWAITING_EMAIL_CONFIRMATION: _("Waiting for email confirmation"),
        c.Status.EXPIRED: _("Expired"),
        c.Status.AWAITING_REVIEW: _("Waiting for review"),
        c.Status.CHANGES_REQUESTED: _("Changes requested"),
        c.Status.APPROVED: _("Approved, account active"),
        c.Status.REJECTED: _("Not approved"),
    }
    return labels.get(status, status)
