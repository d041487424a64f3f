"""A small synchronous client for the EU VIES REST API (`POST {base}/check-vat-number`).

It turns every way a check can fail into ViesTransientError (retry later) or ViesFinalError
(asking again will not help), so that callers such as Temporal activities can choose a retry
policy by exception type alone. An invalid number is not an error: `valid=False` comes back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from vies.vatnumber import vies_country_code

# Final: the request itself is wrong or refused; asking again gives the same answer.
FINAL_CODES = frozenset({"INVALID_INPUT", "INVALID_REQUESTER_INFO", "VAT_BLOCKED", "IP_BLOCKED"})

# Transient: VIES or a member state's service is down or busy. Listed for documentation and
# tests; classify() treats any code it does not know as transient too.
TRANSIENT_CODES = frozenset(
    {
        "SERVICE_UNAVAILABLE",
        "MS_UNAVAILABLE",
        "TIMEOUT",
        "GLOBAL_MAX_CONCURRENT_REQ",
        "GLOBAL_MAX_CONCURRENT_REQ_TIME",
        "MS_MAX_CONCURRENT_REQ",
        "MS_MAX_CONCURRENT_REQ_TIME",
        "NETWORK_ERROR",
        "HTTP_5xx",
    }
)

# userError values that are answers, not errors.
_ANSWER_USER_ERRORS = frozenset({"", "VALID", "INVALID"})


class ViesError(Exception):
    """A VAT check that did not produce an answer. `code` is the VIES error code."""

    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(f"{code}: {message}" if message else code)
        self.code = code
        self.message = message


class ViesTransientError(ViesError):
    """VIES could not answer now; the same request may succeed later."""


class ViesFinalError(ViesError):
    """VIES refused the request; repeating it will not help."""


def classify(code: str) -> type[ViesError]:
    """The error class for a VIES error code. Unknown codes are transient: VIES adds codes and
    an unknown failure should delay a registration, never reject it."""
    if code.strip().upper() in FINAL_CODES:
        return ViesFinalError
    return ViesTransientError


def _error(code: str, message: str = "") -> ViesError:
    return classify(code)(code, message)


@dataclass
class ViesAnswer:
    """A VIES answer. `country_code` is the caller's form code (GR, not EL); `raw` is the whole
    JSON body, including the trader...Match fields."""

    valid: bool
    country_code: str
    vat_number: str
    name: str
    address: str
    request_date: str
    request_identifier: str
    raw: dict[str, Any] = field(default_factory=dict)


def _split_requester(requester_vat: str) -> tuple[str, str]:
    compact = "".join(requester_vat.split()).upper()
    if len(compact) < 3 or not compact[:2].isalpha():
        raise ValueError(f"requester_vat must start with a country prefix: {requester_vat!r}")
    return vies_country_code(compact[:2]), compact[2:]


def _error_from_body(body: Any) -> ViesError | None:
    """The error an answer body reports, if any (both the errorWrappers and userError forms)."""
    if not isinstance(body, dict):
        return None
    wrappers = body.get("errorWrappers")
    if isinstance(wrappers, list) and wrappers and isinstance(wrappers[0], dict):
        code = str(wrappers[0].get("error") or "").strip()
        if code:
            return _error(code, str(wrappers[0].get("message") or ""))
    user_error = str(body.get("userError") or "").strip()
    if user_error.upper() not in _ANSWER_USER_ERRORS:
        return _error(user_error, "reported as userError")
    return None


def _form_code(country_code: str) -> str:
    code = country_code.strip().upper()
    return "GR" if code == "EL" else code


def _text(value: Any) -> str:
    return "" if value is None else str(value)


class ViesClient:
    """Checks VAT numbers against a VIES REST endpoint (the EU service or the local stand-in)."""

    def __init__(
        self,
        base_url: str,
        *,
        connect_timeout: float = 5.0,
        read_timeout: float = 20.0,
        requester_vat: str | None = None,
    ) -> None:
        self.url = f"{base_url.rstrip('/')}/check-vat-number"
        # VIES's own member-state timeout is long; the read timeout bounds a hung request.
        self.timeout = httpx.Timeout(read_timeout, connect=connect_timeout)
        self.requester = _split_requester(requester_vat) if requester_vat else None

    def check(self, country_code: str, vat_number: str) -> ViesAnswer:
        """Ask VIES about one number (given without prefix). Raises ViesError subclasses."""
        payload: dict[str, str] = {
            "countryCode": vies_country_code(country_code),
            "vatNumber": vat_number,
        }
        if self.requester:
            payload["requesterMemberStateCode"], payload["requesterNumber"] = self.requester

        try:
            # A client per call: activities run in worker threads and nothing must leak.
            with httpx.Client(timeout=self.timeout) as http:
                response = http.post(self.url, json=payload)
        except httpx.TimeoutException as exc:
            raise ViesTransientError("TIMEOUT", f"no answer in time: {exc}") from exc
        except httpx.HTTPError as exc:
            raise ViesTransientError("NETWORK_ERROR", f"{type(exc).__name__}: {exc}") from exc

        try:
            body: Any = response.json()
        except ValueError:
            body = None

        error = _error_from_body(body)
        if error is not None:
            raise error
        if response.status_code >= 500:
            raise ViesTransientError("HTTP_5xx", f"HTTP {response.status_code}")
        if response.status_code != 200:
            # e.g. 404 from a wrong VIES_URL or 429: unknown codes, hence transient.
            raise _error(f"HTTP_{response.status_code}", response.text[:200])
        if not isinstance(body, dict) or "valid" not in body:
            raise ViesTransientError("BAD_RESPONSE", "answer without a 'valid' field")

        return ViesAnswer(
            valid=body.get("valid") is True,
            country_code=_form_code(country_code),
            vat_number=_text(body.get("vatNumber")) or vat_number,
            name=_text(body.get("name")),
            address=_text(body.get("address")),
            request_date=_text(body.get("requestDate")),
            request_identifier=_text(body.get("requestIdentifier")),
            raw=body,
        )
