"""The NAV activities called directly (no Temporal): a retried submit never reports twice,
an unknown operation is the caller's bug, and NAV unconfigured waits."""

from __future__ import annotations

import pytest
from temporalio.exceptions import ApplicationError

from activities.nav import ERROR_NAV_UNAVAILABLE, NavActivities
from core.models import NavReport
from nav.invoice_xml import invoice_data_xml
from tests.nav.conftest import StandIn
from tests.nav.samples import hu_invoice
from workflows import invoice_contracts as ic


def _activities(app, nav_standin: StandIn | None) -> NavActivities:  # type: ignore[no-untyped-def]
    client = nav_standin.client() if nav_standin else None
    return NavActivities(client, app.extensions["aos_sessions"])


def test_a_retried_submit_after_nav_took_it_does_not_send_it_again(app, nav_standin):  # type: ignore[no-untyped-def]
    nav = _activities(app, nav_standin)
    inp = ic.InvoiceReportInput.of("AOS-2026-000030", "CREATE", invoice_data_xml(hu_invoice()))
    first = nav.submit_invoice_report(inp)
    calls = nav_standin.state.calls
    again = nav.submit_invoice_report(inp)  # as Temporal would after a lost completion
    assert again.transaction_id == first.transaction_id
    assert nav_standin.state.calls == calls


def test_an_unknown_operation_is_not_retried(app, nav_standin):  # type: ignore[no-untyped-def]
    inp = ic.InvoiceReportInput.of("AOS-2026-000031", "DELETE", invoice_data_xml(hu_invoice()))
    with pytest.raises(ApplicationError) as failed:
        _activities(app, nav_standin).submit_invoice_report(inp)
    assert failed.value.non_retryable and failed.value.type == ic.ERROR_BAD_REPORT


def test_without_nav_settings_the_report_waits_recorded(app):  # type: ignore[no-untyped-def]
    inp = ic.InvoiceReportInput.of("AOS-2026-000032", "CREATE", invoice_data_xml(hu_invoice()))
    with pytest.raises(ApplicationError) as failed:
        _activities(app, None).submit_invoice_report(inp)
    assert not failed.value.non_retryable and failed.value.type == ERROR_NAV_UNAVAILABLE
    with app.extensions["aos_sessions"]() as session:
        assert session.get(NavReport, inp.report_id).status == "SUBMITTING"
