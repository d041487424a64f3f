"""Register the registration workflow's custom search attributes on a Temporal server."""

from __future__ import annotations

import logging

from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import (
    AddSearchAttributesRequest,
    ListSearchAttributesRequest,
)
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from workflows import contracts as c

log = logging.getLogger(__name__)

# The SDK's value types carry the proto's numbers.
SEARCH_ATTRIBUTES = {
    key.name: IndexedValueType.ValueType(int(key.indexed_value_type))
    for key in c.SEARCH_ATTRIBUTE_KEYS
}


async def ensure_search_attributes(client: Client, namespace: str) -> bool:
    """Add the attributes that are missing; False (and a log line) if the server refuses."""
    try:
        try:
            existing = await client.operator_service.list_search_attributes(
                ListSearchAttributesRequest(namespace=namespace)
            )
            known = set(existing.custom_attributes)
        except RPCError as err:
            if err.status != RPCStatusCode.UNIMPLEMENTED:  # the time-skipping test server
                raise
            known = set()
        missing = {name: kind for name, kind in SEARCH_ATTRIBUTES.items() if name not in known}
        if missing:
            await client.operator_service.add_search_attributes(
                AddSearchAttributesRequest(namespace=namespace, search_attributes=missing)
            )
            log.info("Registered search attributes: %s", ", ".join(sorted(missing)))
    except RPCError as err:
        log.warning("Could not register search attributes (%s); ask the operator to.", err)
        return False
    return True
