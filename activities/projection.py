"""Read-model writes: the audit lines and the dossier projection of one workflow step, in one
transaction. Idempotent, so a retried activity never doubles a row (see `models/depot.py`)."""

import asyncio

from sqlalchemy import Engine
from sqlmodel import Session
from temporalio import activity

from models import depot
from models.dossier import Enregistrement


class ProjectionActivities:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @activity.defn(name="enregistrer_dossier")
    async def enregistrer_dossier(self, enregistrement: Enregistrement) -> Enregistrement:
        """Write the step; returns what it wrote: run as a local activity, its marker in the
        history keeps it (the history stays the dossier's record, which
        `guichet scenario record` reads)."""
        await asyncio.to_thread(self._enregistrer, enregistrement)
        return enregistrement

    def _enregistrer(self, enregistrement: Enregistrement) -> None:
        with Session(self._engine) as session:
            depot.ajouter_audits(session=session, entrees=enregistrement.audit)
            projection = enregistrement.projection
            for ordre in enregistrement.ordres:
                depot.enregistrer_ordre(
                    session=session,
                    id=ordre.id,
                    dossier=projection.cle,
                    periode=ordre.periode,
                    montant=ordre.montant,
                    statut=ordre.statut,
                    maj_le=projection.maj_le,
                )
            depot.projeter_dossier(session=session, projection=projection)
            session.commit()
