"""The portal behind the applicant's login."""

from __future__ import annotations

from flask import Blueprint, render_template

from webapp.auth.session import current, login_required

bp = Blueprint("portal", __name__, url_prefix="/portal")


@bp.get("/")
@login_required("applicant")
def home() -> str:
    return render_template("portal/home.html", account=current("applicant"))
