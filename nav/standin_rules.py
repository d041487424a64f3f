"""What the NAV stand-in checks and how it answers: NAV's response documents and the
business validation of invoice data (a few of NAV's real rules, with its codes).

ERROR messages abort the invoice (ABORTED); WARN messages let it through (DONE with
warnings), as NAV does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

from lxml import etree

from nav import crypto
from nav.client import TechnicalUser
from nav.schemas import API_NS, COMMON_NS, DATA_NS

_NS = {"d": DATA_NS, "api": API_NS, "common": COMMON_NS}
# Rounding the stand-in tolerates between an amount × exchange rate and its HUF value.
HUF_TOLERANCE = Decimal(1)
TEXTS = {
    "INVOICE_NUMBER_NOT_UNIQUE": "The specified invoice number has already been used previously.",
    "INVALID_INVOICE_REFERENCE": "The modification or annulment references a document for "
    "which no data was provided.",
    "INCORRECT_DATE_INVOICE_ISSUE_DATE_LATE": "Invoice issue date is future date.",
    "INCORRECT_LINE_CALCULATION_LINE_NET_AMOUNT_HUF": "The net values of the invoice item "
    "provided in the original currency and HUF do not match.",
    "INCORRECT_LINE_CALCULATION_NET_AMOUNT": "The product of the line item amount and the unit "
    "price (with the given discount taken into account) does not match the net amount.",
    "INCORRECT_SUMMARY_DATA_INVOICE_NET_AMOUNT_HUF": "The net values of the invoice provided "
    "in the original currency and HUF do not match.",
    "INVOICE_REFERENCE_EXPECTED": "It is mandatory to refer to the original invoice in case of "
    "a modification document.",
    "INVOICE_REFERENCE_NOT_EXPECTED": "Original invoice cannot refer to any document.",
    "LINE_MODIFICATION_EXPECTED": "Line reference must be provided if a modification document "
    "contains a line.",
    "LINE_MODIFICATION_NOT_EXPECTED": "Line reference cannot be provided in the original invoice.",
    "MISSING_CUSTOMER_DOMESTIC_TAXNUMBER": "Missing customer’s domestic tax number.",
}


@dataclass(frozen=True)
class Finding:
    result_code: str  # ERROR or WARN
    code: str
    line: int | None = None
    message: str | None = None  # a schema error's own text
    technical: bool = False  # a technicalValidationMessage (schema), else a business one

    @property
    def text(self) -> str:
        return self.message or TEXTS[self.code]


class Refusal(Exception):
    """A request NAV refuses outright: a GeneralErrorResponse with this HTTP status."""

    def __init__(self, status: int, code: str, message: str, details: list[str] | None = None):
        super().__init__(code)
        self.status, self.code, self.message = status, code, message
        self.details = details or []


def check_user(
    users: dict[str, TechnicalUser], doc: etree._Element, operations: list[tuple[str, str]]
) -> TechnicalUser:
    """The technical user, its password hash and the request signature, as NAV checks them."""
    login = doc.findtext("common:user/common:login", namespaces=_NS)
    user = users.get(login or "")
    password = doc.findtext("common:user/common:passwordHash", namespaces=_NS)
    tax_number = doc.findtext("common:user/common:taxNumber", namespaces=_NS)
    if (
        user is None
        or password != crypto.password_hash(user.password)
        or tax_number != user.tax_number
    ):
        raise Refusal(401, "INVALID_SECURITY_USER", "Invalid security user!")
    if doc.findtext("common:header/common:requestVersion", namespaces=_NS) != "3.0":
        raise Refusal(
            400, "REQUEST_VERSION_NOT_ALLOWED", "The version of the request is not supported!"
        )
    request_id = doc.findtext("common:header/common:requestId", namespaces=_NS) or ""
    stamp = doc.findtext("common:header/common:timestamp", namespaces=_NS) or ""
    moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    wanted = crypto.request_signature(request_id, moment, user.signature_key, operations)
    if doc.findtext("common:user/common:requestSignature", namespaces=_NS) != wanted:
        raise Refusal(400, "INVALID_REQUEST_SIGNATURE", "Invalid request signature!")
    return user


def _decimal(node: etree._Element, path: str) -> Decimal | None:
    text = node.findtext(path, namespaces=_NS)
    try:
        return Decimal(text) if text is not None else None
    except InvalidOperation:
        return None


def business_findings(
    data: etree._Element, operation: str, reported: set[str], today: date | None = None
) -> list[Finding]:
    """`data`: an InvoiceData valid against the schema; `reported`: invoice numbers NAV
    already holds."""
    today = today or datetime.now(UTC).date()
    found: list[Finding] = []
    number = data.findtext("d:invoiceNumber", namespaces=_NS)
    if operation == "CREATE" and number in reported:
        found.append(Finding("ERROR", "INVOICE_NUMBER_NOT_UNIQUE"))
    issued = date.fromisoformat(data.findtext("d:invoiceIssueDate", namespaces=_NS) or "")
    if issued > today:
        found.append(Finding("ERROR", "INCORRECT_DATE_INVOICE_ISSUE_DATE_LATE"))
    original = data.findtext(".//d:invoiceReference/d:originalInvoiceNumber", namespaces=_NS)
    found += _chain_findings(data, operation, original)
    if original is not None and original not in reported:
        found.append(Finding("WARN", "INVALID_INVOICE_REFERENCE"))
    customer = data.find(".//d:customerInfo", _NS)
    if (
        customer is not None
        and customer.findtext("d:customerVatStatus", namespaces=_NS) == "DOMESTIC"
        and customer.find("d:customerVatData/d:customerTaxNumber", _NS) is None
    ):
        found.append(Finding("ERROR", "MISSING_CUSTOMER_DOMESTIC_TAXNUMBER"))
    rate = _decimal(data, ".//d:invoiceDetail/d:exchangeRate") or Decimal(1)
    for line in data.iterfind(".//d:invoiceLines/d:line", _NS):
        line_number = int(line.findtext("d:lineNumber", namespaces=_NS) or 0)
        net = _decimal(line, ".//d:lineNetAmount")
        net_huf = _decimal(line, ".//d:lineNetAmountHUF")
        if net is not None and net_huf is not None and abs(net * rate - net_huf) > HUF_TOLERANCE:
            found.append(
                Finding("WARN", "INCORRECT_LINE_CALCULATION_LINE_NET_AMOUNT_HUF", line_number)
            )
        quantity, price = _decimal(line, "d:quantity"), _decimal(line, "d:unitPrice")
        if None not in (quantity, price, net) and abs(quantity * price - net) > Decimal("0.01"):
            found.append(Finding("WARN", "INCORRECT_LINE_CALCULATION_NET_AMOUNT", line_number))
    total, total_huf = (
        _decimal(data, ".//d:summaryNormal/d:invoiceNetAmount"),
        _decimal(data, ".//d:summaryNormal/d:invoiceNetAmountHUF"),
    )
    if (
        total is not None
        and total_huf is not None
        and abs(total * rate - total_huf) > HUF_TOLERANCE
    ):
        found.append(Finding("WARN", "INCORRECT_SUMMARY_DATA_INVOICE_NET_AMOUNT_HUF"))
    return found


def _chain_findings(data: etree._Element, operation: str, original: str | None) -> list[Finding]:
    """A modification refers to its original invoice and each of its lines to a line of the
    chain; an original invoice does neither."""
    modifying = operation in {"MODIFY", "STORNO"}
    lines = list(data.iterfind(".//d:invoiceLines/d:line", _NS))
    referenced = [line.find("d:lineModificationReference", _NS) is not None for line in lines]
    if modifying and original is None:
        return [Finding("ERROR", "INVOICE_REFERENCE_EXPECTED")]
    if not modifying and original is not None:
        return [Finding("ERROR", "INVOICE_REFERENCE_NOT_EXPECTED")]
    if modifying and not all(referenced):
        return [Finding("ERROR", "LINE_MODIFICATION_EXPECTED")]
    if not modifying and any(referenced):
        return [Finding("ERROR", "LINE_MODIFICATION_NOT_EXPECTED")]
    return []


def _el(parent: etree._Element, ns: str, name: str, text: str | None = None) -> etree._Element:
    node = etree.SubElement(parent, f"{{{ns}}}{name}")
    if text is not None:
        node.text = text
    return node


def response(
    root: str,
    request_id: str,
    software: etree._Element | None,
    func_code: str = "OK",
    error_code: str | None = None,
    message: str | None = None,
) -> etree._Element:
    """A response document: header, result and the caller's software echoed back."""
    doc = etree.Element(f"{{{API_NS}}}{root}", nsmap={None: API_NS, "common": COMMON_NS})
    header = _el(doc, COMMON_NS, "header")
    _el(header, COMMON_NS, "requestId", request_id)
    now = datetime.now(UTC)
    _el(
        header,
        COMMON_NS,
        "timestamp",
        now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z",
    )
    _el(header, COMMON_NS, "requestVersion", "3.0")
    _el(header, COMMON_NS, "headerVersion", "1.0")
    result = _el(doc, COMMON_NS, "result")
    _el(result, COMMON_NS, "funcCode", func_code)
    if error_code:
        _el(result, COMMON_NS, "errorCode", error_code)
    if message:
        _el(result, COMMON_NS, "message", message[:1024])
    if software is not None:
        doc.append(software)
    else:  # a request too broken to echo: NAV's own software block
        node = _el(doc, API_NS, "software")
        for name, value in (
            ("softwareId", "HU00000000NAVSTAND"),
            ("softwareName", "NAV stand-in"),
            ("softwareOperation", "ONLINE_SERVICE"),
            ("softwareMainVersion", "3.0"),
            ("softwareDevName", "AOS Portal"),
            ("softwareDevContact", "4thlevel@bmw.hu"),
        ):
            _el(node, API_NS, name, value)
    return doc


def exception_response() -> etree._Element:
    """NAV's answer when it fails inside (HTTP 500): OPERATION_FAILED."""
    doc = etree.Element(f"{{{COMMON_NS}}}GeneralExceptionResponse", nsmap={"common": COMMON_NS})
    _el(doc, COMMON_NS, "funcCode", "ERROR")
    _el(doc, COMMON_NS, "errorCode", "OPERATION_FAILED")
    _el(doc, COMMON_NS, "message", "Operation failed!")
    return doc


def technical_message(parent: etree._Element, code: str, message: str) -> None:
    node = _el(parent, API_NS, "technicalValidationMessages")
    _el(node, COMMON_NS, "validationResultCode", "ERROR")
    _el(node, COMMON_NS, "validationErrorCode", code)
    _el(node, COMMON_NS, "message", message[:1024])


def messages(parent: etree._Element, findings: list[Finding]) -> None:
    """The schema's (technical) messages first, then the business ones: the XSD's order."""
    for finding in findings:
        if finding.technical:
            technical_message(parent, finding.code, finding.text)
    for finding in findings:
        if not finding.technical:
            _business_message(parent, finding)


def _business_message(parent: etree._Element, finding: Finding) -> None:
    node = _el(parent, API_NS, "businessValidationMessages")
    _el(node, API_NS, "validationResultCode", finding.result_code)
    _el(node, API_NS, "validationErrorCode", finding.code)
    _el(node, API_NS, "message", finding.text)
    if finding.line is not None:
        _el(_el(node, API_NS, "pointer"), API_NS, "line", str(finding.line))
