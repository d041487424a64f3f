"""Every table, registered on the one Base by importing this package (Alembic's env and the
schema code do): a new model module is added here and nowhere else."""

from core.models.actions import ACTION_KINDS, PersonAction
from core.models.changes import ChangeRequest, CorrectionAttempt
from core.models.drafts import RegistrationDraft
from core.models.invoices import ExchangeRate, Invoice, InvoiceCounter, InvoiceLine
from core.models.login_sessions import LoginSession
from core.models.nav_reports import NavReport
from core.models.pricing import PriceEntry
from core.models.ratelimit import RateLimitHit
from core.models.records import (
    REGISTRATION_FIELDS,
    Account,
    AuditEntry,
    OutboxMessage,
    Registration,
    SentEmail,
    ViesFault,
    utcnow,
)
from core.models.recovery import RecoveryCode
from core.models.support import OPEN_STATUSES, STATUSES, SupportMessage, SupportRequest

__all__ = [
    "ACTION_KINDS",
    "OPEN_STATUSES",
    "REGISTRATION_FIELDS",
    "STATUSES",
    "Account",
    "AuditEntry",
    "ChangeRequest",
    "CorrectionAttempt",
    "ExchangeRate",
    "Invoice",
    "InvoiceCounter",
    "InvoiceLine",
    "LoginSession",
    "NavReport",
    "OutboxMessage",
    "PersonAction",
    "PriceEntry",
    "RateLimitHit",
    "RecoveryCode",
    "Registration",
    "RegistrationDraft",
    "SentEmail",
    "SupportMessage",
    "SupportRequest",
    "ViesFault",
    "utcnow",
]
