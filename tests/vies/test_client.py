from collections.abc import Callable

import httpx
import pytest
from flask import Flask

from vies.client import (
    StatusCache,
    Trader,
    ViesBlockedError,
    ViesClient,
    ViesError,
    ViesFinalError,
    ViesPortalFault,
    ViesTransientError,
    classify,
)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("INVALID_INPUT", ViesFinalError),
        # the portal's own configuration or network: never the applicant's fault
        ("INVALID_REQUESTER_INFO", ViesPortalFault),
        ("IP_BLOCKED", ViesPortalFault),
        ("VOW-ERR-42", ViesPortalFault),
        ("BAD_RESPONSE", ViesPortalFault),
        ("HTTP_404", ViesPortalFault),
        ("VAT_BLOCKED", ViesBlockedError),
        ("HTTP_429", ViesTransientError),
        ("SERVICE_UNAVAILABLE", ViesTransientError),
        ("MS_UNAVAILABLE", ViesTransientError),
        ("TIMEOUT", ViesTransientError),
        ("GLOBAL_MAX_CONCURRENT_REQ", ViesTransientError),
        ("GLOBAL_MAX_CONCURRENT_REQ_TIME", ViesTransientError),
        ("MS_MAX_CONCURRENT_REQ", ViesTransientError),
        ("MS_MAX_CONCURRENT_REQ_TIME", ViesTransientError),
        ("NETWORK_ERROR", ViesTransientError),
        ("HTTP_5xx", ViesTransientError),
        ("SOMETHING_NEW", ViesPortalFault),  # unknown: the operators look, the applicant waits
        ("", ViesPortalFault),
    ],
)
def test_classify(code: str, expected: type[ViesError]) -> None:
    assert classify(code) is expected


def test_portal_faults_are_retried_like_outages() -> None:
    # Callers that retry ViesTransientError retry our own faults too.
    assert issubclass(ViesPortalFault, ViesTransientError)
    assert not issubclass(ViesBlockedError, ViesTransientError)


@pytest.mark.parametrize(
    ("number", "code", "error_class"),
    [
        ("201", "INVALID_INPUT", ViesFinalError),
        ("202", "INVALID_REQUESTER_INFO", ViesPortalFault),
        ("300", "SERVICE_UNAVAILABLE", ViesTransientError),
        ("301", "MS_UNAVAILABLE", ViesTransientError),
        ("302", "TIMEOUT", ViesTransientError),
        ("400", "VAT_BLOCKED", ViesBlockedError),
        ("401", "IP_BLOCKED", ViesPortalFault),
        ("500", "GLOBAL_MAX_CONCURRENT_REQ", ViesTransientError),
        ("501", "GLOBAL_MAX_CONCURRENT_REQ_TIME", ViesTransientError),
        ("600", "MS_MAX_CONCURRENT_REQ", ViesTransientError),
        ("601", "MS_MAX_CONCURRENT_REQ_TIME", ViesTransientError),
    ],
)
def test_test_service_error_numbers(
    standin: str, number: str, code: str, error_class: type[ViesError]
) -> None:
    with pytest.raises(error_class) as caught:
        ViesClient(standin).check("HU", number)
    assert caught.value.code == code


def test_test_service_valid_and_invalid(standin: str) -> None:
    client = ViesClient(standin)
    valid = client.check("DE", "100")
    assert (valid.valid, valid.name, valid.address) == (True, "TEST COMPANY", "TEST ADDRESS")
    assert client.check("DE", "200").valid is False


def test_valid_sample_company(standin: str) -> None:
    answer = ViesClient(standin).check("HU", "12345676")
    assert answer.valid is True
    assert answer.country_code == "HU"
    assert answer.vat_number == "12345676"
    assert answer.name == "Kovács és Társa Autójavító Kft."
    assert answer.address == "Váci út 22.\n1132 Budapest"
    assert answer.request_date.endswith("Z")
    assert answer.request_identifier == ""  # no requester given
    assert answer.raw["traderNameMatch"] == "NOT_PROCESSED"


def test_unknown_number_with_good_checksum_is_invalid_not_error(standin: str) -> None:
    answer = ViesClient(standin).check("HU", "31672326")
    assert answer.valid is False
    assert answer.name == "---"


def test_bad_checksum_is_invalid_not_error(standin: str) -> None:
    assert ViesClient(standin).check("HU", "12345670").valid is False


def test_greece_is_sent_as_el(standin: str) -> None:
    answer = ViesClient(standin).check("GR", "049544099")
    assert answer.valid is True
    assert answer.country_code == "GR"
    assert answer.raw["countryCode"] == "EL"


def test_requester_gets_a_request_identifier(standin: str) -> None:
    answer = ViesClient(standin, requester_vat="HU12345676").check("AT", "U98523534")
    assert answer.valid is True
    assert answer.request_identifier.startswith("WAPIAAAA")


def test_bad_requester_is_our_fault(standin: str) -> None:
    with pytest.raises(ViesPortalFault) as caught:
        ViesClient(standin, requester_vat="HU12345670").check("AT", "U98523534")
    assert caught.value.code == "INVALID_REQUESTER_INFO"


def test_fail_next_then_recovers(standin: str) -> None:
    httpx.post(f"{standin}/_control/fail-next", json={"count": 2, "error": "MS_UNAVAILABLE"})
    client = ViesClient(standin)
    for _ in range(2):
        with pytest.raises(ViesTransientError, match="MS_UNAVAILABLE"):
            client.check("HU", "12345676")
    assert client.check("HU", "12345676").valid is True
    assert httpx.get(f"{standin}/_control/calls").json() == {"calls": 3}


@pytest.mark.parametrize(
    ("code", "error_class"),
    [
        ("MS_MAX_CONCURRENT_REQ", ViesTransientError),
        ("INVALID_INPUT", ViesFinalError),
        ("IP_BLOCKED", ViesPortalFault),
        ("VOW-ERR-99", ViesPortalFault),
    ],
)
@pytest.mark.parametrize("style", ["userError", "body200", "error"])
def test_errors_in_every_shape(
    standin: str, code: str, error_class: type[ViesError], style: str
) -> None:
    httpx.post(f"{standin}/_control/fail-next", json={"error": code, "style": style})
    with pytest.raises(error_class) as caught:
        ViesClient(standin).check("HU", "12345676")
    assert type(caught.value) is error_class
    assert caught.value.code == code


def test_trader_data_are_sent_and_vies_own_matching_kept(standin: str) -> None:
    trader = Trader("KOVÁCS ÉS TÁRSA AUTÓJAVÍTÓ KFT.", "Váci út 23.", "1132", "Budapest")
    answer = ViesClient(standin).check("HU", "12345676", trader)
    assert answer.raw["traderStreet"] == "Váci út 23."
    assert answer.trader_matches == {
        "name": "VALID",
        "street": "INVALID",
        "postcode": "VALID",
        "city": "VALID",
        "company_type": "NOT_PROCESSED",
    }


def test_check_status_names_the_states_down_and_is_cached(standin: str) -> None:
    cache = StatusCache(standin, max_age=60)
    assert cache.get().unavailable == ()
    httpx.post(f"{standin}/_control/unavailable", json={"countries": ["DE", "GR"]})
    assert cache.get().unavailable == ()  # cached: asked at most once a minute
    assert cache.fetches == 1
    fresh = StatusCache(standin, max_age=60).get()
    assert (fresh.reachable, fresh.unavailable) == (True, ("DE", "GR"))
    # A state marked down answers MS_UNAVAILABLE, as the real service does.
    with pytest.raises(ViesTransientError) as caught:
        ViesClient(standin).check("DE", "149866285")
    assert caught.value.code == "MS_UNAVAILABLE"


def test_check_status_unreachable(closed_port: int) -> None:
    status = StatusCache(f"http://127.0.0.1:{closed_port}", timeout=1).get()
    assert status.reachable is False


def test_network_error_on_closed_port(closed_port: int) -> None:
    with pytest.raises(ViesTransientError) as caught:
        ViesClient(f"http://127.0.0.1:{closed_port}", connect_timeout=1).check("HU", "12345676")
    assert caught.value.code == "NETWORK_ERROR"


def test_read_timeout(standin: str) -> None:
    httpx.post(f"{standin}/_control/latency", json={"seconds": 2})
    with pytest.raises(ViesTransientError) as caught:
        ViesClient(standin, read_timeout=0.2).check("HU", "12345676")
    assert caught.value.code == "TIMEOUT"


def _app(status: int, body: str, content_type: str = "text/plain") -> Flask:
    app = Flask("fake_vies")

    @app.post("/check-vat-number")
    def check() -> tuple[str, int, dict[str, str]]:
        return body, status, {"Content-Type": content_type}

    return app


@pytest.mark.parametrize(
    ("status", "body", "content_type", "code", "error_class"),
    [
        (502, "<html>Bad gateway</html>", "text/html", "HTTP_5xx", ViesTransientError),
        (503, "", "text/plain", "HTTP_5xx", ViesTransientError),
        (429, "slow down", "text/plain", "HTTP_429", ViesTransientError),
        (404, "not found", "text/plain", "HTTP_404", ViesPortalFault),  # a wrong VIES_URL
        (200, "<html>maintenance</html>", "text/html", "BAD_RESPONSE", ViesPortalFault),
        (200, '{"foo": 1}', "application/json", "BAD_RESPONSE", ViesPortalFault),
        (200, '{"actionSucceed": false}', "application/json", "BAD_RESPONSE", ViesPortalFault),
        (
            200,
            '{"actionSucceed": false, "errorWrappers": [{"error": "MS_UNAVAILABLE"}]}',
            "application/json",
            "MS_UNAVAILABLE",
            ViesTransientError,
        ),
        (
            400,
            '{"actionSucceed": false, "errorWrappers": [{"error": "INVALID_INPUT"}]}',
            "application/json",
            "INVALID_INPUT",
            ViesFinalError,
        ),
    ],
)
def test_odd_answers(
    serve_app: Callable[[Flask], str],
    status: int,
    body: str,
    content_type: str,
    code: str,
    error_class: type[ViesError],
) -> None:
    url = serve_app(_app(status, body, content_type))
    with pytest.raises(error_class) as caught:
        ViesClient(url).check("HU", "12345676")
    assert caught.value.code == code


def test_base_url_with_trailing_slash(standin: str) -> None:
    assert ViesClient(standin + "/").check("HU", "100").valid is True


def test_check_status_monitoring_disabled_is_not_down(serve_app: Callable[[Flask], str]) -> None:
    app = Flask("fake_status")

    @app.get("/check-status")
    def status() -> dict:
        return {
            "vow": {"available": True},
            "countries": [
                {"countryCode": "AT", "availability": "Available"},
                {"countryCode": "EL", "availability": "Unavailable"},
                {"countryCode": "MT", "availability": "MonitoringDisabled"},
            ],
        }

    assert StatusCache(serve_app(app)).get().unavailable == ("GR",)


def test_a_requester_number_without_prefix_is_a_portal_fault_not_a_crash(standin: str) -> None:
    # Outside production the worker starts with it; every check waits as the portal's fault
    # (the console's banner says so) until the setting is fixed.
    client = ViesClient(standin, requester_vat="12345676")
    with pytest.raises(ViesPortalFault) as raised:
        client.check("HU", "12345676")
    assert raised.value.code == "INVALID_REQUESTER_INFO"
    assert "country prefix" in raised.value.message
