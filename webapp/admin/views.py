"""Administrator console: log in with a second factor, the review queue, a registration's
detail and decision, applicant accounts. webapp/__init__.py registers `bp` from here."""

from __future__ import annotations

# Importing the modules registers their routes on the blueprint.
from webapp.admin import (  # noqa: F401
    accounts_views,
    auth_views,
    detail_views,
    queue_views,
    vies_banner,
)
from webapp.admin.blueprint import bp

__all__ = ["bp"]
