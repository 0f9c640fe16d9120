"""A dossier's bookkeeping inside its workflow, whatever its scheme.

`Suivi` is used from inside a workflow, by the base class of `workflows/dossier.py`: it
deduplicates events by id, queues them for the main loop, records anomalies, and calls the
activities that publish outbound events and write the read model. Audit lines are noted as the
workflow goes and written with the dossier's projection in one activity (`enregistrer`), once
per step. Ids and counters live in the scheme's state (`Registre`), so they survive
continue-as-new.

`enregistrer` also keeps the workflow's search attributes (`models/recherche.py`: scheme,
status, beneficiary SIRET/UAI, next deadline; never a personal field) in step with the
projection, for workflows started with the `Dispositif` attribute: the starter sets it only on
a server where the attributes are registered, so a server that does not know them (the
time-skipping test server as the scheme tests start it) never sees an upsert it would refuse,
and a workflow started before the attributes existed replays unchanged.
"""

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from pydantic import BaseModel

    from activities.projection import ProjectionActivities
    from activities.publication import PublicationActivities
    from events import topics
    from models.dossier import (
        Enregistrement,
        EntreeAudit,
        LigneOrdre,
        Nature,
        ProjectionDossier,
        Registre,
    )
    from models.evenements import CloudEvent, EvenementSortant
    from models.recherche import DISPOSITIF, a_jour
    from models.sortants import AnomalieDossier

ACTIVITE_TIMEOUT = timedelta(seconds=10)
"""Start-to-close of the regular activities a step calls (a rule evaluation, a read-model write
or a publication, a query, signal or update to another workflow: milliseconds, a second loaded).
They don't heartbeat, so a worker killed while one runs is only noticed when this delay
expires: then the activity is retried on a live worker (1 s later, the default retry policy).
Kept short so a dossier resumes within seconds of a restart, not a minute (issue 16); long
enough never to cut a healthy call. Retrying is safe: each of them is idempotent (a pure
evaluation, an upsert, an event id consumers deduplicate on, a signal the target deduplicates,
a ledger reservation that replaces the dossier's previous one). Long computations have their
own (`workflows.are.commun.CALCUL_TIMEOUT`)."""
ACTIVITE_LOCALE_TIMEOUT = timedelta(minutes=1)
"""Start-to-close of a step's local activities (`sortie`): a worker lost meanwhile is noticed
by the workflow task's timeout (10 s), not by this one, which only bounds a call that hangs
(Kafka or the database unreachable) before the SDK retries it."""
ACTIVITES_LOCALES = "suivi-activites-locales"
"""`workflow.patched` id: the step's write to the read model and the outbound publications run
as local activities, in the workflow task that decided them (a marker in the history instead
of an activity's three events and the next workflow task's three; a worker killed meanwhile
costs the workflow task's timeout, not the activity's). Histories recorded before it replay
with regular activities (issue 16, item 1; docs/architecture.md, steps 7 and 8)."""
SORTIES_GROUPEES = "suivi-sorties-groupees"
"""`workflow.patched` id: within a step (`Suivi.etape`), the outbound events wait for the step's
write and go out in the same local activity, published first, in order (one marker instead of
one per event and one for the write). Histories recorded before it publish each event in an
activity of its own (issue 16, item 1)."""
AUTEUR_GUICHET = "guichet"
HISTORIQUE_MAX = 10_000
"""Continue-as-new beyond this many history events, even if the server does not ask yet."""


async def sortie(activite: Callable[[Any, Any], Awaitable[Any]], argument: BaseModel) -> None:
    """A step's write or publication: a local activity (`ACTIVITES_LOCALES`), or a regular one
    in the histories recorded before."""
    if workflow.patched(ACTIVITES_LOCALES):
        await workflow.execute_local_activity_method(
            activite, argument, start_to_close_timeout=ACTIVITE_LOCALE_TIMEOUT
        )
    else:
        await workflow.execute_activity_method(
            activite, argument, start_to_close_timeout=ACTIVITE_TIMEOUT
        )


class Suivi:
    def __init__(self, dispositif: str, cle: str, registre: Registre) -> None:
        self.dispositif = dispositif
        self.cle = cle
        self.registre = registre
        self.a_appliquer: list[CloudEvent] = []
        self._a_ecrire: list[EntreeAudit] = []
        self._a_publier: list[EvenementSortant] = []
        self._grouper = False

    @asynccontextmanager
    async def etape(self) -> AsyncIterator[None]:
        """A step (an event, a decision, a deadline): the events it publishes go out with its
        write (`SORTIES_GROUPEES`); any still waiting when it ends go out then, even if it
        ends by an exception (continue-as-new), so none is left behind."""
        if self._grouper:
            yield
            return
        self._grouper = workflow.patched(SORTIES_GROUPEES)
        try:
            yield
        finally:
            self._grouper = False
            en_attente, self._a_publier = self._a_publier, []
            for sortant in en_attente:
                await sortie(PublicationActivities.publier_evenement, sortant)

    @property
    def workflow_id(self) -> str:
        return workflow.info().workflow_id

    def recevoir(self, event: CloudEvent) -> None:
        """Signal handler body: queue the event for the main loop, in arrival order."""
        self.a_appliquer.append(event)

    def en_attente(self, types: frozenset[str]) -> bool:
        """Whether an event of one of `types` is queued (while processing is restricted, only
        those are applied; the others wait in order)."""
        return any(event.type in types for event in self.a_appliquer)

    def prochain(self, types: frozenset[str] | None = None) -> CloudEvent | None:
        """The next event not applied yet, of one of `types` if given (duplicates are dropped
        here and logged)."""
        while True:
            rang = next(
                (
                    i
                    for i, event in enumerate(self.a_appliquer)
                    if types is None or event.type in types
                ),
                None,
            )
            if rang is None:
                return None
            event = self.a_appliquer.pop(rang)
            if self.registre.appliquer(event.id):
                return event
            workflow.logger.info(
                "evenement_deja_applique", extra={"dossier": self.cle, "event_id": event.id}
            )

    def doit_continuer_ailleurs(self, historique_max: int = HISTORIQUE_MAX) -> bool:
        """Nothing queued, and the server suggests a fresh history or it is over
        `historique_max` events."""
        info = workflow.info()
        return not self.a_appliquer and (
            info.is_continue_as_new_suggested()
            or info.get_current_history_length() > historique_max
        )

    def entree_evenement(self, event: CloudEvent, **detail: Any) -> EntreeAudit:
        return EntreeAudit(
            dossier=self.workflow_id,
            cle_unique=event.id,
            horodatage=workflow.now(),
            nature=Nature.EVENEMENT,
            type=event.type,
            auteur=event.source,
            evenement_source=event.id,
            detail=detail,
        )

    def entree(self, nature: Nature, type_: str, cle_unique: str, **detail: Any) -> EntreeAudit:
        return EntreeAudit(
            dossier=self.workflow_id,
            cle_unique=cle_unique,
            horodatage=workflow.now(),
            nature=nature,
            type=type_,
            auteur=AUTEUR_GUICHET,
            detail=detail,
        )

    def noter(self, *entrees: EntreeAudit) -> None:
        """Audit lines for the next `enregistrer`."""
        self._a_ecrire.extend(entrees)

    async def enregistrer(self, ordres: list[LigneOrdre] | None = None, **champs: Any) -> None:
        """Publish the step's events not out yet, then write the noted audit lines, the orders
        and the dossier's projection, in one activity."""
        self.registre.projections += 1
        enregistrement = Enregistrement(
            publications=self._a_publier,
            audit=self._a_ecrire,
            ordres=ordres or [],
            projection=ProjectionDossier(
                cle=self.workflow_id,
                dispositif=self.dispositif,
                reference=self.cle,
                version=self.registre.projections,
                maj_le=workflow.now(),
                **champs,
            ),
        )
        self._a_ecrire, self._a_publier = [], []
        self.indexer(enregistrement.projection)
        await sortie(ProjectionActivities.enregistrer_dossier, enregistrement)

    @staticmethod
    def indexer(projection: ProjectionDossier) -> None:
        """Upsert the search attributes that changed, if the workflow is indexed at all (it
        was started with `Dispositif`; continue-as-new keeps it)."""
        actuels = workflow.info().typed_search_attributes
        if actuels.get(DISPOSITIF) is None:
            return
        updates = a_jour(projection, actuels)
        if updates:
            workflow.upsert_search_attributes(updates)

    async def publier(self, topic: str, type_: str, contenu: BaseModel) -> str:
        """Publish an outbound event and audit it; returns its id (`<workflow id>/<n>`). Within
        a step, the event goes out with the step's write (`etape`)."""
        data = contenu.model_dump(mode="json")
        self.registre.publications += 1
        event_id = f"{self.workflow_id}/{self.registre.publications}"
        sortant = EvenementSortant(
            topic=topic, id=event_id, type=type_, subject=self.cle, time=workflow.now(), data=data
        )
        if self._grouper:
            self._a_publier.append(sortant)
        else:
            await sortie(PublicationActivities.publier_evenement, sortant)
        self.noter(self.entree(Nature.PUBLICATION, type_, event_id, topic=topic, **data))
        return event_id

    async def signaler_anomalie(self, event: CloudEvent, motif: str) -> None:
        """An event that makes no sense in the dossier's state: an audit line of its own and an
        announcement on `guichet.dossiers` for an instructor, never silently ignored."""
        workflow.logger.warning(
            "anomalie", extra={"dossier": self.cle, "event_id": event.id, "motif": motif}
        )
        entree = self.entree(Nature.ANOMALIE, event.type, f"{event.id}/anomalie", motif=motif)
        self.noter(entree.model_copy(update={"auteur": event.source, "evenement_source": event.id}))
        await self.publier(
            topics.DOSSIERS,
            "guichet.dossier.anomalie.v1",
            AnomalieDossier(evenement_id=event.id, type=event.type, motif=motif),
        )
