"""Read-model writes: dossier projection and audit log. Idempotent, so a retried activity
never doubles a row (see `models/depot.py`)."""

import asyncio

from sqlalchemy import Engine
from sqlmodel import Session
from temporalio import activity

from models import depot
from models.dossier import EntreeAudit, ProjectionDossier


class ProjectionActivities:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @activity.defn(name="projeter_dossier")
    async def projeter_dossier(self, projection: ProjectionDossier) -> None:
        await asyncio.to_thread(self._projeter, projection)

    @activity.defn(name="journaliser")
    async def journaliser(self, entrees: list[EntreeAudit]) -> None:
        await asyncio.to_thread(self._journaliser, entrees)

    def _projeter(self, projection: ProjectionDossier) -> None:
        with Session(self._engine) as session:
            depot.projeter_dossier(session=session, projection=projection)
            session.commit()

    def _journaliser(self, entrees: list[EntreeAudit]) -> None:
        with Session(self._engine) as session:
            for entree in entrees:
                depot.ajouter_audit(session=session, entree=entree)
            session.commit()
