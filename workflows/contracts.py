"""The registration workflow's contract: names and dataclasses shared by the workflow,
its activities and the Flask app.

Nothing here does I/O or imports Flask/SQLAlchemy: the workflow sandbox imports it.
Personal data stays out: no password, no email address, no contact person's name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from temporalio.common import SearchAttributeKey

WORKFLOW_NAME = "RegistrationWorkflow"
DEFAULT_TASK_QUEUE = "aos-registrations"


def workflow_id_for(registration_id: str) -> str:
    """Workflow ids carry only the opaque registration id, never personal data."""
    return f"registration-{registration_id}"


class Status(StrEnum):
    VERIFYING_VAT = "VERIFYING_VAT"
    VAT_MISMATCH = "VAT_MISMATCH"
    VAT_CHECK_FAILED = "VAT_CHECK_FAILED"
    AWAITING_EMAIL_CONFIRMATION = "AWAITING_EMAIL_CONFIRMATION"
    EXPIRED = "EXPIRED"
    AWAITING_REVIEW = "AWAITING_REVIEW"
    # An administrator asked for changes: the applicant has the registration until the
    # correction arrives or CHANGES_WINDOW ends (then EXPIRED). The review SLA pauses.
    CHANGES_REQUESTED = "CHANGES_REQUESTED"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"

    @property
    def is_final(self) -> bool:
        return self in FINAL_STATUSES


FINAL_STATUSES = frozenset(
    {Status.VAT_MISMATCH, Status.VAT_CHECK_FAILED, Status.EXPIRED, Status.APPROVED, Status.REJECTED}
)


class UserType(StrEnum):
    WORKSHOP = "WORKSHOP"  # Independent workshop/dealer: cars and motorcycles
    MOTORCYCLE = "MOTORCYCLE"  # Independent Motorcycle workshop/Motorcycle dealers


# The AOS product names of the user types, identical in every language.
USER_TYPE_LABELS = {
    UserType.WORKSHOP.value: "Independent workshop/dealer",
    UserType.MOTORCYCLE.value: "Independent Motorcycle workshop/Motorcycle dealers",
}


class EmailKind(StrEnum):
    CONFIRMATION = "confirmation"
    ACTIVATED = "activated"
    REJECTED = "rejected"
    EXPIRED = "expired"
    VAT_CHECK_FAILED = "vat_check_failed"
    REVIEW_OVERDUE = "review_overdue"
    REVIEW_REQUESTED = "review_requested"
    CONFIRMATION_REMINDER = "confirmation_reminder"
    VAT_CHECK_DELAYED_MISMATCH = "vat_check_delayed_mismatch"
    CHANGES_REQUESTED = "changes_requested"
    CHANGES_REMINDER = "changes_reminder"
    CHANGES_EXPIRED = "changes_expired"
    CORRECTION_RECEIVED = "correction_received"


# Kinds sent to ADMIN_NOTIFY_EMAILS (in English) instead of the applicant.
REVIEWER_EMAILS = frozenset(
    {EmailKind.REVIEW_OVERDUE, EmailKind.REVIEW_REQUESTED, EmailKind.CORRECTION_RECEIVED}
)


# Temporal message names: the Flask bridge and the workflow both use these.
UPDATE_CONFIRM_EMAIL = "confirm_email"
UPDATE_DECIDE = "decide"
UPDATE_RESEND_CONFIRMATION = "resend_confirmation"
UPDATE_ASK_FOR_CHANGES = "ask_for_changes"
UPDATE_SUBMIT_CORRECTION = "submit_correction"
# Sent with the start (Update-with-Start): returns once VIES has answered (early return).
UPDATE_VAT_ANSWER = "vat_answer"
RESEND_COOLDOWN_SECONDS = 180
QUERY_STATUS = "status"

# Activity names: the workflow calls activities by name so it imports contracts only.
ACTIVITY_CHECK_VAT = "check_vat"
ACTIVITY_RECORD_STATUS = "record_status"
ACTIVITY_ACTIVATE_ACCOUNT = "activate_account"
# A registration's email is queued (a database write, so a local activity) and delivered by
# its own OutboxMailWorkflow: the registration's history holds one marker per email.
ACTIVITY_QUEUE_EMAIL = "queue_registration_email"
ACTIVITY_RECORD_CHANGES = "record_changes_request"
ACTIVITY_RECORD_CORRECTION = "record_correction"

# Emails outside a registration (support, password reset, notices): one small workflow
# per message, so delivery is retried durably like every other email.
MAIL_WORKFLOW_NAME = "OutboxMailWorkflow"
ACTIVITY_SEND_OUTBOX_MAIL = "send_outbox_mail"


def mail_workflow_id_for(outbox_id: str) -> str:
    return f"mail-{outbox_id}"


# Error types raised by activities that must not be retried.
ERROR_VAT_FINAL = "ViesFinalError"
# Retried like an outage, but the portal's own fault (VIES refuses our IP, requester data...).
ERROR_VIES_PORTAL_FAULT = "ViesPortalFault"
# VatCheckResult.flag_reason: VIES will not answer for this number; an administrator decides.
VIES_FLAG_VAT_BLOCKED = "VAT_BLOCKED"
# A corrected company name or address VIES did not answer for: accepted, not rechecked.
VIES_FLAG_NOT_RECHECKED = "NOT_RECHECKED"
ERROR_REGISTRATION_MISSING = "RegistrationMissing"
# Why the decide Update was refused (ApplicationError.type; details[0] is who decided
# first, when someone did): the console words each case differently.
REFUSED_ALREADY_DECIDED = "AlreadyDecided"
REFUSED_NOT_IN_REVIEW = "NotInReview"
REFUSED_NO_REASON = "RejectionWithoutReason"
# Why confirm_email / resend_confirmation were refused: the window has ended or the address
# is already confirmed; or the cool-down runs (details[0]: seconds left, an int).
REFUSED_NOT_AWAITING_CONFIRMATION = "NotAwaitingConfirmation"
REFUSED_RESEND_COOLDOWN = "ResendCooldown"
# Why ask_for_changes / submit_correction were refused (details[0] where given: the round the
# workflow is in). A request for changes needs ticked fields and a message.
REFUSED_CHANGES_INCOMPLETE = "ChangesIncomplete"
REFUSED_NOT_AWAITING_CORRECTION = "NotAwaitingCorrection"
REFUSED_CORRECTION_BEING_CHECKED = "CorrectionBeingChecked"

# What an administrator may ask to be changed: a group ticked on the console names the
# record fields the correction page shows. Country, VAT number, user type and the email
# address are not among them: a different company or address is a new registration.
CHANGE_GROUPS: dict[str, tuple[str, ...]] = {
    "company_name": ("company_name",),
    "address": ("street", "postcode", "city"),
    "billing": ("billing_street", "billing_postcode", "billing_city"),
    "representative": ("rep_title", "rep_first_name", "rep_last_name"),
    "contact_person": ("contact_person",),
    "phone": ("phone",),
}
# A correction in these groups is checked against VIES again, by the same rule as the start.
VIES_CHECKED_GROUPS = frozenset({"company_name", "address"})

# The workflow's custom search attributes, names and types defined here only: the workflow
# sets them, the worker and `make run` register them, docker-compose.yml's setup step and the
# README's Web UI section are checked against them (tests/test_facts.py).
SA_STATUS = "RegistrationStatus"
SA_COUNTRY = "CountryCode"
SA_USER_TYPE = "UserType"
SA_VAT_NUMBER = "VatNumber"
SA_REVIEW_OVERDUE = "ReviewOverdue"
STATUS_KEY = SearchAttributeKey.for_keyword(SA_STATUS)
COUNTRY_KEY = SearchAttributeKey.for_keyword(SA_COUNTRY)
USER_TYPE_KEY = SearchAttributeKey.for_keyword(SA_USER_TYPE)
VAT_KEY = SearchAttributeKey.for_keyword(SA_VAT_NUMBER)
OVERDUE_KEY = SearchAttributeKey.for_bool(SA_REVIEW_OVERDUE)
SEARCH_ATTRIBUTE_KEYS = (STATUS_KEY, COUNTRY_KEY, USER_TYPE_KEY, VAT_KEY, OVERDUE_KEY)


def search_attribute_types() -> dict[str, str]:
    """Name -> type as the temporal CLI spells it ("Keyword", "Bool")."""
    return {key.name: key.indexed_value_type.name.title() for key in SEARCH_ATTRIBUTE_KEYS}


@dataclass
class RegistrationInput:
    """The workflow's only argument: the id plus the company data the process needs.

    Durations arrive as seconds, read from the environment by whoever starts the
    workflow, so the workflow itself never reads configuration.
    """

    registration_id: str
    country_code: str
    vat_number: str
    user_type: str
    company_name: str
    street: str
    postcode: str
    city: str
    # VIES's address adopted verbatim ("Use the registered data" when it cannot be split).
    adopted_address: str = ""
    confirmation_window_seconds: int = 48 * 3600
    review_sla_seconds: int = 2 * 24 * 3600
    vies_retry_horizon_seconds: int = 24 * 3600
    # The reminder goes out when this much of the window is left (12 h of 48 h).
    reminder_before_expiry_seconds: int = 12 * 3600
    # Asking for changes: how long the applicant has (CHANGES_WINDOW), and the reminder.
    changes_window_seconds: int = 7 * 24 * 3600
    changes_reminder_before_seconds: int = 2 * 24 * 3600


# The company data both the workflow's input and the VAT check carry, under the same names.
COMPANY_FIELDS = ("country_code", "vat_number", "company_name", "street", "postcode", "city")


@dataclass
class VatCheckRequest:
    registration_id: str
    country_code: str
    vat_number: str
    company_name: str
    street: str
    postcode: str
    city: str
    adopted_address: str = ""

    @classmethod
    def of(cls, reg: RegistrationInput) -> VatCheckRequest:
        company = {name: getattr(reg, name) for name in COMPANY_FIELDS}
        return cls(reg.registration_id, **company, adopted_address=reg.adopted_address)


@dataclass
class FieldComparison:
    field: str  # "name", "street", "postcode" or "city"
    registered: str  # what VIES holds, as VIES spells it
    typed: str
    matches: bool
    # "not_in_vies": VIES holds no postcode (not compared); "adopted": address adopted verbatim.
    note: str = ""


@dataclass
class VatCheckResult:
    valid: bool
    matches: bool
    # True when the member state returns no name/address ("---"): cannot be matched,
    # the registration goes on flagged for the administrator.
    no_data: bool = False
    registered_name: str = ""
    registered_address: str = ""
    request_date: str = ""
    request_identifier: str = ""
    fields: list[FieldComparison] = field(default_factory=list)
    # VIES's own approximate matching of the data sent (traderNameMatch...): field → VALID,
    # INVALID or NOT_PROCESSED. Evidence for the administrator, not the portal's rule.
    vies_matches: dict[str, str] = field(default_factory=dict)
    # Why the registration goes to the administrators unchecked (VIES_FLAG_VAT_BLOCKED).
    flag_reason: str = ""


@dataclass
class Step:
    status: str
    at: str  # ISO 8601, UTC


@dataclass
class RecordStatusRequest:
    registration_id: str
    status: str
    deadline: str | None = None  # ISO 8601, UTC
    at: str = ""  # when the workflow entered the status, ISO 8601 UTC
    vat_result: VatCheckResult | None = None
    rejection_reason: str | None = None
    decided_by: str | None = None


@dataclass
class ChangesRequest:
    """An administrator's "Ask for changes": the ticked CHANGE_GROUPS and the message the
    applicant reads (in the registration's language, as the administrator wrote it)."""

    groups: list[str]
    message: str
    requested_by: str  # administrator's account id


@dataclass
class ChangesView:
    """The open (or last) request for changes, as the status and correction pages show it."""

    round: int  # 1 for the first request, 2 for the second …
    groups: list[str]
    message: str
    requested_at: str  # ISO 8601, UTC
    deadline: str  # ISO 8601, UTC: CHANGES_WINDOW after the request
    requested_by: str = ""
    # The last correction sent in this round that VIES did not confirm (the mismatch page).
    rejected_vat_result: VatCheckResult | None = None


@dataclass
class CorrectionSubmitted:
    """The applicant's correction: the web app has stored the typed values under
    `attempt_id` (CorrectionAttempt); the company data ride along for the VIES check
    (they are company data, like the workflow's input; no personal data here)."""

    round: int
    attempt_id: str
    company_name: str
    street: str
    postcode: str
    city: str


@dataclass
class CorrectionOutcome:
    """accepted: back in review; otherwise VIES did not confirm the corrected company
    data (vat_result says how), and the applicant may correct again within the window."""

    accepted: bool
    status: str
    vat_result: VatCheckResult | None = None


@dataclass
class RecordChangesRequest:
    registration_id: str
    round: int
    groups: list[str]
    message: str
    requested_by: str
    at: str  # ISO 8601, UTC
    deadline: str


@dataclass
class RecordCorrectionRequest:
    """A correction attempt's outcome: accepted (its values become the registration's,
    before/after kept on the round) or refused by VIES (vat_result kept on the attempt)."""

    registration_id: str
    round: int
    attempt_id: str
    accepted: bool
    at: str
    vat_result: VatCheckResult | None = None


@dataclass
class ActivateAccountRequest:
    registration_id: str


def outbox_id_for(workflow_id: str, purpose_key: str) -> str:
    """A queued registration email's id: the same for every retry of the same purpose, so
    it is stored and delivered once."""
    import hashlib  # no I/O; kept local so the sandbox imports nothing more at module load

    return hashlib.sha256(f"{workflow_id}.{purpose_key}".encode()).hexdigest()[:32]


@dataclass
class SendEmailRequest:
    registration_id: str
    kind: str  # EmailKind value
    # Unique per workflow and purpose: the basis of the Message-ID.
    purpose_key: str = ""
    deadline: str | None = None
    reason: str | None = None
    # The VIES check finished only after retries: the confirmation email says so.
    vat_check_delayed: bool = False


@dataclass
class ConfirmEmailRequest:
    """No fields: the workflow confirms at its own clock."""


@dataclass
class ResendRequest:
    """Send the confirmation email again; the deadline stays where it was."""


@dataclass
class Decision:
    approve: bool
    decided_by: str  # administrator's account id, not an email address
    reason: str = ""


@dataclass
class DecisionResult:
    status: str
    decided_by: str


@dataclass
class StatusView:
    """What the status page and the admin console read from the workflow."""

    registration_id: str
    status: str
    deadline: str | None
    steps: list[Step]
    vat_result: VatCheckResult | None = None
    rejection_reason: str | None = None
    email_confirmed_at: str | None = None
    review_overdue: bool = False
    # Set once a decision is recorded, before activation or the rejection has run.
    decided_by: str | None = None
    # The open or last request for changes; rounds answered so far (each one "corrected").
    changes: ChangesView | None = None
    corrections: int = 0


@dataclass
class OutboxMailJob:
    """Only the outbox row's id: recipient and content stay in the database."""

    outbox_id: str


VAT_ONLY_WORKFLOW_NAME = "VatOnlyWorkflow"


def vat_only_workflow_id(token: str) -> str:
    return f"vat-only-{token}"


@dataclass
class VatOnlyAnswer:
    """VatOnlyWorkflow's answer. None: VIES stayed unavailable (the web app shows the decoy,
    as for a slow VIES)."""

    result: VatCheckResult | None = None
