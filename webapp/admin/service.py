"""The console's bookkeeping without Flask: the audit trail, the accounts list and its
enable/disable, a registration's mail and audit history and its rounds of changes. The
review queue's query is in queries.py, the decision in decisions.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from core.models import Account, AuditEntry, ChangeRequest, CorrectionAttempt, SentEmail
from core.passwords import verify_password
from webapp.admin import totp
from webapp.admin.queries import like_pattern

ACCOUNT_CHANGES = ("account.disabled", "account.enabled", "account.closed", "account.totp_reset")


def audit(
    db: Session, actor: str, action: str, detail: str = "", reg_id: str | None = None
) -> None:
    db.add(AuditEntry(actor=actor, action=action, registration_id=reg_id, detail=detail))
    db.commit()


def console_account(session: Session, email: str, password: str) -> Account | None:
    """The active administrator with this email and password, else None (one hash check)."""
    account = session.scalars(select(Account).where(Account.email == email)).first()
    ok = verify_password(account.password_hash if account else None, password)
    if not ok or account is None or not account.is_admin or not account.active:
        return None
    return account


def fresh_code_series(session: Session, account: Account) -> None:
    """After a lock has run out, the next login starts a fresh series of code tries."""
    if (account.totp_failures or 0) >= totp.MAX_FAILURES:
        account.totp_failures = 0
        session.commit()


def code_accepted(session: Session, account: Account, code: str) -> bool:
    """Check a TOTP code of an enrolled account (not while locked); audits the login."""
    if totp.locked_until(account) is not None or not totp.check_code(session, account, code):
        return False
    audit(session, account.email, "admin.login")
    return True


def enrolled(session: Session, account: Account) -> None:
    """The first login's code confirmed the new secret (webapp/auth/enrolment.py); commits."""
    session.add(AuditEntry(actor=account.email, action="admin.totp_enrolled", detail=""))
    audit(session, account.email, "admin.login")


@dataclass(frozen=True)
class AccountList:
    rows: list[Account]
    total: int
    changes: list[AuditEntry]  # the latest enable/disable/close entries


def applicant_accounts(session: Session, q: str, state: str, limit: int) -> AccountList:
    """Applicant accounts matching `q` (email or company) and `state` (active, disabled,
    closed or "" for all), newest first, at most `limit`."""
    stmt = select(Account).where(Account.role == "applicant")
    if q:
        stmt = stmt.where(
            or_(
                Account.email.ilike(like_pattern(q.lower()), escape="\\"),
                Account.company_name.ilike(like_pattern(q), escape="\\"),
            )
        )
    if state in ("active", "disabled"):
        stmt = stmt.where(Account.active.is_(state == "active"), Account.closed_at.is_(None))
    elif state == "closed":
        stmt = stmt.where(Account.closed_at.is_not(None))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(Account.created_at.desc()).limit(limit)).all()
    changes = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.action.in_(ACCOUNT_CHANGES))
        .order_by(AuditEntry.at.desc())
        .limit(20)
    )
    return AccountList(list(rows), total, list(changes))


def set_account_active(session: Session, admin_email: str, account: Account, enable: bool) -> bool:
    """Enable or disable an applicant account (not a closed one); False if nothing changed.
    Disabling ends every session of the account at once. Audited; commits."""
    if account.active == enable:
        return False
    account.active = enable
    if enable:
        account.disabled_at = None
    else:
        account.disabled_at = datetime.now(UTC)
        # Every session of the account checks this version: they end now.
        account.session_version = (account.session_version or 1) + 1
    action = "account.enabled" if enable else "account.disabled"
    audit(session, admin_email, action, account.email, account.registration_id)
    return True


def registration_history(
    session: Session, registration_id: str
) -> tuple[list[SentEmail], list[AuditEntry]]:
    """The emails sent about a registration and its audit entries, oldest first."""
    emails = session.scalars(
        select(SentEmail)
        .where(SentEmail.registration_id == registration_id)
        .order_by(SentEmail.accepted_at)
    )
    entries = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.registration_id == registration_id)
        .order_by(AuditEntry.at)
    )
    return list(emails), list(entries)


@dataclass(frozen=True)
class ChangesHistory:
    rounds: list[ChangeRequest]  # oldest first
    attempts: list[CorrectionAttempt]  # every correction sent, oldest first

    @property
    def open_round(self) -> ChangeRequest | None:
        """The round the applicant has now (neither corrected nor expired)."""
        last = self.rounds[-1] if self.rounds else None
        if last is None or last.corrected_at or last.expired_at:
            return None
        return last

    @property
    def corrected(self) -> list[ChangeRequest]:
        return [r for r in self.rounds if r.corrected_at is not None]

    @property
    def refused_attempts(self) -> list[CorrectionAttempt]:
        """Corrections VIES did not confirm (the applicant saw the mismatch page)."""
        return [a for a in self.attempts if a.outcome == "vat_mismatch"]


def changes_history(session: Session, registration_id: str) -> ChangesHistory:
    """The registration's rounds of "Ask for changes" and the corrections sent in them."""
    rounds = session.scalars(
        select(ChangeRequest)
        .where(ChangeRequest.registration_id == registration_id)
        .order_by(ChangeRequest.round)
    )
    attempts = session.scalars(
        select(CorrectionAttempt)
        .where(CorrectionAttempt.registration_id == registration_id)
        .order_by(CorrectionAttempt.submitted_at)
    )
    return ChangesHistory(list(rounds), list(attempts))
