"""The client speaks NAV's protocol to the stand-in over HTTP, and the stand-in answers as
NAV does: schema, user and signature checks, statuses, warnings, errors and outages."""

from __future__ import annotations

import base64
from dataclasses import replace

import httpx
import pytest
from lxml import etree

from nav.client import NavClient, NavRejected, NavUnavailable
from nav.invoice_xml import invoice_data_xml
from nav.schemas import api_errors
from tests.nav.conftest import StandIn
from tests.nav.samples import credit_note, de_invoice, hu_invoice


def _until_final(client: NavClient, transaction_id: str):  # type: ignore[no-untyped-def]
    seen = []
    for _ in range(10):
        status = client.query_transaction_status(transaction_id)
        seen.append(status.status)
        if status.final:
            return status, seen
    raise AssertionError(f"never final: {seen}")


def test_an_invoice_is_received_processed_and_done(nav_standin: StandIn) -> None:
    nav_standin.post("polls", count=2)
    client = nav_standin.client()
    transaction_id = client.manage_invoice("CREATE", invoice_data_xml(hu_invoice()))
    assert len(transaction_id) == 16
    status, seen = _until_final(client, transaction_id)
    assert seen == ["RECEIVED", "PROCESSING", "DONE"]
    assert status.messages == ()


def test_an_eu_invoice_in_eur_is_done(nav_standin: StandIn) -> None:
    client = nav_standin.client()
    status, _ = _until_final(
        client, client.manage_invoice("CREATE", invoice_data_xml(de_invoice()))
    )
    assert status.status == "DONE"


@pytest.mark.parametrize("operation", ["MODIFY", "STORNO"])
def test_a_credit_note_before_its_invoice_is_done_with_a_warning(
    nav_standin: StandIn, operation: str
) -> None:
    client = nav_standin.client()
    xml = invoice_data_xml(credit_note(hu_invoice()))
    status, _ = _until_final(client, client.manage_invoice(operation, xml))
    assert status.status == "DONE"
    assert [(m.result_code, m.code) for m in status.messages] == [
        ("WARN", "INVALID_INVOICE_REFERENCE")
    ]


def test_a_credit_note_after_its_invoice_is_done_without_warnings(nav_standin: StandIn) -> None:
    client = nav_standin.client()
    invoice = hu_invoice()
    assert _until_final(client, client.manage_invoice("CREATE", invoice_data_xml(invoice)))[0]
    status, _ = _until_final(
        client, client.manage_invoice("STORNO", invoice_data_xml(credit_note(invoice)))
    )
    assert (status.status, status.messages) == ("DONE", ())


@pytest.mark.parametrize(
    ("operation", "which", "code"),
    [
        ("CREATE", "credit note", "INVOICE_REFERENCE_NOT_EXPECTED"),
        ("STORNO", "invoice", "INVOICE_REFERENCE_EXPECTED"),
        ("MODIFY", "credit note without line references", "LINE_MODIFICATION_EXPECTED"),
        ("CREATE", "domestic buyer without tax number", "MISSING_CUSTOMER_DOMESTIC_TAXNUMBER"),
    ],
)
def test_a_document_against_navs_chain_rules_is_aborted(
    nav_standin: StandIn, operation: str, which: str, code: str
) -> None:
    invoice = hu_invoice()
    xml = {
        "credit note": lambda: invoice_data_xml(credit_note(invoice)),
        "invoice": lambda: invoice_data_xml(invoice),
        "credit note without line references": lambda: invoice_data_xml(
            replace(
                credit_note(invoice),
                lines=tuple(replace(x, reference_line=None) for x in credit_note(invoice).lines),
            )
        ),
        "domestic buyer without tax number": lambda: _without_customer_tax_number(invoice),
    }[which]()
    client = nav_standin.client()
    status, _ = _until_final(client, client.manage_invoice(operation, xml))
    assert status.status == "ABORTED"
    assert [m.code for m in status.messages if m.result_code == "ERROR"] == [code]


def _without_customer_tax_number(invoice) -> bytes:  # type: ignore[no-untyped-def]
    doc = etree.fromstring(invoice_data_xml(invoice))
    vat_data = doc.find(".//{*}customerInfo/{*}customerVatData")
    vat_data.getparent().remove(vat_data)
    return etree.tostring(doc, xml_declaration=True, encoding="UTF-8")


def test_the_same_number_twice_is_aborted_with_navs_code(nav_standin: StandIn) -> None:
    client = nav_standin.client()
    xml = invoice_data_xml(hu_invoice())
    assert _until_final(client, client.manage_invoice("CREATE", xml))[0].status == "DONE"
    status, _ = _until_final(client, client.manage_invoice("CREATE", xml))
    assert status.status == "ABORTED"
    assert status.messages[0].code == "INVOICE_NUMBER_NOT_UNIQUE"
    assert "already been used" in status.messages[0].text


def test_invoice_data_against_the_schema_is_aborted_with_schema_violation(
    nav_standin: StandIn,
) -> None:
    client = nav_standin.client()
    xml = invoice_data_xml(hu_invoice()).replace(b"<currencyCode>HUF", b"<currencyCode>huf")
    status, _ = _until_final(client, client.manage_invoice("CREATE", xml))
    assert status.status == "ABORTED"
    assert status.messages[0].code == "SCHEMA_VIOLATION"
    assert "currencyCode" in status.messages[0].text


def test_a_wrong_huf_amount_is_a_warning_on_its_line(nav_standin: StandIn) -> None:
    invoice = de_invoice()
    xml = invoice_data_xml(replace(invoice, exchange_rate=invoice.exchange_rate * 2))
    xml = xml.replace(b"<exchangeRate>776.30<", b"<exchangeRate>388.15<")
    client = nav_standin.client()
    status, _ = _until_final(client, client.manage_invoice("CREATE", xml))
    assert status.status == "DONE"
    codes = {(m.code, m.line) for m in status.messages}
    assert ("INCORRECT_LINE_CALCULATION_LINE_NET_AMOUNT_HUF", 1) in codes


@pytest.mark.parametrize(
    ("user", "code"),
    [
        ({"password": "wrong"}, "INVALID_SECURITY_USER"),
        ({"tax_number": "11111111"}, "INVALID_SECURITY_USER"),
        ({"signature_key": "not-the-key-0123456789abcdefghij"}, "INVALID_REQUEST_SIGNATURE"),
    ],
)
def test_wrong_credentials_are_refused_with_navs_code(
    nav_standin: StandIn, user: dict[str, str], code: str
) -> None:
    with pytest.raises(NavRejected) as refused:
        nav_standin.client(**user).token_exchange()
    assert refused.value.code == code


def test_a_wrong_exchange_key_is_said(nav_standin: StandIn) -> None:
    with pytest.raises(NavRejected) as refused:
        nav_standin.client(exchange_key="0000000000000000").manage_invoice(
            "CREATE", invoice_data_xml(hu_invoice())
        )
    assert refused.value.code == "TOKEN_DECRYPTION_FAILED"


def test_a_request_against_the_api_schema_is_refused_with_the_schema_message(
    nav_standin: StandIn,
) -> None:
    config = nav_standin.config()
    client = NavClient(replace(config, software=replace(config.software, software_id="short")))
    with pytest.raises(NavRejected) as refused:
        client.token_exchange()
    assert refused.value.code == "SCHEMA_VIOLATION"
    assert "softwareId" in refused.value.messages[0].text


def test_a_reused_exchange_token_is_refused(nav_standin: StandIn) -> None:
    client = nav_standin.client()
    token = client.token_exchange()
    client.token_exchange = lambda: token  # type: ignore[method-assign]
    client.manage_invoice("CREATE", invoice_data_xml(hu_invoice()))
    with pytest.raises(NavUnavailable) as refused:  # a fresh token next time will do
        client.manage_invoice("CREATE", invoice_data_xml(hu_invoice("AOS-2026-000009")))
    assert refused.value.code == "INVALID_EXCHANGE_TOKEN"


@pytest.mark.parametrize(("mode", "code"), [("503", "HTTP_503"), ("500", "OPERATION_FAILED")])
def test_an_outage_is_unavailable_and_then_it_works_again(
    nav_standin: StandIn, mode: str, code: str
) -> None:
    nav_standin.post("fault", mode=mode, count=2)
    client = nav_standin.client()
    for _ in range(2):
        with pytest.raises(NavUnavailable) as down:
            client.token_exchange()
        assert down.value.code == code
    assert client.token_exchange()


def test_a_timeout_is_unavailable(nav_standin: StandIn) -> None:
    nav_standin.post("fault", mode="timeout", count=1, seconds=5)
    client = NavClient(replace(nav_standin.config(), timeout=0.3))
    with pytest.raises(NavUnavailable) as down:
        client.token_exchange()
    assert down.value.code == "UNREACHABLE"


def test_nav_unreachable_is_unavailable(nav_standin: StandIn) -> None:
    config = replace(nav_standin.config(), api_url="http://127.0.0.1:9/invoiceService/v3")
    with pytest.raises(NavUnavailable) as down:
        NavClient(config).token_exchange()
    assert down.value.code == "UNREACHABLE"


def test_an_issue_date_in_the_future_is_aborted(nav_standin: StandIn) -> None:
    from datetime import date, timedelta

    future = replace(hu_invoice(), issue_date=date.today() + timedelta(days=3))
    client = nav_standin.client()
    status, _ = _until_final(client, client.manage_invoice("CREATE", invoice_data_xml(future)))
    assert status.status == "ABORTED"
    assert status.messages[0].code == "INCORRECT_DATE_INVOICE_ISSUE_DATE_LATE"


def test_the_stand_ins_answers_are_valid_api_documents(nav_standin: StandIn) -> None:
    """Checked on the wire: every answer of a full round validates against invoiceApi.xsd."""
    answers: list[bytes] = []

    def keep(response: httpx.Response) -> None:
        answers.append(response.read())

    http = httpx.Client(event_hooks={"response": [keep]})
    client = NavClient(nav_standin.config(), http=http)
    xml = invoice_data_xml(credit_note(hu_invoice()))
    _until_final(client, client.manage_invoice("MODIFY", xml))
    with pytest.raises(NavRejected):
        NavClient(nav_standin.config(password="x"), http=http).token_exchange()
    nav_standin.post("fault", mode="500", count=1)
    with pytest.raises(NavUnavailable):
        NavClient(nav_standin.config(), http=http).token_exchange()
    assert len(answers) >= 5
    assert [api_errors(a) for a in answers] == [[] for _ in answers]
    sent = etree.fromstring(answers[0])
    assert etree.QName(sent).namespace == "http://schemas.nav.gov.hu/OSA/3.0/api"
    assert base64.b64decode(sent.findtext("{*}encodedExchangeToken"))
