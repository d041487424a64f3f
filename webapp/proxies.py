"""Forwarded headers are believed only from the proxies named in TRUSTED_PROXIES.

Werkzeug's ProxyFix alone believes whoever connects: with gunicorn reachable directly, a
rotating X-Forwarded-For gave every request a new "client IP" and so a fresh per-IP rate
limit (issue 24, finding 4). Here a request from a trusted address goes through ProxyFix (one
hop: the proxy overwrites or appends the headers); from any other address the forwarded
headers are removed before anything reads them, so request.remote_addr, the rate limits'
key, is the address that actually connected.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.middleware.proxy_fix import ProxyFix

FORWARDED_HEADERS = (
    "HTTP_FORWARDED",
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_X_FORWARDED_PREFIX",
    "HTTP_X_REAL_IP",
)
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def is_trusted(address: str, networks: Iterable[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False  # a Unix socket or nothing: no proxy we named
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip in network for network in networks)


class TrustedProxies:
    """WSGI middleware: ProxyFix for requests from `networks`, no forwarded headers else."""

    def __init__(self, app: Callable[..., Any], networks: Iterable[str]) -> None:
        self.app = app
        self.networks = [ipaddress.ip_network(n, strict=False) for n in networks]
        self.fixed = ProxyFix(app, x_for=1, x_proto=1, x_host=1)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if self.networks and is_trusted(environ.get("REMOTE_ADDR", ""), self.networks):
            return self.fixed(environ, start_response)
        for key in FORWARDED_HEADERS:
            environ.pop(key, None)
        return self.app(environ, start_response)
