"""Support requests: create, notify, reply, follow up, change status.

Every email goes through the outbox (webapp.mailer.queue_email); the links in them are
absolute, built on PUBLIC_BASE_URL by the context's link builder (no Flask here).
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.emails import translations
from core.formatting import PORTAL_TZ
from core.models import (
    OPEN_STATUSES,
    Account,
    AuditEntry,
    Registration,
    SupportMessage,
    SupportRequest,
)
from core.staff import staff_language
from webapp.mailer import queue_email
from webapp.service_context import ServiceContext
from webapp.support.topics import answer_rows, topic_label

_REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


def new_reference(now: datetime) -> str:
    """E.g. SR-250314-K7QX2M: readable over the phone, unique by the database."""
    code = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(6))
    return f"SR-{now.astimezone(PORTAL_TZ):%y%m%d}-{code}"


def create_request(
    session: Session,
    *,
    topic: str,
    fields: dict[str, str],
    answers: list[list[str]],
    message: str,
    account: Account | None,
    language: str,
) -> SupportRequest:
    """Store the request and its first message. Commits."""
    for _attempt in range(5):
        req = SupportRequest(
            topic=topic,
            status="new",
            account_id=account.id if account else None,
            language=language,
            answers=answers,
            **fields,
        )
        req.reference = new_reference(datetime.now(PORTAL_TZ))
        req.messages.append(
            SupportMessage(author="applicant", author_email=fields["email"], body=message)
        )
        session.add(req)
        try:
            session.commit()
            return req
        except IntegrityError:  # the same reference drawn twice: draw again
            session.rollback()
    raise RuntimeError("Could not draw a unique support reference")


def request_url(ctx: ServiceContext, req: SupportRequest) -> str | None:
    """The applicant's page of the request; only requests sent logged in have one."""
    if req.account_id is None:
        return None
    return ctx.absolute("support.request_detail", reference=req.reference)


def _notice_context(
    ctx: ServiceContext, req: SupportRequest, body: str, follow_up: bool, language: str
) -> dict[str, Any]:
    staff = translations(language).gettext
    return {
        "reference": req.reference,
        "topic": topic_label(req.topic, staff),
        "name": req.name,
        "email": req.email,
        "phone": req.phone,
        "company": req.company,
        "answers": [list(row) for row in answer_rows(req.answers, staff)],
        "message": body,
        "follow_up": follow_up,
        "console_url": ctx.absolute("support_console.detail", reference=req.reference),
    }


def _notify_support(
    session: Session, ctx: ServiceContext, req: SupportRequest, body: str, *, follow_up: bool
) -> None:
    """The notice to SUPPORT_EMAIL about a new request or a follow-up, in the language of
    the console account with that address (Hungarian when none has it)."""
    language = staff_language(session, ctx.settings.support_email)
    queue_email(
        session,
        ctx.bridge,
        kind="support_notice",
        recipient=ctx.settings.support_email,
        language=language,
        context=_notice_context(ctx, req, body, follow_up=follow_up, language=language),
    )


def _mail_requester(
    session: Session, ctx: ServiceContext, req: SupportRequest, kind: str, context: dict[str, Any]
) -> None:
    """An email to whoever sent the request, in the language they sent it in."""
    queue_email(
        session, ctx.bridge, kind=kind, recipient=req.email, language=req.language, context=context
    )


def notify_new(session: Session, ctx: ServiceContext, req: SupportRequest) -> None:
    """Confirmation to the requester (in their language) and a notice to SUPPORT_EMAIL."""
    topic = topic_label(req.topic, translations(req.language).gettext)
    context = {"reference": req.reference, "topic": topic, "request_url": request_url(ctx, req)}
    # Anyone can type anyone's address into the help form: what they wrote (name, message)
    # goes only to an address confirmed as the logged-in account's own, else the form
    # would send any text to any inbox in our name.
    account = session.get(Account, req.account_id) if req.account_id else None
    if account is not None and account.email == req.email:
        context.update(name=req.name, message=req.messages[0].body)
    _mail_requester(session, ctx, req, "support_received", context)
    _notify_support(session, ctx, req, req.messages[0].body, follow_up=False)


def add_follow_up(
    session: Session, ctx: ServiceContext, req: SupportRequest, body: str
) -> SupportMessage:
    """The requester adds information; an answered request needs attention again."""
    message = SupportMessage(author="applicant", author_email=req.email, body=body)
    req.messages.append(message)
    if req.status == "answered":
        req.status = "in_progress"
    session.commit()
    _notify_support(session, ctx, req, body, follow_up=True)
    return message


def reply(
    session: Session, ctx: ServiceContext, req: SupportRequest, agent: Account, body: str
) -> SupportMessage:
    """An agent's answer: kept in the thread, emailed to the requester; status answered."""
    message = SupportMessage(author="agent", author_email=agent.email, body=body)
    req.messages.append(message)
    previous = req.status
    req.status = "answered"
    req.assigned_to = req.assigned_to or agent.email
    _audit(session, agent, req, f"reply; status {previous} -> answered")
    session.commit()
    context = {
        "reference": req.reference,
        "name": req.name,
        "reply": body,
        "request_url": request_url(ctx, req),
        "help_url": ctx.absolute("support.index"),
    }
    _mail_requester(session, ctx, req, "support_reply", context)
    return message


def set_status(session: Session, req: SupportRequest, agent: Account, status: str) -> None:
    previous = req.status
    req.status = status
    if status == "in_progress":
        req.assigned_to = req.assigned_to or agent.email
    _audit(session, agent, req, f"status {previous} -> {status}")
    session.commit()


def _audit(session: Session, agent: Account, req: SupportRequest, detail: str) -> None:
    session.add(
        AuditEntry(actor=agent.email, action="support", detail=f"{req.reference}: {detail}")
    )


def find(session: Session, reference: str) -> SupportRequest | None:
    return session.scalars(
        select(SupportRequest).where(SupportRequest.reference == reference.strip().upper())
    ).first()


def own_requests(session: Session, account: Account) -> list[SupportRequest]:
    """The account's requests, newest first."""
    return list(
        session.scalars(
            select(SupportRequest)
            .where(SupportRequest.account_id == account.id)
            .order_by(SupportRequest.created_at.desc(), SupportRequest.id.desc())
        ).all()
    )


def prefill_values(session: Session, account: Account) -> dict[str, str]:
    """What the help forms can fill in for a logged-in applicant (form field -> value)."""
    reg = session.get(Registration, account.registration_id) if account.registration_id else None
    return {
        "email": account.email,
        "company": account.company_name or "",
        "login_email": account.email,
        "name": reg.contact_person if reg else "",
        "phone": reg.phone if reg else "",
        "vat_number": f"{reg.country_code}{reg.vat_number}" if reg else "",
        "registration_reference": reg.id if reg else "",
        "vehicle_category": "motorcycle" if account.user_type == "MOTORCYCLE" else "car",
    }


def console_queue(
    session: Session, shown: str, limit: int = 200
) -> tuple[list[SupportRequest], dict[str, int]]:
    """The console's list for a filter ("open", a status or "all") and the count per status."""
    query = select(SupportRequest).order_by(SupportRequest.created_at.desc())
    if shown == "open":
        query = query.where(SupportRequest.status.in_(OPEN_STATUSES))
    elif shown != "all":
        query = query.where(SupportRequest.status == shown)
    counts = dict(
        session.execute(
            select(SupportRequest.status, func.count(SupportRequest.id)).group_by(
                SupportRequest.status
            )
        ).all()
    )
    return list(session.scalars(query.limit(limit)).all()), counts


def related_registrations(session: Session, req: SupportRequest) -> list[Registration]:
    """Registrations the request may be about: its account's, its VAT number's, its reference."""
    answers = dict((name, value) for name, value in req.answers)
    vat = (answers.get("vat_number") or "").replace(" ", "").upper()
    conditions = []
    if req.account_id:
        account = session.get(Account, req.account_id)
        if account and account.registration_id:
            conditions.append(Registration.id == account.registration_id)
    if len(vat) > 2:
        conditions.append(
            (Registration.country_code == vat[:2]) & (Registration.vat_number == vat[2:])
        )
    if answers.get("registration_reference"):
        conditions.append(Registration.id == answers["registration_reference"].strip())
    if not conditions:
        return []
    return list(
        session.scalars(
            select(Registration).where(or_(*conditions)).order_by(Registration.created_at)
        ).all()
    )
