import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from vies.standin import TEST_NUMBERS, create_app, load_companies
from vies.vatnumber import InvalidVatNumber, normalize_vat


def _check(base: str, body: dict[str, str]) -> httpx.Response:
    return httpx.post(f"{base}/check-vat-number", json=body)


def test_sample_data_is_rich_enough() -> None:
    companies = load_companies()
    countries = [cc for cc, _ in companies]
    assert len(companies) >= 8
    assert countries.count("HU") >= 3
    assert {"HU", "DE", "IT", "AT", "SK"} <= set(countries)
    for (cc, number), company in companies.items():
        assert normalize_vat(cc, number) == number
        assert company["name"] and company["address"]


@pytest.mark.parametrize("path", ["/health", "/check-vat-number/health", "/check-status"])
def test_health_endpoints(standin: str, path: str) -> None:
    assert httpx.get(f"{standin}{path}").status_code == 200


@pytest.mark.parametrize(
    ("number", "status"),
    [
        ("201", 400),
        ("202", 400),
        ("300", 500),
        ("301", 500),
        ("302", 500),
        ("400", 500),
        ("401", 500),
        ("500", 500),
        ("501", 500),
        ("600", 500),
        ("601", 500),
    ],
)
def test_error_numbers_use_the_eu_error_body(standin: str, number: str, status: int) -> None:
    response = _check(standin, {"countryCode": "SK", "vatNumber": number})
    assert response.status_code == status
    assert response.json() == {
        "actionSucceed": False,
        "errorWrappers": [
            {
                "error": TEST_NUMBERS[number],
                "message": response.json()["errorWrappers"][0]["message"],
            }
        ],
    }


def test_answer_shape(standin: str) -> None:
    body = _check(standin, {"countryCode": "IT", "vatNumber": "IT 03532650201"}).json()
    assert body["valid"] is True
    assert body["countryCode"] == "IT" and body["vatNumber"] == "03532650201"
    assert body["address"] == "VIA NAZIONALE 91 \n00184 ROMA RM\n"
    assert body["requestIdentifier"] == ""
    assert body["traderStreetMatch"] == "NOT_PROCESSED"
    assert len(body["requestDate"]) == len("2026-11-24T10:00:00.000Z")


@pytest.mark.parametrize(
    "body",
    [
        {"countryCode": "GR", "vatNumber": "049544099"},  # VIES only knows EL
        {"countryCode": "US", "vatNumber": "12345676"},
        {"countryCode": "HU", "vatNumber": ""},
        {"countryCode": "HU", "vatNumber": "1234"},
        {"vatNumber": "12345676"},
    ],
)
def test_bad_input(standin: str, body: dict[str, str]) -> None:
    response = _check(standin, body)
    assert response.status_code == 400
    assert response.json()["errorWrappers"][0]["error"] == "INVALID_INPUT"


def test_not_json_is_invalid_input(standin: str) -> None:
    response = httpx.post(f"{standin}/check-vat-number", content=b"nonsense")
    assert response.status_code == 400


def test_calls_counter_and_reset(standin: str) -> None:
    for _ in range(3):
        _check(standin, {"countryCode": "HU", "vatNumber": "100"})
    assert httpx.get(f"{standin}/_control/calls").json() == {"calls": 3}
    httpx.post(f"{standin}/_control/fail-next", json={"count": 5})
    httpx.post(f"{standin}/_control/reset")
    assert httpx.get(f"{standin}/_control/calls").json() == {"calls": 0}
    assert _check(standin, {"countryCode": "HU", "vatNumber": "100"}).status_code == 200


@pytest.mark.parametrize(
    ("path", "body"),
    [("/_control/fail-next", {"count": "many"}), ("/_control/latency", {"seconds": "slow"})],
)
def test_control_rejects_nonsense(standin: str, path: str, body: dict[str, str]) -> None:
    assert httpx.post(f"{standin}{path}", json=body).status_code == 400


def test_own_data_file(tmp_path: Path) -> None:
    data = tmp_path / "companies.json"
    entry = {
        "countryCode": "HU",
        "vatNumber": "HU 3167-2326",
        "name": "Próba Kft.",
        "address": "Fő tér 1.\n1011 Budapest",
    }
    data.write_text(json.dumps([entry]), encoding="utf-8")
    client = create_app(str(data)).test_client()
    answer = client.post("/check-vat-number", json={"countryCode": "HU", "vatNumber": "31672326"})
    assert answer.get_json()["name"] == "Próba Kft."
    # the packaged samples are not there
    answer = client.post("/check-vat-number", json={"countryCode": "HU", "vatNumber": "12345676"})
    assert answer.get_json()["valid"] is False


def test_broken_sample_number_fails_loudly(tmp_path: Path) -> None:
    data = tmp_path / "companies.json"
    entry = {"countryCode": "HU", "vatNumber": "12345670", "name": "X", "address": "Y"}
    data.write_text(json.dumps({"companies": [entry]}), encoding="utf-8")
    with pytest.raises(InvalidVatNumber):
        create_app(str(data))


def test_command_line_serves(closed_port: int) -> None:
    command = [sys.executable, "-m", "vies.standin", "--port", str(closed_port)]
    repo = Path(__file__).resolve().parents[2]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=repo)
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        assert line == f"VIES stand-in listening on http://127.0.0.1:{closed_port}"
        response = httpx.post(
            f"http://127.0.0.1:{closed_port}/check-vat-number",
            json={"countryCode": "HU", "vatNumber": "12345676"},
        )
        assert response.json()["name"] == "Kovács és Társa Autójavító Kft."
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()


def test_one_company_per_member_state_and_xi() -> None:
    from vies.vatnumber import EU_COUNTRY_CODES

    assert {cc for cc, _ in load_companies()} == set(EU_COUNTRY_CODES)


def test_test_service_knows_only_the_test_numbers(standin: str) -> None:
    url = f"{standin}/check-vat-test-service"
    valid = httpx.post(url, json={"countryCode": "CZ", "vatNumber": "100"})
    assert (valid.status_code, valid.json()["valid"]) == (200, True)
    assert httpx.post(url, json={"countryCode": "CZ", "vatNumber": "200"}).json()["valid"] is False
    blocked = httpx.post(url, json={"countryCode": "CZ", "vatNumber": "400"})
    assert blocked.json()["errorWrappers"][0]["error"] == "VAT_BLOCKED"
    real = httpx.post(url, json={"countryCode": "CZ", "vatNumber": "35192275"})
    assert real.json()["errorWrappers"][0]["error"] == "INVALID_INPUT"


def test_error_inside_a_200_answer(standin: str) -> None:
    httpx.post(f"{standin}/_control/fail-next", json={"error": "IP_BLOCKED", "style": "body200"})
    answer = _check(standin, {"countryCode": "HU", "vatNumber": "12345676"})
    assert answer.status_code == 200
    assert answer.json() == {
        "actionSucceed": False,
        "errorWrappers": [{"error": "IP_BLOCKED", "message": "VIES stand-in: IP_BLOCKED"}],
    }


def test_member_state_marked_unavailable_until_reset(standin: str) -> None:
    marked = httpx.post(f"{standin}/_control/unavailable", json={"countries": ["CZ", "GR"]})
    assert marked.json() == {"unavailable": ["CZ", "EL"]}
    status = httpx.get(f"{standin}/check-status").json()
    down = {c["countryCode"] for c in status["countries"] if c["availability"] != "Available"}
    assert down == {"CZ", "EL"}
    answer = _check(standin, {"countryCode": "CZ", "vatNumber": "35192275"})
    assert answer.json()["errorWrappers"][0]["error"] == "MS_UNAVAILABLE"
    httpx.post(f"{standin}/_control/reset")
    assert _check(standin, {"countryCode": "CZ", "vatNumber": "35192275"}).json()["valid"]
    bad = httpx.post(f"{standin}/_control/unavailable", json={"countries": ["US"]})
    assert bad.status_code == 400


def test_fail_rate_fails_a_share_of_checks_until_reset(standin: str) -> None:
    """`make chaos`'s VIES: a share of checks fails transiently for a while."""
    valid = {"countryCode": "HU", "vatNumber": "100"}
    httpx.post(f"{standin}/_control/fail-rate", json={"rate": 0.5, "seconds": 600})
    answers = [_check(standin, valid).status_code for _ in range(40)]
    assert 5 < answers.count(500) < 35 and answers.count(200) == 40 - answers.count(500)
    httpx.post(f"{standin}/_control/fail-rate", json={"rate": 1.0, "seconds": 0})
    assert _check(standin, valid).status_code == 200  # the period is over
    httpx.post(f"{standin}/_control/fail-rate", json={"rate": 1.0, "seconds": 600})
    assert _check(standin, valid).status_code == 500
    httpx.post(f"{standin}/_control/reset")
    assert _check(standin, valid).status_code == 200
    bad = httpx.post(f"{standin}/_control/fail-rate", json={"rate": "often"})
    assert bad.status_code == 400
