"""Database writes on behalf of the workflow: the record follows the workflow's state."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker
from temporalio import activity
from temporalio.exceptions import ApplicationError

from core.models import Account, AuditEntry, Registration
from workflows import contracts as c


def _parse(moment: str | None) -> datetime | None:
    return datetime.fromisoformat(moment) if moment else None


def _missing(registration_id: str) -> ApplicationError:
    return ApplicationError(
        f"Registration {registration_id} has no record",
        type=c.ERROR_REGISTRATION_MISSING,
        non_retryable=True,
    )


class RecordActivities:
    def __init__(self, sessions: sessionmaker) -> None:
        self._sessions = sessions

    @activity.defn(name=c.ACTIVITY_RECORD_STATUS)
    def record_status(self, req: c.RecordStatusRequest) -> None:
        status = c.Status(req.status)
        at = _parse(req.at)
        with self._sessions.begin() as session:
            reg = session.get(Registration, req.registration_id, with_for_update=True)
            if reg is None:
                raise _missing(req.registration_id)
            reg.status = status.value
            reg.status_deadline = _parse(req.deadline)
            reg.workflow_started = True
            if req.vat_result is not None:
                reg.vies_result = asdict(req.vat_result)
            if status == c.Status.AWAITING_REVIEW and reg.email_confirmed_at is None:
                reg.email_confirmed_at = at
            if status in (c.Status.APPROVED, c.Status.REJECTED):
                # The workflow knows the administrator by account id only.
                admin = (
                    session.get(Account, int(req.decided_by))
                    if (req.decided_by or "").isdigit()
                    else None
                )
                reg.decided_at = at
                reg.decided_by = admin.email if admin else req.decided_by
                reg.rejection_reason = req.rejection_reason
                session.add(
                    AuditEntry(
                        at=at,
                        actor=reg.decided_by or "?",
                        action=f"registration.{status.value.lower()}",
                        registration_id=reg.id,
                        detail=req.rejection_reason or "",
                    )
                )
            if status.is_final:
                reg.open_email = None  # the address may start again

    @activity.defn(name=c.ACTIVITY_ACTIVATE_ACCOUNT)
    def activate_account(self, req: c.ActivateAccountRequest) -> int:
        """Create (or re-enable) the applicant's account. Idempotent: safe to retry."""
        with self._sessions.begin() as session:
            reg = session.get(Registration, req.registration_id)
            if reg is None:
                raise _missing(req.registration_id)
            account = session.scalars(select(Account).where(Account.email == reg.email)).first()
            if account is None:
                account = Account(email=reg.email, role="applicant")
                session.add(account)
            account.password_hash = reg.password_hash
            account.active = True
            account.language = reg.language
            account.user_type = reg.user_type
            account.company_name = reg.company_name
            account.registration_id = reg.id
            session.flush()
            return account.id
