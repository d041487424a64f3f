"""The PDF, read back with pdftotext: every field Áfa tv. 169. § asks for, in Hungarian and
English, for a Hungarian buyer, a German buyer (reverse charge) and a credit note."""

from __future__ import annotations

import re
import subprocess
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import sessionmaker

from invoicing.issuing import issue_credit_note, issue_invoice
from invoicing.pdf import render_pdf
from invoicing.rates import DayRate
from tests.invoicing.conftest import DE_BUYER, HU_BUYER, XI_BUYER, request_for

RATE = DayRate("EUR", date(2026, 12, 5), Decimal("390.12"), 1, date(2026, 12, 4))
# Said on every invoice: the seller, the dates, the line and the rate.
COMMON = [
    "Számlaszám / Invoice number:",
    "Kelt / Issue date: 2026-12-05",
    "Teljesítés dátuma / Fulfilment date: 2026-12-05",
    "Fizetés dátuma / Payment date: 2026-12-05",
    "Fizetési mód / Payment method: Bankkártya / Card",
    "Pénznem / Currency: EUR",
    "Eladó / Seller",
    "AOS Portál Minta Kft.",
    "1117 Budapest, Minta utca 1.",
    "Adószám / Tax number: 10537914-2-44",
    "Közösségi adószám / EU VAT number: HU10537914",
    "Cégjegyzékszám / Registration number: 01-09-000000",
    "Bankszámlaszám / Bank account: 11700000-00000000-00000000",
    "Vevő / Buyer",
    # The table's headings, each in both languages (one above the other).
    *"Megnevezés Description Időszak Period Mennyiség Quantity".split(),
    *["Nettó egységár", "Net unit price", "Nettó érték", "Net amount"],
    *["Áfa mértéke", "VAT rate", "Áfa", "VAT", "Bruttó", "Gross"],
    "Egynapos hozzáférés / One-day access",
    "2026-12-05 – 2026-12-05",
    "MNB árfolyam / MNB exchange rate: 1 EUR = 390,12 HUF (2026-12-04)",
]


def poppler(tool: str, pdf: bytes, tmp_path, *args: str) -> str:  # type: ignore[no-untyped-def]
    path = tmp_path / "invoice.pdf"
    path.write_bytes(pdf)
    command = [tool, str(path), *args]
    return subprocess.run(command, capture_output=True, text=True, check=True, timeout=30).stdout


def pdf_text(pdf: bytes, tmp_path) -> str:  # type: ignore[no-untyped-def]
    """The PDF's text as pdftotext reads it, white space made single spaces."""
    return " ".join(poppler("pdftotext", pdf, tmp_path, "-").split())


def table_rows(pdf: bytes, tmp_path) -> list[str]:  # type: ignore[no-untyped-def]
    """The lines of pdftotext's layout mode (a table row stays one line), spaces made single."""
    layout = poppler("pdftotext", pdf, tmp_path, "-layout", "-")
    return [" ".join(line.split()) for line in layout.splitlines()]


def assert_says(text: str, expected: list[str]) -> None:
    missing = [field for field in expected if field not in text]
    assert not missing, f"missing {missing} in:\n{text}"


def test_a_hungarian_buyers_invoice(sessions: sessionmaker, seller, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with sessions() as session:
        invoice = issue_invoice(session, seller, request_for(HU_BUYER), RATE)
        session.commit()
        pdf = render_pdf(invoice)
    text = pdf_text(pdf, tmp_path)
    info = poppler("pdfinfo", pdf, tmp_path)
    assert "(A4)" in info and re.search(r"^Pages: +1$", info, re.M), info
    fonts = poppler("pdffonts", pdf, tmp_path).splitlines()[2:]
    assert fonts and all(" yes yes yes " in f for f in fonts), fonts  # embedded subsets
    assert_says(
        text,
        COMMON
        + [
            "Számla / Invoice",
            "AOS-2026-000001",
            "Minta Autószerviz Kft.",
            "6720 Szeged, Dugonics tér 2.",
            "Vevő adószáma / Buyer's tax number: 12345676-2-06",
            "Nettó összesen / Total net: 25,00 EUR",
            "Áfa összesen / Total VAT (27 %): 6,75 EUR",
            "Bruttó összesen / Total gross: 31,75 EUR",
            "Áfa forintban / VAT in HUF: 2 633 HUF",  # 6.75 EUR × 390.12
        ],
    )
    assert "Reverse charge" not in text and "Sztornó" not in text
    # quantity, net unit price, net amount, VAT rate, VAT, gross
    assert "1 db 25,00 25,00 27 % 6,75 31,75" in table_rows(pdf, tmp_path)


def test_a_german_buyers_reverse_charge_invoice(sessions: sessionmaker, seller, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with sessions() as session:
        issue_invoice(session, seller, request_for(HU_BUYER), RATE)
        invoice = issue_invoice(session, seller, request_for(DE_BUYER), RATE)
        session.commit()
        pdf = render_pdf(invoice)
    text = pdf_text(pdf, tmp_path)
    assert "1 db 25,00 25,00 0 % 0,00 25,00" in table_rows(pdf, tmp_path)
    assert_says(
        text,
        COMMON
        + [
            "AOS-2026-000002",
            "Werkstatt Müller GmbH",
            "Hauptstraße 5, 80331 München",
            "Vevő közösségi adószáma / Buyer's VAT number: DE129273398",
            "Áfa összesen / Total VAT (0 %): 0,00 EUR",
            "Bruttó összesen / Total gross: 25,00 EUR",
            "Áfa forintban / VAT in HUF: 0 HUF",
            "Fordított adózás / Reverse charge",
        ],
    )


def test_a_credit_note_refers_to_its_invoice(sessions: sessionmaker, seller, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with sessions() as session:
        original = issue_invoice(session, seller, request_for(HU_BUYER), RATE)
        credit = issue_credit_note(session, seller, original.number, date(2026, 12, 9))
        session.commit()
        pdf = render_pdf(credit)
    text = pdf_text(pdf, tmp_path)
    assert "-1 db 25,00 -25,00 27 % -6,75 -31,75" in table_rows(pdf, tmp_path)
    assert_says(
        text,
        [field for field in COMMON if not field.startswith("Kelt")]
        + [
            "Sztornó számla / Credit note",
            "Számlaszám / Invoice number: AOS-2026-000002",
            "Az eredeti számla száma / Original invoice number: AOS-2026-000001 (2026-12-05)",
            "Kelt / Issue date: 2026-12-09",
            "Bruttó összesen / Total gross: -31,75 EUR",
            "Áfa forintban / VAT in HUF: -2 633 HUF",
            "This credit note cancels invoice AOS-2026-000001 in full.",
        ],
    )


def test_a_northern_irish_buyer_is_told_the_supply_is_outside_hungary(
    sessions: sessionmaker,
    seller,
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    with sessions() as session:
        invoice = issue_invoice(session, seller, request_for(XI_BUYER), RATE)
        session.commit()
        text = pdf_text(render_pdf(invoice), tmp_path)
    assert_says(
        text,
        [
            "Belfast Motors Ltd",
            "Vevő adóazonosító száma / Buyer's VAT number: XI123456782",
            "Place of supply outside Hungary",
            "outside the scope of Hungarian VAT",
            "Áfa összesen / Total VAT (0 %): 0,00 EUR",
        ],
    )
    assert "Reverse charge" not in text
