"""The links core/emails.py builds without the web app lead to the web app's own pages."""

from __future__ import annotations

import pytest

from core import links


@pytest.mark.parametrize(
    ("path", "endpoint", "values"),
    [
        (links.HOME, "registration.home", {}),
        (links.LOGIN, "auth.login", {}),
        (links.FIRST_STEPS, "portal.first_steps", {}),
        (links.CONFIRM, "registration.confirm", {"token": "a.b-c"}),
        (links.STATUS, "registration.status", {"token": "a.b-c"}),
        (links.RESTART, "registration.restart", {"token": "a.b-c"}),
        (links.CHANGES, "registration.changes", {"token": "a.b-c"}),
        (links.ADMIN_DETAIL, "admin.detail", {"registration_id": "0123abcd"}),
    ],
)
def test_email_link_is_the_route(app, path, endpoint, values):
    base = app.config["SETTINGS"].public_base_url
    with app.test_request_context(base_url=base):
        from flask import url_for

        assert links.link(base, path, **values) == url_for(endpoint, _external=True, **values)
