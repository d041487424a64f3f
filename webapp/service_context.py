"""What a feature's service.py gets from the web layer instead of importing Flask.

A service takes a Session, this context and plain values; the view builds the context
(webapp.database.services()) from what Flask gave it: the settings, the bridge, url_for
and force_locale."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from core.config import Settings
from webapp.temporal_bridge import TemporalBridge


@dataclass(frozen=True)
class ServiceContext:
    settings: Settings
    bridge: TemporalBridge
    # endpoint, **values -> the path (flask.url_for); absolute() puts PUBLIC_BASE_URL before it
    url_for: Callable[..., str]

    def absolute(self, endpoint: str, **values: Any) -> str:
        return self.settings.public_base_url + self.url_for(endpoint, **values)
