"""The invoice as a PDF: one Jinja template (invoicing/templates/invoice.html), Hungarian and
English side by side, A4, rendered by WeasyPrint with DejaVu Sans (its subset is embedded, so
ő and ű print and `pdftotext` reads them back).

A PDF is rendered from the stored, immutable rows, so the same invoice gives the same text
every time it is downloaded.
"""

from __future__ import annotations

from decimal import Decimal

from jinja2 import Environment, PackageLoader, select_autoescape

from core.models import Invoice, InvoiceLine
from invoicing.vat import EU_SERVICE_STATES, TREATMENTS, VatCase, VatTreatment

_ENV = Environment(
    loader=PackageLoader("invoicing", "templates"),
    autoescape=select_autoescape(["html"]),
    keep_trailing_newline=True,
)
PAYMENT_METHODS = {"card": "Bankkártya / Card", "transfer": "Átutalás / Bank transfer"}
BUYER_VAT_LABELS = {
    "HU": "Vevő adószáma / Buyer's tax number",
    "EU": "Vevő közösségi adószáma / Buyer's VAT number",
    "third": "Vevő adóazonosító száma / Buyer's VAT number",
}
TITLES = {"invoice": ("Számla", "Invoice"), "credit_note": ("Sztornó számla", "Credit note")}


def money(minor: int) -> str:
    """Minor units as the invoice prints them: 1 234,56 (a space between thousands)."""
    sign = "-" if minor < 0 else ""
    whole, cents = divmod(abs(minor), 100)
    return f"{sign}{whole:,}".replace(",", " ") + f",{cents:02d}"


def forint(amount: int) -> str:
    return f"{amount:,}".replace(",", " ")


def rate_text(rate: str) -> str:
    return str(Decimal(rate)).replace(".", ",")


def treatment_of(invoice: Invoice) -> VatTreatment:
    """The case stored at issue time decides (the buyer's VIES answer of that day)."""
    return TREATMENTS[VatCase(invoice.vat_case)]


def render_html(invoice: Invoice) -> str:
    title_hu, title_en = TITLES[invoice.kind]
    treatment = treatment_of(invoice)
    label = BUYER_VAT_LABELS["HU" if invoice.buyer_country == "HU" else "EU"]
    if invoice.buyer_country not in EU_SERVICE_STATES:
        label = BUYER_VAT_LABELS["third"]  # a UK (XI) number is no közösségi adószám

    def rate_label(line: InvoiceLine) -> str:
        return f"{line.vat_rate} %"

    return _ENV.get_template("invoice.html").render(
        invoice=invoice,
        original=invoice.original,
        title_hu=title_hu,
        title_en=title_en,
        treatment=treatment,
        buyer_vat_label=label,
        payment_method=PAYMENT_METHODS.get(invoice.payment_method, invoice.payment_method),
        money=money,
        forint=forint,
        rate_label=rate_label,
        rates=", ".join(sorted({f"{line.vat_rate} %" for line in invoice.lines})),
        rate_text=rate_text(invoice.exchange_rate) if invoice.exchange_rate else "",
    )


def render_pdf(invoice: Invoice) -> bytes:
    from weasyprint import HTML  # imported when used: it loads pango at import time

    return HTML(string=render_html(invoice)).write_pdf()
