"""What the VIES stand-in answers (vies/standin.py serves it): sample companies, the EU test
service's numbers, errors in the shapes the real service uses, and VIES's own approximate
matching of the trader data sent (trader...Match)."""

from __future__ import annotations

import json
import secrets
import string
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Response, jsonify

from vies.matching import normalize, normalize_lines
from vies.vatnumber import EU_COUNTRY_CODES, InvalidVatNumber, normalize_vat, vies_country_code

DEFAULT_DATA = Path(__file__).with_name("standin_companies.json")

# The EU test service's numbers (any country): None = valid, "INVALID" = valid=false.
TEST_NUMBERS: dict[str, str | None] = {
    "100": None,
    "200": "INVALID",
    "201": "INVALID_INPUT",
    "202": "INVALID_REQUESTER_INFO",
    "300": "SERVICE_UNAVAILABLE",
    "301": "MS_UNAVAILABLE",
    "302": "TIMEOUT",
    "400": "VAT_BLOCKED",
    "401": "IP_BLOCKED",
    "500": "GLOBAL_MAX_CONCURRENT_REQ",
    "501": "GLOBAL_MAX_CONCURRENT_REQ_TIME",
    "600": "MS_MAX_CONCURRENT_REQ",
    "601": "MS_MAX_CONCURRENT_REQ_TIME",
}
_BAD_REQUEST_CODES = frozenset({"INVALID_INPUT", "INVALID_REQUESTER_INFO"})
VIES_CODES = frozenset(vies_country_code(cc) for cc in EU_COUNTRY_CODES)
# (answer key suffix, request key) of the trader data VIES compares approximately.
_TRADER_FIELDS = (
    ("Name", "traderName"),
    ("Street", "traderStreet"),
    ("PostalCode", "traderPostalCode"),
    ("City", "traderCity"),
    ("CompanyType", "traderCompanyType"),
)


def load_companies(data_path: str | Path | None = None) -> dict[tuple[str, str], dict[str, str]]:
    """Sample companies keyed by (form country code, number without prefix)."""
    path = Path(data_path) if data_path else DEFAULT_DATA
    data = json.loads(path.read_text(encoding="utf-8"))
    entries = data["companies"] if isinstance(data, dict) else data
    companies: dict[tuple[str, str], dict[str, str]] = {}
    for entry in entries:
        cc = "GR" if entry["countryCode"].upper() == "EL" else entry["countryCode"].upper()
        # A sample the portal's own check would reject is a broken fixture: fail loudly.
        number = normalize_vat(cc, entry["vatNumber"])
        companies[(cc, number)] = {"name": entry["name"], "address": entry["address"]}
    return companies


def now_text() -> str:
    now = datetime.now(UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def _request_identifier() -> str:
    alphabet = string.ascii_letters + string.digits
    return "WAPIAAAA" + "".join(secrets.choice(alphabet) for _ in range(8))


def error_body(code: str, message: str | None = None) -> dict[str, Any]:
    return {
        "actionSucceed": False,
        "errorWrappers": [{"error": code, "message": message or f"VIES stand-in: {code}"}],
    }


def error(code: str, message: str | None = None) -> tuple[Response, int]:
    status = 400 if code in _BAD_REQUEST_CODES else 500
    return jsonify(error_body(code, message)), status


def _trader_match(sent: str, name: str, address: str, key: str) -> str:
    """VIES's approximate verdict: VALID when the sent text is (in) the registered one."""
    if not sent.strip():
        return "NOT_PROCESSED"
    if key == "traderName":
        return "VALID" if normalize(sent) == normalize(name) else "INVALID"
    if key == "traderCompanyType":
        return "NOT_PROCESSED"
    return "VALID" if normalize(sent) in normalize_lines(address).replace("\n", " ") else "INVALID"


def answer(
    body: dict[str, Any], cc: str, number: str, valid: bool, name: str, address: str
) -> dict[str, Any]:
    result: dict[str, Any] = {
        "countryCode": cc,
        "vatNumber": number,
        "requestDate": now_text(),
        "valid": valid,
        # Only a check made with requester data gets a consultation number.
        "requestIdentifier": _request_identifier() if body.get("requesterNumber") else "",
        "name": name,
        "address": address,
    }
    for suffix, key in _TRADER_FIELDS:
        result[f"trader{suffix}"] = str(body.get(key) or "")
    for suffix, key in _TRADER_FIELDS:
        no_data = not valid or name == "---"
        sent = "" if no_data else str(body.get(key) or "")
        result[f"trader{suffix}Match"] = _trader_match(sent, name, address, key)
    return result


def clean(text: Any) -> str:
    return "".join(str(text or "").split()).upper()


def _requester_error(body: dict[str, Any]) -> tuple[Response, int] | None:
    if not (body.get("requesterMemberStateCode") or body.get("requesterNumber")):
        return None
    req_cc = clean(body.get("requesterMemberStateCode"))
    try:
        if req_cc not in VIES_CODES:
            raise InvalidVatNumber("country")
        normalize_vat(req_cc, clean(body.get("requesterNumber")))
    except InvalidVatNumber:
        return error("INVALID_REQUESTER_INFO")
    return None


def check(
    companies: dict[tuple[str, str], dict[str, str]], body: Any, *, test_service: bool = False
) -> Response | tuple[Response, int]:
    """One check-vat-number (or check-vat-test-service) request."""
    if not isinstance(body, dict):
        return error("INVALID_INPUT", "expected a JSON object")
    cc = clean(body.get("countryCode"))
    number = clean(body.get("vatNumber"))
    if cc not in VIES_CODES or not number:
        return error("INVALID_INPUT", "countryCode or vatNumber missing or unknown")
    if number.startswith(cc):
        number = number[2:]

    # The test numbers work on the test service and, for convenience, here too.
    if number in TEST_NUMBERS:
        code = TEST_NUMBERS[number]
        if code is None:
            return jsonify(answer(body, cc, number, True, "TEST COMPANY", "TEST ADDRESS"))
        if code == "INVALID":
            return jsonify(answer(body, cc, number, False, "---", "---"))
        return error(code)
    if test_service:
        return error("INVALID_INPUT", "the test service knows only the test numbers")

    refused = _requester_error(body)
    if refused is not None:
        return refused
    form_cc = "GR" if cc == "EL" else cc
    try:
        compact = normalize_vat(form_cc, number)
    except InvalidVatNumber as exc:
        if exc.reason != "checksum":
            return error("INVALID_INPUT", str(exc))
        compact = number  # well formed, wrong check digit: VIES just says "not valid"
    company = companies.get((form_cc, compact))
    if company is None:
        return jsonify(answer(body, cc, number, False, "---", "---"))
    return jsonify(answer(body, cc, number, True, company["name"], company["address"]))
