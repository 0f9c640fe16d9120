"""The contrat-pro dossier's calls to its beneficiary's yearly ledger (`contrat-pro-cumul`,
`workflows/contrat_pro/cumul.py`): update-with-start on this worker's task queue, so the first
dossier of a SIREN and year starts the ledger and the others find it. For a de minimis act, the
earlier years' de minimis aids are read from the earlier ledgers first (query `etat`), and a
reservation the ledger refuses over the ceiling fails for good (`PLAFOND_DEPASSE`)."""

from decimal import Decimal
from typing import Any

from temporalio import activity
from temporalio.client import WithStartWorkflowOperation, WorkflowUpdateFailedError
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from models.contrat_pro import (
    PLAFOND_DEPASSE,
    WORKFLOW_CUMUL,
    EntreeCumul,
    EtatCumul,
    ReservationFaite,
)
from rules.contrat_pro import debut_periode_de_minimis


async def _de_minimis_annees_precedentes(entree: EntreeCumul) -> Decimal:
    """The service's de minimis aids to the SIREN in the three years before the act, from the
    ledgers of the three calendar years before the act's (a ledger never started holds none)."""
    le = entree.reservation.le
    assert le is not None, "a de minimis reservation carries the act's date"
    depuis = debut_periode_de_minimis(le)
    total = Decimal("0.00")
    for annee in range(entree.annee - 3, entree.annee):
        handle = activity.client().get_workflow_handle(f"{WORKFLOW_CUMUL}:{entree.siren}:{annee}")
        try:
            etat = await handle.query("etat", result_type=EtatCumul)
        except RPCError as exc:
            if exc.status is not RPCStatusCode.NOT_FOUND:
                raise
            continue
        total += etat.de_minimis(entree.reservation.dossier, depuis)
    return total


@activity.defn(name="reserver_aide_contrat_pro")
async def reserver_aide_contrat_pro(entree: EntreeCumul) -> ReservationFaite:
    """Reserve (or release, with 0) the dossier's amount on the ledger of its SIREN and year;
    returns what the ledger's other dossiers hold. Retried as a whole: the update is idempotent
    per dossier (a second reservation replaces the first)."""
    if entree.de_minimis is not None and entree.reservation.montant > 0:
        precedentes = await _de_minimis_annees_precedentes(entree)
        controle = entree.de_minimis.model_copy(update={"annees_precedentes": precedentes})
        entree = entree.model_copy(update={"de_minimis": controle})
    cle = f"{entree.siren}:{entree.annee}"
    demarrage: WithStartWorkflowOperation[Any, EtatCumul] = WithStartWorkflowOperation(
        WORKFLOW_CUMUL,
        EtatCumul(cle=cle),
        id=f"{WORKFLOW_CUMUL}:{cle}",
        task_queue=activity.info().task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        result_type=EtatCumul,
    )
    try:
        faite: ReservationFaite = await activity.client().execute_update_with_start_workflow(
            "reserver", entree, start_workflow_operation=demarrage, result_type=ReservationFaite
        )
    except WorkflowUpdateFailedError as exc:
        cause = exc.cause
        if isinstance(cause, ApplicationError) and cause.type == PLAFOND_DEPASSE:
            raise ApplicationError(cause.message, type=PLAFOND_DEPASSE, non_retryable=True) from exc
        raise
    return faite


@activity.defn(name="reserver_cumul_contrat_pro")
async def reserver_cumul_contrat_pro(entree: EntreeCumul) -> Decimal:
    """The same reservation answering only the year's amount the other dossiers hold: the
    activity of the histories recorded before the de minimis test, and of releases."""
    return (await reserver_aide_contrat_pro(entree)).autres


ACTIVITES_CUMUL = (reserver_aide_contrat_pro, reserver_cumul_contrat_pro)
"""What a worker running contrat-pro dossiers registers for their ledgers."""
