"""Support requests: create, notify, reply, follow up, change status.

Every email goes through the outbox (webapp.mailer.queue_email); the links in them are
absolute, built on PUBLIC_BASE_URL by the caller's request context.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from flask import current_app, url_for
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from webapp.database import bridge
from webapp.formatting import PORTAL_TZ
from webapp.mailer import queue_email
from webapp.models import Account, AuditEntry
from webapp.support.models import SupportMessage, SupportRequest
from webapp.support.topics import answer_rows, topic_label

_REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


def new_reference(now: datetime) -> str:
    """E.g. SR-250314-K7QX2M: readable over the phone, unique by the database."""
    code = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(6))
    return f"SR-{now.astimezone(PORTAL_TZ):%y%m%d}-{code}"


def _public_url(endpoint: str, **values: Any) -> str:
    return current_app.config["SETTINGS"].public_base_url + url_for(endpoint, **values)


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


def request_url(req: SupportRequest) -> str | None:
    """The applicant's page of the request; only requests sent logged in have one."""
    if req.account_id is None:
        return None
    return _public_url("support.request_detail", reference=req.reference)


def _notice_context(req: SupportRequest, body: str, follow_up: bool) -> dict[str, Any]:
    with force_locale("en"):
        return {
            "reference": req.reference,
            "topic": topic_label(req.topic),
            "name": req.name,
            "email": req.email,
            "phone": req.phone,
            "company": req.company,
            "answers": [list(row) for row in answer_rows(req.answers)],
            "message": body,
            "follow_up": follow_up,
            "console_url": _public_url("support_console.detail", reference=req.reference),
        }


def _notify_support(session: Session, req: SupportRequest, body: str, *, follow_up: bool) -> None:
    """The notice to SUPPORT_EMAIL (in English) about a new request or a follow-up."""
    queue_email(
        session,
        bridge(),
        kind="support_notice",
        recipient=current_app.config["SETTINGS"].support_email,
        language="en",
        context=_notice_context(req, body, follow_up=follow_up),
    )


def notify_new(session: Session, req: SupportRequest) -> None:
    """Confirmation to the requester (in their language) and a notice to SUPPORT_EMAIL."""
    with force_locale(req.language):
        topic = topic_label(req.topic)
    context = {"reference": req.reference, "topic": topic, "request_url": request_url(req)}
    # Anyone can type anyone's address into the help form: what they wrote (name, message)
    # goes only to an address confirmed as the logged-in account's own, else the form
    # would send any text to any inbox in our name.
    account = session.get(Account, req.account_id) if req.account_id else None
    if account is not None and account.email == req.email:
        context.update(name=req.name, message=req.messages[0].body)
    queue_email(
        session,
        bridge(),
        kind="support_received",
        recipient=req.email,
        language=req.language,
        context=context,
    )
    _notify_support(session, req, req.messages[0].body, follow_up=False)


def add_follow_up(session: Session, req: SupportRequest, body: str) -> SupportMessage:
    """The requester adds information; an answered request needs attention again."""
    message = SupportMessage(author="applicant", author_email=req.email, body=body)
    req.messages.append(message)
    if req.status == "answered":
        req.status = "in_progress"
    session.commit()
    _notify_support(session, req, body, follow_up=True)
    return message


def reply(session: Session, req: SupportRequest, agent: Account, body: str) -> SupportMessage:
    """An agent's answer: kept in the thread, emailed to the requester; status answered."""
    message = SupportMessage(author="agent", author_email=agent.email, body=body)
    req.messages.append(message)
    previous = req.status
    req.status = "answered"
    req.assigned_to = req.assigned_to or agent.email
    _audit(session, agent, req, f"reply; status {previous} -> answered")
    session.commit()
    queue_email(
        session,
        bridge(),
        kind="support_reply",
        recipient=req.email,
        language=req.language,
        context={
            "reference": req.reference,
            "name": req.name,
            "reply": body,
            "request_url": request_url(req),
            "help_url": _public_url("support.index"),
        },
    )
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
