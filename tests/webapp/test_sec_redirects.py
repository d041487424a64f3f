"""ASVS V3.7 / V8: ?next= after a login goes only to a path of this site."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.webapp.conftest import csrf_token
from tests.webapp.test_admin_auth import make_console_account, next_code
from tests.webapp.test_portal import WORKSHOP, make_applicant
from webapp.sessions import is_local_path

# Known open-redirect bypasses (after the query string's one decoding).
BYPASSES = [
    "//evil.com",
    "/\t/evil.com",
    "/\n/evil.com",
    "/\r/evil.com",
    "/ /evil.com",
    "/\\evil.com",
    "/\\/evil.com",
    "\\\\evil.com",
    "https://evil.com",
    "http:/evil.com",
    "javascript:alert(1)",
    "evil.com",
    "/\x00/evil.com",
    "/\u3000/evil.com",
    "///evil.com",
    "//evil.com/%2F..",
    "",
]


@pytest.mark.parametrize("target", BYPASSES)
def test_bypass_payloads_are_not_local(target: str) -> None:
    assert not is_local_path(target)


@pytest.mark.parametrize("target", ["/portal/", "/portal/technical?x=1", "/portal/%2F%2Fevil"])
def test_local_paths_are_kept(target: str) -> None:
    assert is_local_path(target)


@pytest.mark.parametrize(
    "target", ["/\t/evil.com", "//evil.com", "/\\evil.com", "https://evil.com"]
)
def test_applicant_login_never_redirects_elsewhere(app, client, target: str) -> None:  # type: ignore[no-untyped-def]
    make_applicant(app, WORKSHOP)
    token = csrf_token(client, "/login?lang=en")
    response = client.post(
        f"/login?next={quote(target, safe='')}",
        data={"email": WORKSHOP, "password": "applicant password 1", "csrf_token": token},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/portal/"


def test_console_code_step_never_redirects_elsewhere(app, client) -> None:  # type: ignore[no-untyped-def]
    make_console_account(app)
    token = csrf_token(client, "/admin/login?lang=en")
    first = client.post(
        "/admin/login?next=/%09/evil.com",
        data={"email": "admin@aos.test", "password": "console password 123", "csrf_token": token},
    )
    assert first.status_code == 302
    step = first.headers["Location"]
    assert "evil" not in step
    code = next_code(app, "admin@aos.test")
    done = client.post(
        step + "?next=/%09/evil.com", data={"code": code, "csrf_token": csrf_token(client, step)}
    )
    assert done.status_code == 302
    assert done.headers["Location"].startswith("/admin/")
    assert "evil" not in done.headers["Location"]
