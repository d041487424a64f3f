"""A client of NAV Online Számla API v3.0: tokenExchange, manageInvoice, queryTransactionStatus.

Every request carries the technical user's login, password hash and request signature
(nav/crypto.py) and the software's data; the XML uses NAV's namespaces exactly (api and
NTCA common). What goes wrong is told apart by who can fix it:

- `NavUnavailable`: NAV cannot be reached or answers 5xx, times out, is in maintenance, or
  refuses the exchange token: the same request later is expected to work (retried).
- `NavRejected`: NAV read the request and refused it (INVALID_REQUEST_SIGNATURE,
  INVALID_SECURITY_USER, SCHEMA_VIOLATION, ...): sending it again does not help.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx
from lxml import etree

from nav import crypto
from nav.schemas import API_NS, COMMON_NS

REQUEST_VERSION = "3.0"
HEADER_VERSION = "1.0"
# errorCodes after which the same request may well succeed later.
TRANSIENT_CODES = frozenset(
    {"OPERATION_FAILED", "SERVICE_UNAVAILABLE", "INVALID_EXCHANGE_TOKEN", "MAINTENANCE_MODE"}
)
FINAL_STATUSES = frozenset({"DONE", "ABORTED"})
_NS = {"api": API_NS, "common": COMMON_NS}


@dataclass(frozen=True)
class TechnicalUser:
    login: str
    password: str = field(repr=False)
    signature_key: str = field(repr=False)
    exchange_key: str = field(repr=False)
    tax_number: str  # the first 8 digits of the taxpayer's tax number


@dataclass(frozen=True)
class Software:
    software_id: str  # 18 characters [0-9A-Z-], e.g. HU12345676-AOS-001
    name: str = "AOS Portal"
    operation: str = "ONLINE_SERVICE"  # or LOCAL_SOFTWARE
    main_version: str = "1.0"
    dev_name: str = "AOS Portal"
    dev_contact: str = "4thlevel@bmw.hu"
    dev_country_code: str = "HU"
    dev_tax_number: str | None = None


@dataclass(frozen=True)
class NavConfig:
    api_url: str  # e.g. https://api-test.onlineszamla.nav.gov.hu/invoiceService/v3
    user: TechnicalUser
    software: Software
    timeout: float = 30.0


@dataclass(frozen=True)
class NavMessage:
    """One validation message: technical (schema) or business; ERROR, WARN, INFO."""

    result_code: str
    code: str
    text: str
    line: int | None = None


@dataclass(frozen=True)
class TransactionStatus:
    status: str  # RECEIVED, PROCESSING, SAVED, DONE, ABORTED
    messages: tuple[NavMessage, ...] = ()

    @property
    def final(self) -> bool:
        return self.status in FINAL_STATUSES


class NavError(Exception):
    def __init__(self, code: str, message: str, messages: tuple[NavMessage, ...] = ()) -> None:
        super().__init__(f"{code}: {message}")
        self.code, self.message, self.messages = code, message, messages


class NavUnavailable(NavError):
    """Try again later."""


class NavRejected(NavError):
    """NAV refused this request; it needs a fix, not a retry."""


def _now() -> datetime:
    return datetime.now(UTC)


def new_request_id() -> str:
    return "AOS" + secrets.token_hex(13).upper()  # [+a-zA-Z0-9_]{1,30}, unique per request


def _el(parent: etree._Element, ns: str, name: str, text: str | None = None) -> etree._Element:
    node = etree.SubElement(parent, f"{{{ns}}}{name}")
    if text is not None:
        node.text = text
    return node


def _messages(node: etree._Element) -> tuple[NavMessage, ...]:
    found = []
    for path in ("api:technicalValidationMessages", "api:businessValidationMessages"):
        for item in node.iterfind(path, _NS):
            line = item.findtext("api:pointer/api:line", namespaces=_NS)
            found.append(
                NavMessage(
                    result_code=_text(item, "validationResultCode"),
                    code=_text(item, "validationErrorCode"),
                    text=_text(item, "message"),
                    line=int(line) if line else None,
                )
            )
    return tuple(found)


def _text(node: etree._Element, name: str) -> str:
    # Children of common types are in the api namespace when the api schema declares them
    # and in common when common does; look in both.
    value = node.findtext(f"api:{name}", namespaces=_NS)
    if value is None:
        value = node.findtext(f"common:{name}", namespaces=_NS)
    return value or ""


class NavClient:
    def __init__(
        self,
        config: NavConfig,
        http: httpx.Client | None = None,
        clock: Callable[[], datetime] = _now,
    ) -> None:
        self.config = config
        self._http = http or httpx.Client(timeout=config.timeout)
        self._clock = clock

    def close(self) -> None:
        self._http.close()

    def _request(self, root: str, operations: list[tuple[str, str]] | None = None):
        """The root element with header, user (signed) and software filled in."""
        user, software = self.config.user, self.config.software
        request_id, moment = new_request_id(), self._clock()
        doc = etree.Element(f"{{{API_NS}}}{root}", nsmap={None: API_NS, "common": COMMON_NS})
        header = _el(doc, COMMON_NS, "header")
        _el(header, COMMON_NS, "requestId", request_id)
        stamp = moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + (
            f"{moment.microsecond // 1000:03d}Z"
        )
        _el(header, COMMON_NS, "timestamp", stamp)
        _el(header, COMMON_NS, "requestVersion", REQUEST_VERSION)
        _el(header, COMMON_NS, "headerVersion", HEADER_VERSION)
        user_node = _el(doc, COMMON_NS, "user")
        _el(user_node, COMMON_NS, "login", user.login)
        password = _el(user_node, COMMON_NS, "passwordHash", crypto.password_hash(user.password))
        password.set("cryptoType", "SHA-512")
        _el(user_node, COMMON_NS, "taxNumber", user.tax_number)
        signature = crypto.request_signature(
            request_id, moment, user.signature_key, operations or ()
        )
        _el(user_node, COMMON_NS, "requestSignature", signature).set("cryptoType", "SHA3-512")
        node = _el(doc, API_NS, "software")
        for name, value in (
            ("softwareId", software.software_id),
            ("softwareName", software.name),
            ("softwareOperation", software.operation),
            ("softwareMainVersion", software.main_version),
            ("softwareDevName", software.dev_name),
            ("softwareDevContact", software.dev_contact),
            ("softwareDevCountryCode", software.dev_country_code),
            ("softwareDevTaxNumber", software.dev_tax_number),
        ):
            if value:
                _el(node, API_NS, name, value)
        return doc

    def _post(self, operation: str, doc: etree._Element) -> etree._Element:
        body = etree.tostring(doc, xml_declaration=True, encoding="UTF-8")
        url = f"{self.config.api_url.rstrip('/')}/{operation}"
        try:
            response = self._http.post(
                url,
                content=body,
                headers={"Content-Type": "application/xml", "Accept": "application/xml"},
            )
        except httpx.HTTPError as err:  # connection refused, reset, timeout
            raise NavUnavailable("UNREACHABLE", f"{url}: {err or type(err).__name__}") from err
        try:
            answer = etree.fromstring(response.content, etree.XMLParser(resolve_entities=False))
        except etree.XMLSyntaxError:
            raise NavUnavailable(f"HTTP_{response.status_code}", response.text[:200]) from None
        func_code = answer.findtext("common:result/common:funcCode", namespaces=_NS)
        if response.status_code == 200 and func_code == "OK":
            return answer
        code = answer.findtext("common:result/common:errorCode", namespaces=_NS) or (
            answer.findtext(".//common:errorCode", namespaces=_NS) or f"HTTP_{response.status_code}"
        )
        message = (
            answer.findtext("common:result/common:message", namespaces=_NS)
            or answer.findtext(".//common:message", namespaces=_NS)
            or ""
        )
        if response.status_code >= 500 or code in TRANSIENT_CODES:
            raise NavUnavailable(code, message)
        raise NavRejected(code, message, _messages(answer))

    def token_exchange(self) -> str:
        """A fresh exchange token (single use, valid for minutes), decrypted."""
        answer = self._post("tokenExchange", self._request("TokenExchangeRequest"))
        encoded = answer.findtext("api:encodedExchangeToken", namespaces=_NS) or ""
        try:
            return crypto.decrypt_token(encoded, self.config.user.exchange_key)
        except ValueError as err:  # wrong exchange key: a setting to fix
            raise NavRejected("TOKEN_DECRYPTION_FAILED", str(err)) from err

    def manage_invoice(self, operation: str, invoice_xml: bytes) -> str:
        """Report one invoice (CREATE) or credit note (MODIFY, STORNO); the transaction id."""
        token = self.token_exchange()
        data = base64.b64encode(invoice_xml).decode()
        doc = self._request("ManageInvoiceRequest", [(operation, data)])
        _el(doc, API_NS, "exchangeToken", token)
        operations = _el(doc, API_NS, "invoiceOperations")
        _el(operations, API_NS, "compressedContent", "false")
        item = _el(operations, API_NS, "invoiceOperation")
        _el(item, API_NS, "index", "1")
        _el(item, API_NS, "invoiceOperation", operation)
        _el(item, API_NS, "invoiceData", data)
        answer = self._post("manageInvoice", doc)
        return answer.findtext("api:transactionId", namespaces=_NS) or ""

    def query_transaction_status(self, transaction_id: str) -> TransactionStatus:
        doc = self._request("QueryTransactionStatusRequest")
        _el(doc, API_NS, "transactionId", transaction_id)
        answer = self._post("queryTransactionStatus", doc)
        result = answer.find("api:processingResults/api:processingResult", _NS)
        if result is None:
            raise NavRejected("UNKNOWN_TRANSACTION", f"NAV knows no transaction {transaction_id}")
        return TransactionStatus(_text(result, "invoiceStatus"), _messages(result))
