"""The applicant's side of the email confirmation: the link's Update and "send it again".
Mixed into RegistrationWorkflow; deterministic like it."""

from __future__ import annotations

from datetime import datetime

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from workflows import contracts as c
from workflows.steps import Steps


class ConfirmationSteps(Steps):
    """RegistrationWorkflow sets these in its __init__."""

    _status: c.Status
    _confirmed_at: datetime | None
    _confirmation_sent_at: datetime | None
    _resends: int

    @workflow.update(name=c.UPDATE_CONFIRM_EMAIL)
    async def confirm_email(self, request: c.ConfirmEmailRequest) -> str:
        if self._confirmed_at is None:
            self._confirmed_at = workflow.now()
        await workflow.wait_condition(lambda: self._status != c.Status.AWAITING_EMAIL_CONFIRMATION)
        return self._status.value

    @confirm_email.validator
    def _validate_confirm_email(self, request: c.ConfirmEmailRequest) -> None:
        if self._confirmed_at is not None:
            return  # a second click on the link is harmless
        if self._status != c.Status.AWAITING_EMAIL_CONFIRMATION or self._window_closed():
            raise self._not_awaiting_confirmation()

    @workflow.update(name=c.UPDATE_RESEND_CONFIRMATION)
    async def resend_confirmation(self, request: c.ResendRequest) -> str:
        self._resends += 1
        self._confirmation_sent_at = workflow.now()
        await self._email(
            c.EmailKind.CONFIRMATION,
            key=f"confirmation-resend-{self._resends}",
            deadline=self._deadline,  # a resend does not extend the window
        )
        return "sent"

    @resend_confirmation.validator
    def _validate_resend(self, request: c.ResendRequest) -> None:
        if (
            self._status != c.Status.AWAITING_EMAIL_CONFIRMATION
            or self._confirmed_at is not None
            or self._confirmation_sent_at is None
            or self._window_closed()
        ):
            raise self._not_awaiting_confirmation()
        since = (workflow.now() - self._confirmation_sent_at).total_seconds()
        if since < c.RESEND_COOLDOWN_SECONDS:
            raise ApplicationError(
                "The confirmation email was sent a moment ago.",
                int(c.RESEND_COOLDOWN_SECONDS - since) + 1,
                type=c.REFUSED_RESEND_COOLDOWN,
                non_retryable=True,
            )

    def _not_awaiting_confirmation(self) -> ApplicationError:
        return ApplicationError(
            f"Registration is not awaiting email confirmation: {self._status}",
            self._status.value,
            type=c.REFUSED_NOT_AWAITING_CONFIRMATION,
            non_retryable=True,
        )
