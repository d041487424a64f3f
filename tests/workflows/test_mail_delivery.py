"""Mail during an SMTP outage: delayed, then delivered exactly once, in each language."""

from __future__ import annotations

import asyncio
import concurrent.futures
from datetime import timedelta

from devtools.mailcatcher import list_messages, start_catcher
from tests.conftest import make_env
from tests.workflows.helpers import make_registration, start, wait_for_status
from workerapp.build import build_worker
from workflows import contracts as c


async def test_smtp_down_then_up_delivers_each_email_once(
    ts_env, clean_db, vies, make_app, tmp_path
):
    # A catcher we can stop: note its port, stop it, and the port refuses connections.
    port, stop = start_catcher(tmp_path)
    stop()
    app = make_app(make_env(clean_db, port, vies))
    registrations = [
        make_registration(app, email=f"owner{i}@workshop{i}.hu", language=("hu", "en")[i % 2])
        for i in range(4)
    ]
    with concurrent.futures.ThreadPoolExecutor(max_workers=20) as executor:
        async with build_worker(
            ts_env.client, app.config["SETTINGS"], app.extensions["aos_sessions"], executor
        ):
            handles = [await start(ts_env.client, app, reg) for reg in registrations]
            for handle in handles:
                await wait_for_status(handle, c.Status.AWAITING_EMAIL_CONFIRMATION)
            await ts_env.sleep(timedelta(minutes=3))  # attempts fail while SMTP is down
            assert list_messages(tmp_path) == []

            port_again, stop = start_catcher(tmp_path, port=port)
            assert port_again == port
            try:
                await ts_env.sleep(timedelta(minutes=30))  # the next retries get through
                for _ in range(100):
                    if len(list_messages(tmp_path)) >= len(registrations):
                        break
                    await asyncio.sleep(0.1)
                await asyncio.sleep(1)  # would a duplicate still arrive?
                messages = list_messages(tmp_path)
            finally:
                stop()
            for handle in handles:
                await handle.terminate("test finished")

    by_recipient = {}
    for message in messages:
        by_recipient.setdefault(message.recipients[0], []).append(message)
    assert sorted(by_recipient) == sorted(r.email for r in registrations)
    for reg in registrations:
        [message] = by_recipient[reg.email]  # exactly once
        assert message.message_id == f"<registration-{reg.id}.confirmation@aos.test>"
        english = message.subject == "Confirm your AOS registration"
        assert english == (reg.language == "en")
        assert "http://aos.test/confirm/" in message.text
