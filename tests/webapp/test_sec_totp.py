"""ASVS V6.6 (TOTP): ASCII digits only, and the 5-failure lock holds under concurrency.

Parallel requests go to a real HTTP server in threads, so they race on the database (run
with TEST_DATABASE_URL for PostgreSQL's row locks; SQLite serialises the writes)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import select

from core.models import Account
from tests.webapp.conftest import csrf_from
from tests.webapp.live import serve
from tests.webapp.test_admin_auth import PASSWORD, _code, _password, make_console_account
from webapp import totp


def _failures(app) -> int:  # type: ignore[no-untyped-def]
    with app.extensions["aos_sessions"]() as session:
        account = session.scalars(select(Account).where(Account.email == "admin@aos.test")).one()
        return account.totp_failures


@pytest.mark.parametrize("code", ["١٢٣٤٥٦", "１２３４５６", "12345\u0666", "12 34 56\n"])
def test_codes_in_other_digits_are_wrong_not_a_crash(app, client, code: str) -> None:  # type: ignore[no-untyped-def]
    make_console_account(app)
    assert _password(client).status_code == 302
    response = _code(client, "/admin/login/code", code)
    assert response.status_code == 401
    assert totp.matching_step("JBSWY3DPEHPK3PXP", code) is None


def test_fifty_parallel_wrong_codes_get_five_checks_and_lock(app, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    make_console_account(app)
    checked = []
    lock = threading.Lock()
    real = totp.matching_step

    def counting(secret: str, code: str, now: float | None = None):  # type: ignore[no-untyped-def]
        with lock:
            checked.append(code)
        return real(secret, code, now)

    monkeypatch.setattr(totp, "matching_step", counting)
    with serve(app) as base, httpx.Client(base_url=base) as browser:
        token = csrf_from(browser.get("/admin/login?lang=en").text)
        first = browser.post(
            "/admin/login",
            data={"email": "admin@aos.test", "password": PASSWORD, "csrf_token": token},
        )
        assert first.status_code == 302
        page = browser.get("/admin/login/code")
        token = csrf_from(page.text)
        cookies = dict(browser.cookies)

        def attempt(_: int) -> int:
            with httpx.Client(base_url=base, cookies=cookies) as parallel:
                data = {"code": "000000", "csrf_token": token}
                return parallel.post("/admin/login/code", data=data).status_code

        with ThreadPoolExecutor(max_workers=25) as pool:
            answers = list(pool.map(attempt, range(50)))
    assert len(checked) <= totp.MAX_FAILURES, len(checked)
    assert _failures(app) == totp.MAX_FAILURES
    assert set(answers) <= {401, 302, 429}
