"""Registering the dossiers' search attributes (`models/recherche.py`) on a Temporal server.

The embedded dev server registers them from its command line (`workers/runtime/processes.py`); a
cluster (and the time-skipping test server) gets them through the operator API, idempotently:
`assurer_attributs_recherche(client)` at worker start or once by hand.
"""

from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import (
    AddSearchAttributesRequest,
    ListSearchAttributesRequest,
)
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from models.recherche import ATTRIBUTS


async def assurer_attributs_recherche(client: Client) -> list[str]:
    """Register the attributes the namespace lacks; returns their names (empty if none)."""
    try:
        existants = await client.operator_service.list_search_attributes(
            ListSearchAttributesRequest(namespace=client.namespace)
        )
        connus = set(existants.custom_attributes) | set(existants.system_attributes)
    except RPCError as exc:
        if exc.status is not RPCStatusCode.UNIMPLEMENTED:
            raise
        connus = set()  # the time-skipping test server only implements the addition
    manquants = {
        cle.name: IndexedValueType.ValueType(int(cle.indexed_value_type))
        for cle in ATTRIBUTS
        if cle.name not in connus
    }
    if manquants:
        await client.operator_service.add_search_attributes(
            AddSearchAttributesRequest(namespace=client.namespace, search_attributes=manquants)
        )
    return sorted(manquants)
