"""'Send Registration' waits for the VIES answer only while a waiting slot is free: a slow
VIES never holds more than half of a web process's threads."""

from __future__ import annotations

import threading
from types import SimpleNamespace

from webapp.registration import service
from workflows import contracts as c


class RecordingBridge:
    """Records how each workflow was started; the waiting call blocks until released."""

    def __init__(self) -> None:
        self.waited: list[str] = []
        self.started_only: list[str] = []
        self.release = threading.Event()
        self.waiting = threading.Semaphore(0)

    def start_and_await_vat(self, reg: c.RegistrationInput, seconds: float) -> None:
        self.waited.append(reg.registration_id)
        self.waiting.release()
        self.release.wait(10)

    def start_registration(self, reg: c.RegistrationInput) -> None:
        self.started_only.append(reg.registration_id)


def _reg(n: int) -> SimpleNamespace:
    fields = dict.fromkeys(
        "country_code vat_number user_type company_name street postcode city".split(), "x"
    )
    return SimpleNamespace(id=f"r{n}", adopted_address=None, **fields)


def test_requests_beyond_the_waiting_slots_start_without_waiting(monkeypatch) -> None:
    monkeypatch.setattr(service, "VAT_WAITERS", threading.BoundedSemaphore(2))
    monkeypatch.setattr(service, "workflow_input", lambda reg, settings: reg_input(reg))
    bridge = RecordingBridge()
    waiters = [
        threading.Thread(target=service.start_and_wait, args=(bridge, None, _reg(i)))
        for i in range(2)
    ]
    for thread in waiters:
        thread.start()
    for _ in waiters:
        assert bridge.waiting.acquire(timeout=10)
    # Both slots are held by a slow VIES: the third request starts and returns at once.
    assert service.start_and_wait(bridge, None, _reg(3)) is None  # type: ignore[arg-type]
    assert bridge.started_only == ["r3"]
    bridge.release.set()
    for thread in waiters:
        thread.join(10)
    assert sorted(bridge.waited) == ["r0", "r1"]
    # The slots are free again once the waits end.
    bridge.release.set()
    service.start_and_wait(bridge, None, _reg(4))  # type: ignore[arg-type]
    assert "r4" in bridge.waited


def reg_input(reg: SimpleNamespace) -> c.RegistrationInput:
    return SimpleNamespace(registration_id=reg.id)  # type: ignore[return-value]
