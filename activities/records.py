"""Database writes on behalf of the workflow: the record follows the workflow's state."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker
from temporalio import activity
from temporalio.exceptions import ApplicationError

from core.models import Account, AuditEntry, ChangeRequest, CorrectionAttempt, Registration
from workflows import contracts as c


def _parse(moment: str | None) -> datetime | None:
    return datetime.fromisoformat(moment) if moment else None


def _missing(registration_id: str) -> ApplicationError:
    return ApplicationError(
        f"Registration {registration_id} has no record",
        type=c.ERROR_REGISTRATION_MISSING,
        non_retryable=True,
    )


def _admin_email(session: Session, account_id: str | None) -> str:
    """The workflow knows an administrator by account id only."""
    admin = session.get(Account, int(account_id)) if account_id and account_id.isdigit() else None
    return admin.email if admin else (account_id or "?")


class RecordActivities:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
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
                reg.decided_at = at
                reg.decided_by = _admin_email(session, req.decided_by)
                reg.rejection_reason = req.rejection_reason
                session.add(
                    AuditEntry(
                        at=at,
                        actor=reg.decided_by,
                        action=f"registration.{status.value.lower()}",
                        registration_id=reg.id,
                        detail=req.rejection_reason or "",
                    )
                )
            if status == c.Status.EXPIRED:
                # A round of changes left unanswered ends here too.
                session.execute(
                    update(ChangeRequest)
                    .where(
                        ChangeRequest.registration_id == reg.id,
                        ChangeRequest.corrected_at.is_(None),
                        ChangeRequest.expired_at.is_(None),
                    )
                    .values(expired_at=at)
                )
            if status.is_final:
                reg.open_email = None  # the address may start again

    @activity.defn(name=c.ACTIVITY_RECORD_CHANGES)
    def record_changes_request(self, req: c.RecordChangesRequest) -> None:
        """Open a round of changes (idempotent: one row per registration and round)."""
        with self._sessions.begin() as session:
            reg = session.get(Registration, req.registration_id, with_for_update=True)
            if reg is None:
                raise _missing(req.registration_id)
            exists = session.scalars(
                select(ChangeRequest.id).where(
                    ChangeRequest.registration_id == reg.id, ChangeRequest.round == req.round
                )
            ).first()
            if exists:
                return
            requested_by = _admin_email(session, req.requested_by)
            at = _parse(req.at)
            session.add(
                ChangeRequest(
                    registration_id=reg.id,
                    round=req.round,
                    requested_at=at,
                    requested_by=requested_by,
                    groups=list(req.groups),
                    message=req.message,
                    deadline=_parse(req.deadline),
                )
            )
            session.add(
                AuditEntry(
                    at=at,
                    actor=requested_by,
                    action="registration.changes_requested",
                    registration_id=reg.id,
                    detail=req.message,
                )
            )

    @activity.defn(name=c.ACTIVITY_RECORD_CORRECTION)
    def record_correction(self, req: c.RecordCorrectionRequest) -> None:
        """A correction's outcome. Accepted: the attempt's values become the registration's,
        the round keeps what they were before and after. Idempotent: an attempt already
        recorded is left as it is."""
        with self._sessions.begin() as session:
            reg = session.get(Registration, req.registration_id, with_for_update=True)
            attempt = session.get(CorrectionAttempt, req.attempt_id)
            if reg is None or attempt is None:
                raise _missing(req.registration_id)
            if attempt.outcome is not None:
                return
            result = asdict(req.vat_result) if req.vat_result else None
            attempt.vies_result = result
            if not req.accepted:
                attempt.outcome = "vat_mismatch"
                return
            attempt.outcome = "accepted"
            round_ = session.scalars(
                select(ChangeRequest).where(
                    ChangeRequest.registration_id == reg.id, ChangeRequest.round == req.round
                )
            ).one()
            changed = {k: v for k, v in attempt.values.items() if k in round_.fields}
            round_.before = {name: getattr(reg, name) for name in changed}
            round_.after = changed
            round_.corrected_at = _parse(req.at)
            for name, value in changed.items():
                setattr(reg, name, value)
            if {"street", "postcode", "city"} & changed.keys():
                reg.adopted_address = None  # the corrected address is compared as typed
            if result is not None:
                reg.vies_result = result
            session.add(
                AuditEntry(
                    at=_parse(req.at),
                    actor=reg.email,
                    action="registration.corrected",
                    registration_id=reg.id,
                    detail=", ".join(sorted(changed)),
                )
            )

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
