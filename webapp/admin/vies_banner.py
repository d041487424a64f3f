"""The console's VIES banner: the portal's own VIES faults (the operators must act) and the
member states whose VAT service VIES reports as down. Shown on every console page."""

from __future__ import annotations

from typing import Any

from flask import request

from webapp.admin.blueprint import bp
from webapp.countries import country_name
from webapp.database import db
from webapp.i18n import current_language
from webapp.sessions import current
from webapp.vies_status import recent_faults, service_status


@bp.context_processor
def _vies_banner() -> dict[str, Any]:
    # Only for a logged-in console account, and not on the login pages.
    if current("admin") is None or (request.endpoint or "").startswith("admin.login"):
        return {}
    language = current_language()
    status = service_status()
    return {
        "vies_faults": recent_faults(db()),
        "vies_reachable": status.reachable,
        "vies_available": status.vies_available,
        "vies_states_down": [(cc, country_name(cc, language)) for cc in status.unavailable],
    }
