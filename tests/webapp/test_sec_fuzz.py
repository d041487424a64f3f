"""The CI slice of `make fuzz`: 1,000 generated bodies over every POST route, as anonymous,
applicant and administrator, on the test database (PostgreSQL in CI). No 5xx.

`make fuzz` runs this test with FUZZ_REQUESTS=12000 on SQLite and on PostgreSQL."""

from __future__ import annotations

import os

from tests.webapp import fuzzing
from tests.webapp.test_portal import WORKSHOP, applicant_client, console_client, make_applicant

REQUESTS = int(os.environ.get("FUZZ_REQUESTS", "1000"))


def fuzz_clients(app):  # type: ignore[no-untyped-def]
    make_applicant(app, WORKSHOP)
    return {
        "anonymous": app.test_client(),
        "applicant": applicant_client(app, WORKSHOP),
        "administrator": console_client(app, "fuzz-admin@aos.test", "reviewer,support"),
    }


def test_generated_bodies_never_get_a_5xx(web, database_url: str) -> None:  # type: ignore[no-untyped-def]
    tally = fuzzing.run(web, fuzz_clients(web), REQUESTS)
    db = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    print(f"\nfuzz_{db} {tally.line()}")
    print(f"fuzz_{db}_statuses={dict(sorted(tally.statuses.items(), key=str))}")
    print(f"fuzz_{db}_roles={dict(sorted(tally.roles.items()))}")
    print(f"fuzz_{db}_routes={len(tally.routes)}/{len(fuzzing.post_routes(web))}")
    assert tally.requests == REQUESTS
    assert set(tally.roles) == {"anonymous", "applicant", "administrator"}
    assert len(tally.routes) == len(fuzzing.post_routes(web))  # every POST route
    assert tally.server_errors == 0, "\n".join(tally.failures)
