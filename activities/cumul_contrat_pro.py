"""The contrat-pro dossier's call to its beneficiary's yearly ledger (`contrat-pro-cumul`,
`workflows/contrat_pro/cumul.py`): update-with-start on this worker's task queue, so the first
dossier of a SIREN and year starts the ledger and the others find it."""

from decimal import Decimal
from typing import Any

from temporalio import activity
from temporalio.client import WithStartWorkflowOperation
from temporalio.common import WorkflowIDConflictPolicy

from models.contrat_pro import WORKFLOW_CUMUL, EntreeCumul, EtatCumul


@activity.defn(name="reserver_cumul_contrat_pro")
async def reserver_cumul_contrat_pro(entree: EntreeCumul) -> Decimal:
    """Reserve (or release, with 0) the dossier's amount on the ledger of its SIREN and year;
    returns the amount the ledger's other dossiers hold. Retried as a whole: the update is
    idempotent per dossier (a second reservation replaces the first)."""
    cle = f"{entree.siren}:{entree.annee}"
    demarrage: WithStartWorkflowOperation[Any, EtatCumul] = WithStartWorkflowOperation(
        WORKFLOW_CUMUL,
        EtatCumul(cle=cle),
        id=f"{WORKFLOW_CUMUL}:{cle}",
        task_queue=activity.info().task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        result_type=EtatCumul,
    )
    autres: Decimal = await activity.client().execute_update_with_start_workflow(
        "reserver", entree, start_workflow_operation=demarrage, result_type=Decimal
    )
    return autres
