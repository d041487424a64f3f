"""The invoice data XML (invoiceData.xsd v3.0) of an Invoice, as manageInvoice carries it."""

from __future__ import annotations

from collections import OrderedDict
from decimal import ROUND_HALF_UP, Decimal

from lxml import etree

from nav.model import DOMESTIC, OTHER, Address, Buyer, Invoice, Line, Seller, TaxNumber, VatRate
from nav.schemas import BASE_NS, COMMON_NS, DATA_NS

_NSMAP = {None: DATA_NS, "base": BASE_NS, "common": COMMON_NS}
_CENT = Decimal("0.01")


class _Builder:
    def __init__(self, invoice: Invoice) -> None:
        self.invoice = invoice

    def el(self, parent: etree._Element, name: str, text: object = None, ns: str = DATA_NS):
        node = etree.SubElement(parent, f"{{{ns}}}{name}")
        if text is not None:
            node.text = _text(text)
        return node

    def huf(self, amount: Decimal) -> Decimal:
        return (amount * self.invoice.exchange_rate).quantize(_CENT, ROUND_HALF_UP)

    def huf_sum(self, amounts: list[Decimal]) -> Decimal:
        # The sum of the lines' HUF amounts, so that the totals add up line by line.
        return sum((self.huf(a) for a in amounts), Decimal(0))

    def tax_number(self, parent: etree._Element, name: str, number: TaxNumber) -> None:
        node = self.el(parent, name)
        self.el(node, "taxpayerId", number.taxpayer_id, BASE_NS)
        if number.vat_code:
            self.el(node, "vatCode", number.vat_code, BASE_NS)
        if number.county_code:
            self.el(node, "countyCode", number.county_code, BASE_NS)

    def address(self, parent: etree._Element, name: str, address: Address) -> None:
        simple = self.el(self.el(parent, name), "simpleAddress", ns=BASE_NS)
        self.el(simple, "countryCode", address.country_code, BASE_NS)
        self.el(simple, "postalCode", address.postal_code, BASE_NS)
        self.el(simple, "city", address.city, BASE_NS)
        self.el(simple, "additionalAddressDetail", address.street, BASE_NS)

    def supplier(self, head: etree._Element, seller: Seller) -> None:
        info = self.el(head, "supplierInfo")
        self.tax_number(info, "supplierTaxNumber", seller.tax_number)
        if seller.community_vat_number:
            self.el(info, "communityVatNumber", seller.community_vat_number)
        self.el(info, "supplierName", seller.name)
        self.address(info, "supplierAddress", seller.address)
        if seller.bank_account:
            self.el(info, "supplierBankAccountNumber", seller.bank_account)

    def customer(self, head: etree._Element, buyer: Buyer) -> None:
        info = self.el(head, "customerInfo")
        self.el(info, "customerVatStatus", buyer.vat_status)
        if buyer.vat_status == DOMESTIC:
            if buyer.tax_number is None:
                raise ValueError("A DOMESTIC buyer needs its Hungarian tax number.")
            self.tax_number(self.el(info, "customerVatData"), "customerTaxNumber", buyer.tax_number)
        elif buyer.vat_status == OTHER:
            if buyer.community_vat_number:
                self.el(
                    self.el(info, "customerVatData"),
                    "communityVatNumber",
                    buyer.community_vat_number,
                )
            elif buyer.third_state_tax_id:
                self.el(
                    self.el(info, "customerVatData"), "thirdStateTaxId", buyer.third_state_tax_id
                )
        else:  # a private person's name and address are not reported (GDPR, API 3.0)
            return
        if buyer.name:
            self.el(info, "customerName", buyer.name)
        if buyer.address:
            self.address(info, "customerAddress", buyer.address)

    def detail(self, head: etree._Element) -> None:
        inv = self.invoice
        detail = self.el(head, "invoiceDetail")
        self.el(detail, "invoiceCategory", "NORMAL")
        self.el(detail, "invoiceDeliveryDate", inv.delivery_date)
        if inv.period_start and inv.period_end:
            self.el(detail, "invoiceDeliveryPeriodStart", inv.period_start)
            self.el(detail, "invoiceDeliveryPeriodEnd", inv.period_end)
        self.el(detail, "currencyCode", inv.currency)
        self.el(detail, "exchangeRate", inv.exchange_rate)
        if inv.payment_method:
            self.el(detail, "paymentMethod", inv.payment_method)
        if inv.payment_date:
            self.el(detail, "paymentDate", inv.payment_date)
        self.el(detail, "invoiceAppearance", inv.appearance)

    def vat_rate(self, parent: etree._Element, name: str, rate: VatRate) -> None:
        node = self.el(parent, name)
        if rate.percentage is not None:
            self.el(node, "vatPercentage", rate.percentage)
            return
        kind, (case, reason) = (
            ("vatExemption", rate.exemption)
            if rate.exemption
            else ("vatOutOfScope", rate.out_of_scope)
        )
        reason_node = self.el(node, kind)
        self.el(reason_node, "case", case)
        self.el(reason_node, "reason", reason)

    def line(self, lines: etree._Element, number: int, line: Line) -> None:
        node = self.el(lines, "line")
        self.el(node, "lineNumber", number)
        if line.reference_line is not None:
            ref = self.el(node, "lineModificationReference")
            self.el(ref, "lineNumberReference", line.reference_line)
            self.el(ref, "lineOperation", "CREATE")
        self.el(node, "lineExpressionIndicator", "true")
        self.el(node, "lineNatureIndicator", line.nature)
        self.el(node, "lineDescription", line.description)
        self.el(node, "quantity", line.quantity)
        self.el(node, "unitOfMeasure", line.unit_of_measure)
        self.el(node, "unitPrice", line.unit_price)
        self.el(node, "unitPriceHUF", self.huf(line.unit_price))
        amounts = self.el(node, "lineAmountsNormal")
        net = self.el(amounts, "lineNetAmountData")
        self.el(net, "lineNetAmount", line.net)
        self.el(net, "lineNetAmountHUF", self.huf(line.net))
        self.vat_rate(amounts, "lineVatRate", line.vat_rate)
        vat = self.el(amounts, "lineVatData")
        self.el(vat, "lineVatAmount", line.vat)
        self.el(vat, "lineVatAmountHUF", self.huf(line.vat))
        gross = self.el(amounts, "lineGrossAmountData")
        self.el(gross, "lineGrossAmountNormal", line.gross)
        self.el(gross, "lineGrossAmountNormalHUF", self.huf(line.gross))

    def summary(self, invoice_node: etree._Element) -> None:
        groups: OrderedDict[VatRate, list[Line]] = OrderedDict()
        for line in self.invoice.lines:
            groups.setdefault(line.vat_rate, []).append(line)
        summary = self.el(invoice_node, "invoiceSummary")
        normal = self.el(summary, "summaryNormal")
        for rate, lines in groups.items():
            by_rate = self.el(normal, "summaryByVatRate")
            self.vat_rate(by_rate, "vatRate", rate)
            for part in ("Net", "Vat", "Gross"):
                amounts = [getattr(x, part.lower()) for x in lines]
                data = self.el(by_rate, f"vatRate{part}Data")
                self.el(data, f"vatRate{part}Amount", sum(amounts, Decimal(0)))
                self.el(data, f"vatRate{part}AmountHUF", self.huf_sum(amounts))
        lines = self.invoice.lines
        for part, name in (("net", "invoiceNetAmount"), ("vat", "invoiceVatAmount")):
            amounts = [getattr(x, part) for x in lines]
            self.el(normal, name, sum(amounts, Decimal(0)))
            self.el(normal, f"{name}HUF", self.huf_sum(amounts))
        gross = self.el(summary, "summaryGrossData")
        self.el(gross, "invoiceGrossAmount", sum((x.gross for x in lines), Decimal(0)))
        self.el(gross, "invoiceGrossAmountHUF", self.huf_sum([x.gross for x in lines]))

    def build(self) -> bytes:
        inv = self.invoice
        if not inv.lines:
            raise ValueError("An invoice has at least one line.")
        root = etree.Element(f"{{{DATA_NS}}}InvoiceData", nsmap=_NSMAP)
        self.el(root, "invoiceNumber", inv.number)
        self.el(root, "invoiceIssueDate", inv.issue_date)
        self.el(root, "completenessIndicator", "false")
        invoice_node = self.el(self.el(root, "invoiceMain"), "invoice")
        if inv.reference:
            ref = self.el(invoice_node, "invoiceReference")
            self.el(ref, "originalInvoiceNumber", inv.reference.original_invoice_number)
            self.el(ref, "modifyWithoutMaster", _text(inv.reference.modify_without_master))
            self.el(ref, "modificationIndex", inv.reference.modification_index)
        head = self.el(invoice_node, "invoiceHead")
        self.supplier(head, inv.seller)
        self.customer(head, inv.buyer)
        self.detail(head)
        lines = self.el(invoice_node, "invoiceLines")
        self.el(lines, "mergedItemIndicator", "false")
        for number, line in enumerate(inv.lines, start=1):
            self.line(lines, number, line)
        self.summary(invoice_node)
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)  # dates print as ISO yyyy-mm-dd, ints as digits


def invoice_data_xml(invoice: Invoice) -> bytes:
    """The InvoiceData document of `invoice` (UTF-8 bytes with declaration)."""
    return _Builder(invoice).build()
