"""Wiring of the retention job: the daily Temporal Schedule and the purge activities.

`assurer_planification(client, task_queue)` creates the schedule `guichet-retention` once (a
second call, from another worker or a restart, finds it and leaves it as it is): every day at
03:00 Europe/Paris it starts the `retention` workflow (`workflows/retention.py`), one run at a
time (overlap SKIP). `activites_retention(engine, documents)` are the activities to register;
the same run deletes the dead letters past `GUICHET_REBUTS_CONSERVATION_JOURS` and signs the
audit log's daily digest (docs/audit.md).
"""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select
from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleSpec,
)

from activities.retention import CONSERVATION_REBUTS_JOURS, EffaceurDocuments, RetentionActivities
from events.publisher import Publisher
from models.chaine_audit import Signataire
from models.retention import EntreeRetention
from models.tables import PieceJointe
from workers.services.documents import Stockage
from workflows.retention import WORKFLOW, RetentionWorkflow

PLANIFICATION = "guichet-retention"
CRON = "0 3 * * *"
FUSEAU = "Europe/Paris"

__all__ = [
    "PLANIFICATION",
    "EffaceurStockage",
    "RetentionWorkflow",
    "activites_retention",
    "assurer_planification",
]


class EffaceurStockage:
    """The document store as the purge needs it: a dossier's files are deleted, except a file
    another dossier not yet purged also references (the store is content-addressed: the same
    bytes are stored once)."""

    def __init__(self, stockage: Stockage, engine: Engine) -> None:
        self._stockage = stockage
        self._engine = engine

    def supprimer_dossier(self, dossier: str) -> list[str]:
        with Session(self._engine) as session:
            pieces = session.exec(select(PieceJointe).where(PieceJointe.dossier == dossier)).all()
            supprimes: list[str] = []
            for piece in pieces:
                autres = session.exec(
                    select(PieceJointe.id).where(
                        PieceJointe.sha256 == piece.sha256, col(PieceJointe.dossier) != dossier
                    )
                ).first()
                if autres is None:
                    self._stockage.delete(piece.sha256)
                    supprimes.append(piece.sha256)
        return supprimes


def planification(task_queue: str) -> Schedule:
    return Schedule(
        action=ScheduleActionStartWorkflow(
            WORKFLOW,
            EntreeRetention(),
            id=f"{WORKFLOW}-quotidienne",
            task_queue=task_queue,
            execution_timeout=timedelta(hours=12),
        ),
        spec=ScheduleSpec(cron_expressions=[CRON], time_zone_name=FUSEAU),
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP),
    )


async def assurer_planification(client: Client, task_queue: str) -> bool:
    """Create the daily schedule if it does not exist; True if this call created it."""
    try:
        await client.create_schedule(PLANIFICATION, planification(task_queue))
    except ScheduleAlreadyRunningError:
        return False
    return True


def activites_retention(
    engine: Engine,
    documents: EffaceurDocuments | None = None,
    *,
    conservation_rebuts: int = CONSERVATION_REBUTS_JOURS,
    signataire: Signataire | None = None,
    publisher: Publisher | None = None,
) -> list[Callable[..., Any]]:
    """The purge activities, bound to the read model and (when given) the document store.

    `documents`: `EffaceurStockage(StockageDisque(settings.effective_documents_dir), engine)`
    in the worker; without it the purge clears the read model only and writes "non branché"
    for the files on its audit line. `conservation_rebuts`: days a dead letter is kept
    (`settings.rebuts_conservation_jours`). `signataire`: the audit digest's key
    (`workers.runtime.cle_audit.signataire_pour`), published through `publisher` on
    `guichet.audit`; without it no digest is made (docs/audit.md)."""
    retention = RetentionActivities(
        engine,
        documents,
        conservation_rebuts=conservation_rebuts,
        signataire=signataire,
        publisher=publisher,
    )
    return [retention.dossiers_a_purger, retention.purger_dossier]
