"""ASVS V6.3 (brute force): failed logins throttled per account and per client IP, on the
applicant login, the console password step and the TOTP step; the limiter lives in the
database, so every web process shares it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.webapp.conftest import csrf_token
from tests.webapp.test_admin_auth import PASSWORD as CONSOLE_PASSWORD
from tests.webapp.test_admin_auth import _code, _password, make_console_account, next_code
from tests.webapp.test_portal import PASSWORD, WORKSHOP, make_applicant
from webapp.support.ratelimit import RateLimitHit


def _login(client, email: str, password: str, path: str = "/login", ip: str = "198.51.100.1"):  # type: ignore[no-untyped-def]
    token = csrf_token(client, f"{path}?lang=en")
    return client.post(
        path,
        data={"email": email, "password": password, "csrf_token": token},
        environ_overrides={"REMOTE_ADDR": ip},
    )


def _age_hits(app, seconds: int) -> None:  # type: ignore[no-untyped-def]
    """Move every recorded attempt into the past, as waiting would."""
    with app.extensions["aos_sessions"].begin() as session:
        for hit in session.scalars(select(RateLimitHit)):  # in Python: SQLite has no interval
            hit.at = hit.at - timedelta(seconds=seconds)


@pytest.mark.parametrize("path", ["/login", "/admin/login"])
def test_forty_wrong_passwords_then_the_right_one_is_refused(app, client, path: str) -> None:  # type: ignore[no-untyped-def]
    if path == "/login":
        make_applicant(app, WORKSHOP)
        email, right = WORKSHOP, PASSWORD
    else:
        make_console_account(app)
        email, right = "admin@aos.test", CONSOLE_PASSWORD
    answers = [_login(client, email, "wrong password!", path).status_code for _ in range(40)]
    assert answers[:5] == [401] * 5 and set(answers[5:]) == {429}
    last = _login(client, email, right, path)
    assert last.status_code == 429
    wait = int(last.headers["Retry-After"])
    assert 0 < wait <= 300
    assert "Too many attempts. Please try again after" in last.get_data(as_text=True)


def test_the_refusal_speaks_hungarian(app, client) -> None:  # type: ignore[no-untyped-def]
    for _ in range(5):
        _login(client, "nobody@example.hu", "wrong password!")
    client.get("/?lang=hu")
    token = csrf_token(client, "/login")
    refused = client.post(
        "/login",
        data={"email": "nobody@example.hu", "password": "x", "csrf_token": token},
        environ_overrides={"REMOTE_ADDR": "198.51.100.1"},
    )
    assert refused.status_code == 429
    assert "Túl sok próbálkozás" in refused.get_data(as_text=True)


def test_unknown_accounts_get_the_same_answers(app, client) -> None:  # type: ignore[no-untyped-def]
    make_applicant(app, WORKSHOP)
    known = [_login(client, WORKSHOP, "wrong password!").status_code for _ in range(7)]
    unknown = [_login(client, "nobody@example.hu", "wrong!").status_code for _ in range(7)]
    assert known == unknown == [401] * 5 + [429] * 2


def test_the_delay_grows_and_a_success_resets_the_account(app, client) -> None:  # type: ignore[no-untyped-def]
    make_applicant(app, WORKSHOP)
    for _ in range(5):
        assert _login(client, WORKSHOP, "wrong password!").status_code == 401
    _age_hits(app, 301)  # the first series has waited its 5 minutes
    for _ in range(5):
        assert _login(client, WORKSHOP, "wrong password!").status_code == 401
    refused = _login(client, WORKSHOP, PASSWORD)
    assert refused.status_code == 429
    assert 300 < int(refused.headers["Retry-After"]) <= 600  # the second series waits 10 min
    _age_hits(app, 601)
    assert _login(client, WORKSHOP, PASSWORD).status_code == 302
    client.post("/logout", data={"csrf_token": csrf_token(client, "/portal/account")})
    for _ in range(5):  # the success forgot the failures: a fresh series of five
        assert _login(client, WORKSHOP, "wrong password!").status_code == 401


def test_thirty_failures_a_minute_from_one_ip_across_accounts(app, client) -> None:  # type: ignore[no-untyped-def]
    answers = [_login(client, f"user{i}@example.hu", "wrong!").status_code for i in range(31)]
    assert answers == [401] * 30 + [429]
    other_ip = _login(client, "user0@example.hu", "wrong!", ip="198.51.100.2")
    assert other_ip.status_code == 401


def test_the_totp_step_is_throttled_per_account(app, client) -> None:  # type: ignore[no-untyped-def]
    make_console_account(app)
    assert _password(client).status_code == 302
    answers = []
    for _ in range(4):
        answers.append(_code(client, "/admin/login/code", "000000").status_code)
    assert answers == [401] * 4
    assert _code(client, "/admin/login/code", next_code(app, "admin@aos.test")).status_code == 302
