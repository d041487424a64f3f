from collections.abc import Callable

import httpx
import pytest
from flask import Flask

from vies.client import (
    ViesClient,
    ViesError,
    ViesFinalError,
    ViesTransientError,
    classify,
)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("INVALID_INPUT", ViesFinalError),
        ("INVALID_REQUESTER_INFO", ViesFinalError),
        ("VAT_BLOCKED", ViesFinalError),
        ("IP_BLOCKED", ViesFinalError),
        ("SERVICE_UNAVAILABLE", ViesTransientError),
        ("MS_UNAVAILABLE", ViesTransientError),
        ("TIMEOUT", ViesTransientError),
        ("GLOBAL_MAX_CONCURRENT_REQ", ViesTransientError),
        ("GLOBAL_MAX_CONCURRENT_REQ_TIME", ViesTransientError),
        ("MS_MAX_CONCURRENT_REQ", ViesTransientError),
        ("MS_MAX_CONCURRENT_REQ_TIME", ViesTransientError),
        ("NETWORK_ERROR", ViesTransientError),
        ("HTTP_5xx", ViesTransientError),
        ("SOMETHING_NEW", ViesTransientError),  # unknown: be patient
        ("", ViesTransientError),
    ],
)
def test_classify(code: str, expected: type[ViesError]) -> None:
    assert classify(code) is expected


@pytest.mark.parametrize(
    ("number", "code", "error_class"),
    [
        ("201", "INVALID_INPUT", ViesFinalError),
        ("202", "INVALID_REQUESTER_INFO", ViesFinalError),
        ("300", "SERVICE_UNAVAILABLE", ViesTransientError),
        ("301", "MS_UNAVAILABLE", ViesTransientError),
        ("302", "TIMEOUT", ViesTransientError),
        ("400", "VAT_BLOCKED", ViesFinalError),
        ("401", "IP_BLOCKED", ViesFinalError),
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


def test_bad_requester_is_final(standin: str) -> None:
    with pytest.raises(ViesFinalError) as caught:
        ViesClient(standin, requester_vat="HU12345670").check("AT", "U98523534")
    assert caught.value.code == "INVALID_REQUESTER_INFO"


def test_requester_without_prefix_is_refused_at_once() -> None:
    with pytest.raises(ValueError):
        ViesClient("http://127.0.0.1:1", requester_vat="12345676")


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
    [("MS_MAX_CONCURRENT_REQ", ViesTransientError), ("INVALID_INPUT", ViesFinalError)],
)
def test_user_error_inside_200_answer(
    standin: str, code: str, error_class: type[ViesError]
) -> None:
    httpx.post(f"{standin}/_control/fail-next", json={"error": code, "style": "userError"})
    with pytest.raises(error_class) as caught:
        ViesClient(standin).check("HU", "12345676")
    assert caught.value.code == code


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
        (404, "not found", "text/plain", "HTTP_404", ViesTransientError),
        (200, "<html>maintenance</html>", "text/html", "BAD_RESPONSE", ViesTransientError),
        (200, '{"foo": 1}', "application/json", "BAD_RESPONSE", ViesTransientError),
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
