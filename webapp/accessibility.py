"""The accessibility statement (`/accessibility`), linked from every page's footer: the
conformance level, what is known not to conform, how it was checked, whom to tell."""

from __future__ import annotations

from flask import Blueprint, render_template

from webapp.registration.views import lang

bp = Blueprint("accessibility", __name__)


@bp.get("/accessibility")
def statement() -> str:
    return render_template(f"accessibility/statement_{lang()}.html")
