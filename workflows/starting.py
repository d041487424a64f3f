"""How a workflow is started, shared by the web app's bridge and the worker's sweep, so
both start each registration and each outbox email exactly once under the same id.

Client-side only (imported by neither workflow): the workflow sandbox never sees it.
"""

from __future__ import annotations

from typing import Any

from temporalio.common import (
    SearchAttributeKey,
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
)

from workflows import contracts as c

# A second start of a running workflow attaches to it; a finished one is not run again
# (the client raises WorkflowAlreadyStartedError, which callers read as "started").
START_ONCE: dict[str, Any] = {
    "id_reuse_policy": WorkflowIDReusePolicy.REJECT_DUPLICATE,
    "id_conflict_policy": WorkflowIDConflictPolicy.USE_EXISTING,
}


def registration_start(reg: c.RegistrationInput) -> dict[str, Any]:
    """Keyword arguments for Client.start_workflow beside the workflow and its input."""
    vat = f"{reg.country_code}{reg.vat_number}"
    attributes = TypedSearchAttributes(
        [
            SearchAttributePair(SearchAttributeKey.for_keyword(c.SA_STATUS), "VERIFYING_VAT"),
            SearchAttributePair(SearchAttributeKey.for_keyword(c.SA_COUNTRY), reg.country_code),
            SearchAttributePair(SearchAttributeKey.for_keyword(c.SA_USER_TYPE), reg.user_type),
            SearchAttributePair(SearchAttributeKey.for_keyword(c.SA_VAT_NUMBER), vat),
        ]
    )
    label = c.USER_TYPE_LABELS.get(reg.user_type, reg.user_type)
    return {
        "id": c.workflow_id_for(reg.registration_id),
        "search_attributes": attributes,
        "static_summary": f"{vat} · {label}",  # the Web UI's summary line
        **START_ONCE,
    }
