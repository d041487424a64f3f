"""The retention purge: erase the personal data that has outlived PERSONAL_DATA_RETENTION.

Idempotent: a record is erased once (its `erased_at` is set in the same transaction), so a
retried activity or a second run changes nothing. One transaction per record: a failure
half-way keeps what was already erased and the retry continues with the rest."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session, sessionmaker
from temporalio import activity

from core.models import (
    OPEN_STATUSES,
    Account,
    AuditEntry,
    ChangeRequest,
    CorrectionAttempt,
    LoginSession,
    OutboxMessage,
    PersonAction,
    RecoveryCode,
    Registration,
    RegistrationDraft,
    SentEmail,
    SupportMessage,
    SupportRequest,
)
from workflows import retention_contracts as rc

ERASED = "[erased]"
# A closed account's registration led to a contract: the company's data (name, VAT number,
# seat, billing address) stays for the legal retention (privacy notice); the people go.
CONTRACT_PERSONAL = (
    "rep_title",
    "rep_first_name",
    "rep_last_name",
    "contact_person",
    "phone",
    "email",
    "password_hash",
)
# What identifies or describes the person (or a sole trader) behind a registration that
# ended without an account: the company's data too. Left: id, country, user type,
# language, dates and outcome.
REGISTRATION_PERSONAL = (
    "company_name",
    "vat_number",
    "street",
    "postcode",
    "city",
    "billing_street",
    "billing_postcode",
    "billing_city",
    *CONTRACT_PERSONAL,
)


def _keep_updated_at(session: Session, reg: Registration, ended: datetime) -> None:
    # The record's last change is when the registration ended: a statistic, kept as it
    # was. Named in the UPDATE, so the column's onupdate does not replace it.
    session.flush()
    session.execute(update(Registration).where(Registration.id == reg.id).values(updated_at=ended))


def _scrub_audit(session: Session, registration_id: str | None, needles: set[str]) -> None:
    """The audit log keeps who did what when; the person's data in its text goes."""
    needles = {n for n in needles if n}
    entries = []
    if registration_id:
        entries += session.scalars(
            select(AuditEntry).where(AuditEntry.registration_id == registration_id)
        ).all()
    if needles:
        # The person as the actor (their own password reset, two-step login) or in the text.
        mentions = [AuditEntry.actor.in_(sorted(needles))] + [
            AuditEntry.detail.contains(needle, autoescape=True) for needle in sorted(needles)
        ]
        entries += session.scalars(select(AuditEntry).where(or_(*mentions))).all()
    for entry in set(entries):
        for needle in needles:
            entry.detail = entry.detail.replace(needle, ERASED)
            if entry.actor == needle:
                entry.actor = ERASED


def _erase_mail(session: Session, registration_id: str) -> None:
    for sent in session.scalars(
        select(SentEmail).where(SentEmail.registration_id == registration_id)
    ):
        sent.recipient = ""
        sent.subject = ""
    outbox = select(OutboxMessage).where(OutboxMessage.registration_id == registration_id)
    for message in session.scalars(outbox):
        message.recipient = ""
        message.context = {}


def _erase_changes(session: Session, registration_id: str) -> None:
    """Asking for changes: the message and the values before/after are about the person;
    the rounds keep their number, the ticked groups, who asked and when."""
    for round_ in session.scalars(
        select(ChangeRequest).where(ChangeRequest.registration_id == registration_id)
    ):
        round_.message = ""
        round_.before = None if round_.before is None else {}
        round_.after = None if round_.after is None else {}
    for attempt in session.scalars(
        select(CorrectionAttempt).where(CorrectionAttempt.registration_id == registration_id)
    ):
        attempt.values = {}
        attempt.vies_result = None


def _erase_actions(session: Session, reg: Registration, at: datetime) -> None:
    """The people's actions (core/models/actions.py): their kind, times and outcome stay;
    what was sent (a reason, a correction's company data) and the applicant's address go.
    One still pending ends as refused: its payload is gone, it can never be delivered."""
    for row in session.scalars(select(PersonAction).where(PersonAction.registration_id == reg.id)):
        row.payload = {}
        row.result = None
        row.refusal_reason = None
        row.last_error = None
        if row.actor == reg.email:
            row.actor = ""
        if row.pending:
            row.refused_at = at
            row.refusal_kind = "ERASED"


def erase_registration(
    session: Session, reg: Registration, at: datetime, keep_company: bool = False
) -> None:
    """Erase a registration's personal data; `keep_company` for one that made the account."""
    fields = CONTRACT_PERSONAL if keep_company else REGISTRATION_PERSONAL
    ended = reg.updated_at
    needles = {reg.email, reg.contact_person, f"{reg.rep_last_name} {reg.rep_first_name}"}
    if not keep_company:
        needles.add(reg.company_name)
    _scrub_audit(session, reg.id, {n.strip() for n in needles if n and n.strip()})
    _erase_actions(session, reg, at)
    if not keep_company:
        # A rejection reason, VIES's registered name and address: about the person too.
        for entry in session.scalars(
            select(AuditEntry).where(AuditEntry.registration_id == reg.id)
        ):
            entry.detail = ""
        reg.rejection_reason = None
        reg.vies_result = None
        reg.adopted_address = None
    for name in fields:
        setattr(reg, name, "")
    reg.open_email = None
    reg.erased_at = reg.erased_at or at
    _erase_mail(session, reg.id)
    _erase_changes(session, reg.id)
    _keep_updated_at(session, reg, ended)


def erase_help_request(session: Session, request: SupportRequest) -> None:
    """The request keeps its reference, topic, status and dates; the person's words go."""
    for message in session.scalars(
        select(SupportMessage).where(SupportMessage.request_id == request.id)
    ):
        message.body = ""
        if message.author == "applicant":
            message.author_email = ""
    request.name = ""
    request.email = ""
    request.phone = ""
    request.company = ""
    request.answers = []


def erase_account(session: Session, account: Account, at: datetime) -> None:
    email = account.email
    requests = select(SupportRequest).where(
        or_(SupportRequest.account_id == account.id, SupportRequest.email == email)
    )
    for request in session.scalars(requests):
        erase_help_request(session, request)
    # Ended registrations only: an open one belongs to its running workflow.
    ended = select(Registration).where(
        Registration.email == email, Registration.open_email.is_(None)
    )
    for reg in session.scalars(ended):
        erase_registration(session, reg, at, keep_company=reg.id == account.registration_id)
    _scrub_audit(session, None, {email})
    # Where and from what the person logged in: no reason to keep it once the account is gone.
    session.execute(delete(LoginSession).where(LoginSession.account_id == account.id))
    session.execute(delete(RecoveryCode).where(RecoveryCode.account_id == account.id))
    account.email = f"erased-{account.id}@erased.invalid"  # unique, and no mail goes there
    account.password_hash = ""
    account.totp_secret = None
    account.erased_at = at


class RetentionActivities:
    def __init__(self, sessions: sessionmaker) -> None:
        self._sessions = sessions

    @activity.defn(name=rc.ACTIVITY_PURGE_PERSONAL_DATA)
    def purge_personal_data(self, req: rc.PurgeRequest) -> rc.PurgeResult:
        now = datetime.fromisoformat(req.now)
        cutoff = now - timedelta(seconds=req.retention_seconds)
        result = rc.PurgeResult()
        with self._sessions() as session:
            reg_ids = session.scalars(
                select(Registration.id).where(
                    Registration.status.in_(rc.ENDED_WITHOUT_ACCOUNT),
                    Registration.erased_at.is_(None),
                    Registration.updated_at < cutoff,
                )
            ).all()
            account_ids = session.scalars(
                select(Account.id).where(
                    Account.closed_at.is_not(None),
                    Account.closed_at < cutoff,
                    Account.erased_at.is_(None),
                )
            ).all()
        for reg_id in reg_ids:
            with self._sessions.begin() as session:
                reg = session.get(Registration, reg_id, with_for_update=True)
                if reg is None or reg.erased_at is not None:
                    continue  # erased by a concurrent run
                erase_registration(session, reg, now)
                result.registrations += 1
        for account_id in account_ids:
            with self._sessions.begin() as session:
                account = session.get(Account, account_id, with_for_update=True)
                if account is None or account.erased_at is not None:
                    continue
                erase_account(session, account, now)
                result.accounts += 1
            activity.heartbeat()
        with self._sessions.begin() as session:
            # Help requests sent without an account, finished and untouched for the period.
            finished = select(SupportRequest).where(
                SupportRequest.account_id.is_(None),
                SupportRequest.status.not_in(OPEN_STATUSES),
                SupportRequest.updated_at < cutoff,
                SupportRequest.email != "",
            )
            for request in session.scalars(finished):
                erase_help_request(session, request)
                result.help_requests += 1
        with self._sessions.begin() as session:
            # Wizard drafts nobody sent: what was typed, and a password hash.
            stale = delete(RegistrationDraft).where(RegistrationDraft.updated_at < cutoff)
            result.drafts = session.execute(stale).rowcount or 0
        activity.logger.info(
            "Personal data erased: %d registration(s), %d closed account(s), %d draft(s), "
            "%d help request(s)",
            result.registrations,
            result.accounts,
            result.drafts,
            result.help_requests,
        )
        return result
