"""Form fuzzing (ASVS V2): Hypothesis generates bodies for every POST route of the app and
posts them as an anonymous visitor, a logged-in applicant and a console administrator.

Bodies: random Unicode, control characters, bidi controls, oversize values, other digits,
missing and duplicated fields, unknown field names, raw bytes that are not UTF-8, and a
right, wrong or missing CSRF token. Anything 5xx (or an exception, which the test client
raises instead of answering 500) is counted and its first lines kept.

Used by tests/webapp/test_sec_fuzz.py (a 1,000-request slice in `make test`) and by
`make fuzz` (the same test with FUZZ_REQUESTS=12000, on SQLite and on PostgreSQL).
"""

from __future__ import annotations

import random
import traceback
from collections import Counter
from dataclasses import dataclass, field

from flask import Flask
from flask.testing import FlaskClient
from flask_wtf import FlaskForm
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict
from wtforms.fields.core import UnboundField

from tests.webapp.conftest import csrf_from
from webapp.tokens import confirmation_token, status_token

# Routes that would end the fuzzing client's own login; they are fuzzed anonymously.
SESSION_ENDING = {
    "auth.login",
    "auth.logout",
    "admin.login",
    "admin.code",
    "admin.enrol",
    "admin.logout",
    "portal.logout_everywhere",
}
SPECIAL = [
    "",
    " ",
    "0",
    "-1",
    "9" * 40,
    "HU12345676",
    "peter@kovacs-auto.hu",
    "a@b",
    "١٢٣٤٥٦",
    "１２３４５６",
    "\u202eKft.",
    "\x00",
    "\x1b[31m",
    "\r\n",
    "%00",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "../../etc/passwd",
    "approve",
    "reject",
    "y",
    "on",
    "WORKSHOP",
    "HU",
    "NaN",
    "1e309",
]


def form_field_names() -> list[str]:
    """Every field name of every form class the app defines."""
    names: set[str] = {"csrf_token", "action"}
    pending = list(FlaskForm.__subclasses__())
    while pending:
        form = pending.pop()
        pending.extend(form.__subclasses__())
        names.update(n for n in dir(form) if isinstance(getattr(form, n, None), UnboundField))
    return sorted(names)


@dataclass
class Tally:
    requests: int = 0
    server_errors: int = 0
    statuses: Counter = field(default_factory=Counter)
    roles: Counter = field(default_factory=Counter)
    routes: Counter = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)

    def line(self) -> str:
        return f"requests={self.requests} 5xx={self.server_errors}"


def _values() -> st.SearchStrategy[str]:
    text = st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), max_size=60)
    plain = st.text(st.characters(codec="ascii", exclude_categories=("Cc",)), max_size=30)
    long = st.integers(250, 5000).map(lambda n: "x" * n)
    mixed = st.lists(st.one_of(text, plain, st.sampled_from(SPECIAL)), max_size=4).map("".join)
    return st.one_of(plain, text, st.sampled_from(SPECIAL), mixed, long)


def _controls() -> st.SearchStrategy[str]:
    return st.text(st.characters(min_codepoint=0, max_codepoint=0x1F), min_size=1, max_size=5)


def _path_value(secret: str) -> st.SearchStrategy[str]:
    chars = st.characters(codec="utf-8", exclude_characters="/?#", exclude_categories=("Cc", "Cs"))
    junk = st.text(chars, min_size=1, max_size=30)
    ids = st.one_of(junk, st.sampled_from(["~1~x", "~99999999999999~a", "r" + "1" * 15]))
    signed = st.one_of(
        ids.map(lambda i: status_token(secret, i)), ids.map(lambda i: confirmation_token(secret, i))
    )
    return st.one_of(junk, signed, st.integers(0, 10**6).map(str))


@dataclass
class Target:
    rule: str
    endpoint: str
    arguments: tuple[str, ...]


def post_routes(app: Flask) -> list[Target]:
    return sorted(
        (
            Target(r.rule, r.endpoint, tuple(sorted(r.arguments)))
            for r in app.url_map.iter_rules()
            if "POST" in (r.methods or ()) and r.endpoint != "static"
        ),
        key=lambda t: t.rule,
    )


def _fill(rule: str, values: dict[str, str]) -> str:
    path = rule
    for name, value in values.items():
        for pattern in (f"<{name}>", f"<int:{name}>"):
            path = path.replace(pattern, value)
    return path


def run(app: Flask, clients: dict[str, FlaskClient], requests: int, seed: int = 0) -> Tally:
    """Post `requests` generated bodies, spread over every POST route and every client."""
    tally = Tally()
    secret = app.config["SETTINGS"].secret_key
    routes = post_routes(app)
    names = form_field_names()

    def token_of(client: FlaskClient) -> str:
        return csrf_from(client.get("/help/new/other").get_data(as_text=True))

    tokens = {role: token_of(client) for role, client in clients.items()}
    odd_names = st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), max_size=12)
    field_names = st.one_of(st.sampled_from(names), odd_names)
    # Mostly the real field names, so the bodies reach the views' own validation.
    field_names = st.one_of(st.sampled_from(names), st.sampled_from(names), field_names)
    body = st.lists(st.tuples(field_names, _values()), max_size=12)
    # One body in four carries control characters; the rest reach the views' own checks.
    dirty = st.one_of(
        st.none(), st.none(), st.none(), st.tuples(st.sampled_from(names), _controls())
    )
    example = st.tuples(
        st.sampled_from(sorted(clients)),
        st.sampled_from(routes),
        body,
        st.sampled_from(["valid"] * 7 + ["wrong", "missing", "twice"]),
        st.dictionaries(
            st.sampled_from(["token", "topic", "reference", "registration_id"]), _path_value(secret)
        ),
        st.integers(0, 2**32 - 1),
        st.one_of(st.none(), st.binary(max_size=200)),
        dirty,
    )

    @settings(
        max_examples=requests,
        phases=[Phase.generate],
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(example)
    def one(case) -> None:  # type: ignore[no-untyped-def]
        role, _drawn, fields, csrf, args, salt, raw, control = case
        # Round robin, not drawn: Hypothesis's draws are skewed, and with 30-odd routes one
        # could go without a single request (seen in a full run); every route gets its share.
        target = routes[tally.requests % len(routes)]
        if role != "anonymous" and target.endpoint in SESSION_ENDING:
            role = "anonymous"
        rng = random.Random(salt ^ seed)
        values = {a: args.get(a, str(rng.randint(1000, 10**6))) for a in target.arguments}
        if target.endpoint == "support.new" and "topic" not in args:
            values["topic"] = rng.choice(["registration", "login", "pricing", "technical", "other"])
        if any(a.startswith("account_id") for a in target.arguments):
            values["account_id"] = str(rng.randint(1000, 10**6))  # never the fuzzing accounts
        path = _fill(target.rule, values)
        data = list(fields) + ([control] if control else [])
        if csrf in ("valid", "twice"):
            data.append(("csrf_token", tokens[role]))
        if csrf == "twice":
            data.append(("csrf_token", tokens[role][::-1]))
        if csrf == "wrong":
            data.append(("csrf_token", tokens[role][:-2] + "xx"))
        environ = {
            "REMOTE_ADDR": f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
        }
        client = clients[role]
        tally.requests += 1
        tally.roles[role] += 1
        tally.routes[target.rule] += 1
        try:
            if raw is not None and rng.random() < 0.2:
                response = client.post(
                    path,
                    data=raw,
                    content_type="application/x-www-form-urlencoded",
                    environ_overrides=environ,
                )
            else:
                response = client.post(path, data=MultiDict(data), environ_overrides=environ)
            status = response.status_code
            if status == 400:
                page = response.get_data(as_text=True)
                reason = (
                    "filter"
                    if "could not be read" in page or "nem tudtuk" in page
                    else ("csrf" if "CSRF" in page else "form")
                )
                tally.statuses[f"400-{reason}"] += 1
        except Exception:  # the test client raises what a server would answer with 500
            status = 500
            if len(tally.failures) < 10:
                tally.failures.append(f"{role} POST {path!r}: {traceback.format_exc(limit=-3)}")
        tally.statuses[str(status)] += 1
        if target.endpoint in SESSION_ENDING:
            tokens[role] = token_of(client)  # a logout drops the CSRF token with the session
        if status >= 500:
            tally.server_errors += 1
            if len(tally.failures) < 10 and status != 500:
                tally.failures.append(f"{role} POST {path!r}: {status}")

    one()
    return tally
