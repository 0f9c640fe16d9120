"""A workflow step's outputs: its outbound events published in order, then the audit lines and
the dossier projection written in one transaction. Idempotent, so a retried activity never
doubles a row (see `models/depot.py`); a retried publication goes out again with the same id,
which consumers deduplicate on (at least once)."""

import asyncio

from sqlalchemy import Engine
from sqlmodel import Session
from temporalio import activity

from activities.publication import publier
from events.publisher import Publisher
from models import depot
from models.dossier import Enregistrement


class ProjectionActivities:
    def __init__(self, engine: Engine, publisher: Publisher) -> None:
        self._engine = engine
        self._publisher = publisher

    @activity.defn(name="enregistrer_dossier")
    async def enregistrer_dossier(self, enregistrement: Enregistrement) -> Enregistrement:
        """Publish the step's events, then write it; returns what it did: run as a local
        activity, its marker in the history keeps it (the history stays the dossier's record,
        which `guichet scenario record` reads)."""
        for sortant in enregistrement.publications:
            await publier(self._publisher, sortant)
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
