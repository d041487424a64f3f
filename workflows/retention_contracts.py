"""The personal-data retention schedule's contract: names and dataclasses shared by its
workflow, its activity and the worker that creates the schedule. No I/O, no personal data."""

from __future__ import annotations

from dataclasses import dataclass

RETENTION_WORKFLOW_NAME = "PersonalDataRetentionWorkflow"
RETENTION_SCHEDULE_ID = "personal-data-retention"
# Daily, at a quiet hour (UTC).
RETENTION_CRON = "30 3 * * *"
ACTIVITY_PURGE_PERSONAL_DATA = "purge_personal_data"

# Registrations that ended without an account: their personal data goes after the period.
ENDED_WITHOUT_ACCOUNT = ("EXPIRED", "VAT_MISMATCH", "VAT_CHECK_FAILED", "REJECTED")


@dataclass
class RetentionInput:
    """The schedule's argument, set by the worker from PERSONAL_DATA_RETENTION."""

    retention_seconds: int = 90 * 86400


@dataclass
class PurgeRequest:
    now: str  # ISO 8601, the workflow's time: the cutoff is now - retention
    retention_seconds: int


@dataclass
class PurgeResult:
    registrations: int = 0
    accounts: int = 0
    drafts: int = 0  # registration wizard drafts abandoned before sending
    help_requests: int = 0  # finished help requests sent without an account
