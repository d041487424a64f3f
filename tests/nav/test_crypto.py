"""The hashes and the token cipher, checked against NAV's own published sample requests
(tests/nav/data: nav-gov-hu/Online-Invoice sample/API sample/manageInvoice.xml, whose
comments give the signature key and the per-invoice hashes)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from nav import crypto

SAMPLE = (Path(__file__).parent / "data" / "nav_sample_manageInvoice.xml").read_text()
SIGN_KEY = "ac-ac3a-7f661bff7d342N43CYX4U9FG"


def test_the_per_invoice_hash_is_navs() -> None:
    data = re.search(r"<invoiceData>(.*?)</invoiceData>", SAMPLE, re.S).group(1).strip()
    first = re.search(r"<firstIndexHash>(\w+)<", SAMPLE).group(1)
    assert crypto.operation_hash("CREATE", data) == first


def test_the_manage_invoice_signature_is_navs() -> None:
    hashes = re.findall(r"IndexHash>(\w+)<", SAMPLE)
    moment = datetime(2020, 9, 11, 12, 44, 55, 442000, tzinfo=UTC)  # milliseconds not signed
    expected = re.search(r'requestSignature cryptoType="SHA3-512">(\w+)<', SAMPLE).group(1)
    assert crypto.signature_from_hashes("RID181837288942", moment, SIGN_KEY, hashes) == expected


def test_the_token_exchange_signature_is_navs() -> None:
    # NAV's sample tokenExchange.xml: same key, no invoices.
    moment = datetime(2019, 9, 11, 10, 55, 31, 440000, tzinfo=UTC)
    assert crypto.request_signature("RID896801578348", moment, SIGN_KEY).startswith(
        "B4B5E0F197BFFD3DF69BCC98D3BE775F65FD5445EEF95C9D"
    )


def test_the_password_hash_is_upper_case_sha512() -> None:
    assert crypto.password_hash("abc") == (
        "DDAF35A193617ABACC417349AE20413112E6FA4E89A97EA20A9EEEE64B55D39A"
        "2192992A274FC1A836BA3C23A3FEEBBD454D4423643CE80E2A9AC94FA54CA49F"
    )


def test_the_timestamp_is_signed_in_utc() -> None:
    from datetime import timedelta, timezone

    budapest = datetime(2026, 12, 4, 20, 0, 1, tzinfo=timezone(timedelta(hours=1)))
    assert crypto.signature_timestamp(budapest) == "20261204190001"


def test_the_exchange_token_round_trips_and_a_wrong_key_is_said() -> None:
    encoded = crypto.encrypt_token(
        "b1aca173-d9e8-4561-9237-0511eed99eaa2P0ZHLXBRI2U", "0123456789abcdef"
    )
    assert crypto.decrypt_token(encoded, "0123456789abcdef").startswith("b1aca173")
    with pytest.raises(ValueError, match="16 characters"):
        crypto.decrypt_token(encoded, "short")
    with pytest.raises(ValueError):
        crypto.decrypt_token(encoded, "fedcba9876543210")
