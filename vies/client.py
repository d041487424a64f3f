"""A small synchronous client for the EU VIES REST API (`POST {base}/check-vat-number`,
`GET {base}/check-status`).

It turns every way a check can fail into one of four classes, so that callers such as Temporal
activities can choose what to do by exception type alone. An invalid number is not an error:
`valid=False` comes back.

- ViesFinalError: the number itself is malformed (INVALID_INPUT); asking again will not help.
- ViesBlockedError: VAT_BLOCKED, VIES will not answer for this number: an administrator decides.
- ViesPortalFault: the portal's own problem (IP_BLOCKED, INVALID_REQUESTER_INFO, an unknown
  VOW-ERR-* or other unknown code, a wrong VIES_URL, an answer we cannot read): never the
  applicant's, retried like an outage and reported to the operators.
- ViesTransientError: VIES or a member state is down or busy; retried.

Errors are classified by their code wherever they arrive: in a 4xx/5xx answer or inside an
HTTP 200 body (`actionSucceed: false` with `errorWrappers`, or `userError`).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from vies.vatnumber import vies_country_code

# The applicant's number is malformed: shown as "not valid".
FINAL_CODES = frozenset({"INVALID_INPUT"})
BLOCKED_CODES = frozenset({"VAT_BLOCKED"})

# Transient: VIES or a member state's service is down or busy.
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
        "HTTP_429",
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
    """The applicant's number is malformed; repeating the request will not help."""


class ViesBlockedError(ViesError):
    """VIES will not answer for this number (VAT_BLOCKED): an administrator decides."""


class ViesPortalFault(ViesTransientError):
    """The portal's own fault (its configuration, address or requester data): retried like
    an outage, but the operators must act."""


def classify(code: str) -> type[ViesError]:
    """The error class for a VIES error code. Codes we do not know are our fault: VIES adds
    codes, and an unknown failure should alert the operators and delay a registration, never
    reject it."""
    code = code.strip().upper()
    if code in FINAL_CODES:
        return ViesFinalError
    if code in BLOCKED_CODES:
        return ViesBlockedError
    if code in {c.upper() for c in TRANSIENT_CODES}:
        return ViesTransientError
    return ViesPortalFault


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

    @property
    def trader_matches(self) -> dict[str, str]:
        """VIES's own approximate comparison of the trader data sent (VALID, INVALID,
        NOT_PROCESSED), by field: name, street, postcode, city, company_type."""
        keys = {
            "name": "traderNameMatch",
            "street": "traderStreetMatch",
            "postcode": "traderPostalCodeMatch",
            "city": "traderCityMatch",
            "company_type": "traderCompanyTypeMatch",
        }
        return {k: _text(self.raw.get(v)) for k, v in keys.items() if self.raw.get(v)}


@dataclass
class Trader:
    """The typed company data, sent so that VIES returns its own approximate matching."""

    name: str = ""
    street: str = ""
    postcode: str = ""
    city: str = ""


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
    if body.get("actionSucceed") is False:
        return _error("BAD_RESPONSE", "actionSucceed is false without an error code")
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
        self.base_url = base_url.rstrip("/")
        self.url = f"{self.base_url}/check-vat-number"
        # VIES's own member-state timeout is long; the read timeout bounds a hung request.
        self.timeout = httpx.Timeout(read_timeout, connect=connect_timeout)
        # A malformed requester number (production refuses to start with one) makes every
        # check the portal's fault, retried and shown to the operators, not a crash at start.
        self.requester: tuple[str, str] | None = None
        self.requester_problem: str | None = None
        if requester_vat:
            try:
                self.requester = _split_requester(requester_vat)
            except ValueError as err:
                self.requester_problem = str(err)
        # Loading the CA bundle into a TLS context costs ~25 ms of CPU (make bench
        # --py-spy): done once per client; an SSLContext is safe to share between threads.
        self._tls = httpx.create_ssl_context()

    def check(self, country_code: str, vat_number: str, trader: Trader | None = None) -> ViesAnswer:
        """Ask VIES about one number (given without prefix). Raises ViesError subclasses."""
        if self.requester_problem:
            raise ViesPortalFault("INVALID_REQUESTER_INFO", self.requester_problem)
        payload: dict[str, str] = {
            "countryCode": vies_country_code(country_code),
            "vatNumber": vat_number,
        }
        if self.requester:
            payload["requesterMemberStateCode"], payload["requesterNumber"] = self.requester
        if trader is not None:
            for key, value in (
                ("traderName", trader.name),
                ("traderStreet", trader.street),
                ("traderPostalCode", trader.postcode),
                ("traderCity", trader.city),
            ):
                if value.strip():
                    payload[key] = " ".join(value.split())

        try:
            # A client per call: activities run in worker threads and nothing must leak;
            # the TLS context (the costly part) is the one made above.
            with httpx.Client(timeout=self.timeout, verify=self._tls) as http:
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
            # 429: busy, transient; 404 and the like: a wrong VIES_URL, our fault.
            raise _error(f"HTTP_{response.status_code}", response.text[:200])
        if not isinstance(body, dict) or "valid" not in body:
            raise ViesPortalFault("BAD_RESPONSE", "answer without a 'valid' field")

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


@dataclass
class ServiceStatus:
    """`GET {VIES_URL}/check-status`: whether VIES answers, and which member states do not."""

    vies_available: bool
    unavailable: tuple[str, ...]  # form country codes (GR, not EL) whose service is down
    checked_at: float  # time.time()
    reachable: bool = True  # False: check-status itself did not answer


def _form_codes(body: dict[str, Any]) -> tuple[str, ...]:
    down = []
    for entry in body.get("countries") or []:
        if not isinstance(entry, dict):
            continue
        # "Available", "Unavailable" or "MonitoringDisabled" (unknown, not down).
        availability = str(entry.get("availability") or "").strip().lower()
        if availability == "unavailable":
            down.append(_form_code(str(entry.get("countryCode") or "")))
    return tuple(sorted(c for c in down if c))


class StatusCache:
    """check-status, asked at most once per `max_age` seconds per process (the EU asks
    clients not to poll it), shared by the threads of a web process."""

    def __init__(self, base_url: str, max_age: float = 60.0, timeout: float = 5.0) -> None:
        self.url = f"{base_url.rstrip('/')}/check-status"
        self.max_age = max_age
        self.timeout = timeout
        self._lock = threading.Lock()
        self._status: ServiceStatus | None = None
        self.fetches = 0

    def get(self) -> ServiceStatus:
        """The cached status (`reachable` False when check-status did not answer)."""
        with self._lock:
            now = time.time()
            if self._status is not None and now - self._status.checked_at < self.max_age:
                return self._status
            self.fetches += 1
            try:
                response = httpx.get(self.url, timeout=self.timeout)
                body = response.json()
                if response.status_code != 200 or not isinstance(body, dict):
                    raise ValueError(f"HTTP {response.status_code}")
                vow = body.get("vow")
                if not isinstance(vow, dict):
                    vow = {}
                status = ServiceStatus(vow.get("available") is not False, _form_codes(body), now)
            except (httpx.HTTPError, ValueError):
                status = ServiceStatus(False, (), now, reachable=False)
            self._status = status
            return status
