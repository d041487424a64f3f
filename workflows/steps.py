"""Steps RegistrationWorkflow takes again and again: database writes, queued emails and
waiting for a condition until a moment. Deterministic, like the workflow itself."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from workflows import contracts as c

# Mail (OutboxMailWorkflow): an SMTP outage delays mail, never loses it; no attempt limit.
MAIL_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=5),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=10),
    non_retryable_error_types=[c.ERROR_REGISTRATION_MISSING],
)


# Database writes: milliseconds, so local activities (one marker event instead of three
# activity events and a task round trip; a worker that dies before the workflow task
# completes runs them again, and they are idempotent). Retried until the database is back;
# a missing record is a bug.
DB_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=1),
    non_retryable_error_types=[c.ERROR_REGISTRATION_MISSING],
)


def _iso(moment: datetime) -> str:
    return moment.isoformat()


class Steps:
    """Mixed into RegistrationWorkflow, which sets these in its __init__."""

    _registration_id: str
    _deadline: datetime | None

    def _window_closed(self) -> bool:
        return self._deadline is not None and workflow.now() >= self._deadline

    async def _local(self, activity: str, arg: object) -> None:
        """A database write as a local activity (see DB_RETRY in registration.py)."""
        await workflow.execute_local_activity(
            activity, arg, start_to_close_timeout=timedelta(seconds=30), retry_policy=DB_RETRY
        )

    async def _durable(self, activity: str, arg: object) -> None:
        """The first database write after a person's action, as a regular activity.

        A local activity runs inside the workflow task that accepted the Update, before that
        task is in the history: if the server stops then, the row would claim a state (an
        email confirmed, an active account) that the workflow never durably reached, and
        the Update is forgotten. A regular activity is scheduled by the task's completion,
        so it runs only once the history holds the accepted Update. Costs five history
        events and a round trip per action (ARCHITECTURE.md)."""
        await workflow.execute_activity(
            activity, arg, start_to_close_timeout=timedelta(seconds=30), retry_policy=DB_RETRY
        )

    async def _wait_until(self, condition: Callable[[], bool], until: datetime) -> bool:
        remaining = (until - workflow.now()).total_seconds()
        if condition():
            return True
        if remaining <= 0:
            return False
        try:
            await workflow.wait_condition(condition, timeout=timedelta(seconds=remaining))
        except TimeoutError:
            return condition()
        return True

    def _email_request(
        self,
        kind: c.EmailKind,
        key: str | None,
        deadline: datetime | None,
        reason: str | None,
        vat_delayed: bool,
    ) -> c.SendEmailRequest:
        return c.SendEmailRequest(
            registration_id=self._registration_id,
            kind=kind.value,
            purpose_key=key or kind.value,
            deadline=_iso(deadline) if deadline else None,
            reason=reason,
            vat_check_delayed=vat_delayed,
        )

    async def _email(
        self,
        kind: c.EmailKind,
        *,
        key: str | None = None,
        deadline: datetime | None = None,
        reason: str | None = None,
        vat_delayed: bool = False,
    ) -> None:
        """Queue the email: its OutboxMailWorkflow retries delivery until SMTP takes it, so
        nothing here waits for SMTP (a decision never waits for mail)."""
        await self._local(
            c.ACTIVITY_QUEUE_EMAIL, self._email_request(kind, key, deadline, reason, vat_delayed)
        )
