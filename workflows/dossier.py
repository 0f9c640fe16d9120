"""The life every dossier workflow shares, whatever its scheme: `DossierWorkflow`.

A scheme's workflow (contrat-pro, CAE-DOM, the three ARE workflows) subclasses it and keeps only
what its seed says: its handlers for partner events, its decisions and their refusals, its
deadlines, its read-model line. The base runs the rest the same way for all:

- **The main loop** (`_boucle`): partner events (signal `evenement`) and instructor decisions
  (update `decider`) are applied one at a time, in arrival order, decisions first; a deadline
  already due is handled before anything queued; the next deadline is the wait's timeout (at
  most `ATTENTE_MAX`: a longer wait continues-as-new with a fresh history); the history is
  renewed (continue-as-new) when the server suggests it or past `historique_max` events, only
  when no message is queued and every update has been answered.
- **One refusal semantics for decisions.** The update's validator refuses what makes no sense
  in the state (nothing is recorded); a decision the state refuses when its turn comes (the
  state moved meanwhile) fails the update with the reason, and nothing is recorded either: the
  API answers 409. An accepted decision's audit line is keyed by the update's id
  (`decision/<update id>`), which no other decision can take.
- **The malformed-event guard**: an event whose data breaks its contract (the consumer checks
  contracts; a direct signal may not) is an anomaly naming the fields, never a failed task.
- **The data subject's rights** (GDPR, `workflows/rgpd.py`) for the schemes that hold personal
  data (`rectifiables` not empty): while processing is restricted no timer runs, partner events
  wait in their queue, decisions are refused; only GDPR events are applied.
- **Outputs**: status changes and notifications published on the usual topics, audit lines and
  the projection written once per step (`workflows/suivi.py`).
"""

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from pydantic import BaseModel, ValidationError

    from events import topics
    from models import rgpd
    from models.dossier import Anomalie, Nature, Registre
    from models.evenements import CloudEvent, EntreeDossier
    from models.sortants import Notification, StatutDossier
    from workflows.rgpd import DroitsRgpd
    from workflows.suivi import HISTORIQUE_MAX, Suivi

ATTENTE_MAX = timedelta(days=365)
"""No single timer longer than this: a longer wait continues-as-new every year."""
REFUS_SANS_TRACE = "decision-refusee-sans-trace"
"""`workflow.patched` id of the one refusal semantics. Histories recorded before it replay the
old ways: a decision refused at application was audited (`decision_refusee`) and projected; in
contrat-pro its update was answered with the status, as soon as the decisions queued before it
were applied (`reponse_au_rang_ancien`). Replayed by the fixture
tests/replay/contrat_pro-decisions_concurrentes--*.json, recorded with the old code."""


@dataclass(frozen=True)
class Echeance:
    """A deadline or a reminder computed from the state; once handled, the scheme keeps its
    `code` in the state so that it is not handled twice."""

    quand: datetime
    code: str
    jour: date
    """The deadline's day (for a reminder, the day of the deadline it reminds of)."""
    sujet: str = ""
    """What it concerns, when the code alone does not say: a reminder's object (DEMANDE), a
    CAE-DOM quarter (2024-T3)."""
    libelle: str = ""
    """For the read model's next-deadline label."""


class EtatDossier(Protocol):
    """What the base needs of a scheme's state (a pydantic model, the `etat` query)."""

    cle: str
    statut: Any
    anomalies: list[Anomalie]
    registre: Registre

    def model_dump(self, *, mode: str = ...) -> dict[str, Any]: ...


EtatT = TypeVar("EtatT", bound=EtatDossier)


@dataclass(frozen=True)
class _DecisionAttendue:
    rang: int
    cle: str
    """The audit key of the decision: `decision/<update id>`."""
    decision: Any


class DossierWorkflow(ABC, Generic[EtatT]):
    """What every dossier workflow does the same way. See the module's docstring."""

    dispositif: ClassVar[str]
    historique_max: ClassVar[int] = HISTORIQUE_MAX
    """Continue-as-new beyond this many history events, even if the server does not ask yet."""
    reponse_au_rang_ancien: ClassVar[bool] = False
    """For histories recorded before `REFUS_SANS_TRACE` only (contrat-pro's old queue)."""
    rectifiables: ClassVar[Mapping[str, tuple[str, ...]]] = {}
    """GDPR art. 16: the personal fields a `guichet.rgpd.rectification.v1` may correct, and
    where they live in the state. Empty: the scheme serves no GDPR request."""

    def _demarrer(self, etat: EtatT, reprise: Mapping[str, Any] | None) -> None:
        """To call from the workflow's `__init__` with its state (new, or carried over)."""
        self._etat = etat
        self._suivi = Suivi(self.dispositif, etat.cle, etat.registre)
        self._rgpd = DroitsRgpd(self._suivi, reprise)
        self._decisions: list[_DecisionAttendue] = []
        self._reponses: dict[int, str | None] = {}
        self._recues = 0
        self._appliquees = 0
        self._ancien: bool | None = None
        """Whether this run replays a history from before `REFUS_SANS_TRACE` (known at the
        first decision applied)."""
        self._cle_decision = ""

    # --- messages every dossier answers -------------------------------------------------------

    @workflow.signal(name="evenement")
    def evenement(self, event: CloudEvent) -> None:
        """A partner's event (or another workflow's), queued for the main loop."""
        self._suivi.recevoir(event)

    @workflow.query(name="etat")
    def etat(self) -> EtatT:
        """The dossier's state, as the scheme's model says it."""
        return self._etat

    @workflow.query(name="rgpd")
    def etat_rgpd(self) -> rgpd.EtatRgpd:
        """Restriction of processing in force, rectifications applied or refused (empty for
        the schemes that hold no personal data)."""
        return self._rgpd.etat

    # --- provided by each scheme -------------------------------------------------------------

    @abstractmethod
    def _termine(self) -> bool: ...

    @abstractmethod
    async def _sur_evenement(self, event: CloudEvent) -> str | None:
        """Apply a partner event; returns why it makes no sense in the state, or None."""

    @abstractmethod
    async def _enregistrer(self) -> None:
        """Write the step: the projection, with the audit lines noted meanwhile."""

    def _refus_decision(self, decision: Any) -> str | None:
        """Why `decision` makes no sense in the state now (the update's validator)."""
        return "aucune décision n'est prise sur ce dispositif"

    async def _appliquer_decision(self, decision: Any) -> str | None:
        """Apply a decision the state accepts (`_refus_decision` was checked just before), its
        audit line by `_noter_decision`; returns why it is refused after all (a fact looked up
        meanwhile), or None. Each scheme that takes decisions overrides it."""
        return "aucune décision n'est prise sur ce dispositif"

    def _echeances(self) -> list[Echeance]:
        """The deadlines and reminders not handled yet."""
        return []

    async def _echeance(self, echeance: Echeance) -> None:
        """Handle a deadline or a reminder whose time has come."""

    async def _avant_attente(self) -> bool:
        """Work to do now that every queued message is applied; True if something was done."""
        return False

    async def _apres_evenement(self) -> None:
        """After a partner event is applied, before the step is written."""

    async def _apres_levee(self) -> None:
        """The restriction of processing was just lifted, before the held events are applied."""

    async def _rectifie(self, champ: str) -> None:
        """After a personal field was corrected: re-evaluate what depends on it."""

    # --- main loop ---------------------------------------------------------------------------

    async def _boucle(self) -> None:
        while not self._termine():
            if self._doit_continuer_ailleurs() and self._au_repos():
                self._continuer_ailleurs()
            if self._rgpd.limitation is not None:
                await self._limite()
                continue
            if not self._suivi.a_appliquer and not self._decisions and await self._avant_attente():
                continue
            prochaine = self._prochaine_echeance()
            if prochaine is not None and prochaine.quand <= workflow.now():
                async with self._suivi.etape():
                    await self._echeance(prochaine)
                continue
            attente = None if prochaine is None else prochaine.quand - workflow.now()
            try:
                await workflow.wait_condition(
                    lambda: bool(self._suivi.a_appliquer or self._decisions),
                    timeout=None if attente is None else min(attente, ATTENTE_MAX),
                )
            except TimeoutError:
                if prochaine is not None and workflow.now() >= prochaine.quand:
                    async with self._suivi.etape():
                        await self._echeance(prochaine)
                elif self._au_repos():
                    self._continuer_ailleurs()  # a wait of more than a year: fresh history
                continue
            if self._decisions:
                await self._decision_suivante()
                continue
            event = self._suivi.prochain()
            if event is not None:
                await self._appliquer(event)
        await workflow.wait_condition(workflow.all_handlers_finished)

    def _prochaine_echeance(self) -> Echeance | None:
        return min(self._echeances(), key=lambda e: e.quand, default=None)

    def _doit_continuer_ailleurs(self) -> bool:
        return self._suivi.doit_continuer_ailleurs(self.historique_max)

    def _au_repos(self) -> bool:
        """No decision waiting and every update answered: safe to continue as new."""
        return not self._decisions and workflow.all_handlers_finished()

    def _continuer_ailleurs(self) -> None:
        reprise = self._rgpd.reprise(self._etat.model_dump(mode="json"))
        workflow.continue_as_new(EntreeDossier(cle=self._etat.cle, reprise=reprise))

    async def _limite(self) -> None:
        """Processing restricted (GDPR art. 18): no timer runs, partner events wait in their
        queue, decisions are refused; only GDPR events (rectify, lift) are applied. Deadlines
        are held, not shifted: the regulatory dates do not move. Once lifted, the scheme's
        `_apres_levee`, then the held partner events in arrival order."""
        await workflow.wait_condition(lambda: bool(self._decisions or self._rgpd.en_attente()))
        if self._decisions:
            await self._decision_suivante()  # refused: processing is restricted
            return
        event = self._rgpd.prochain()
        if event is not None:
            await self._appliquer(event)
        if self._rgpd.limitation is not None:
            return
        await self._apres_levee()
        while self._rgpd.limitation is None and not self._termine():
            retenu = self._suivi.prochain()
            if retenu is None:
                break
            await self._appliquer(retenu)

    # --- partner events ----------------------------------------------------------------------

    async def _appliquer(self, event: CloudEvent) -> None:
        """Apply an event, audited with the status before it; one that makes no sense in this
        state, or whose data breaks its contract, is an anomaly for an instructor."""
        async with self._suivi.etape():
            self._suivi.noter(
                self._suivi.entree_evenement(event, statut_avant=str(self._etat.statut))
            )
            if event.type in rgpd.TYPES and self.rectifiables:
                await self._appliquer_rgpd(event)
                return
            try:
                motif = await self._sur_evenement(event)
            except ValidationError as exc:
                # The fields only: a message may quote a personal value (NIR, birth date).
                champs = ", ".join(".".join(map(str, e["loc"])) for e in exc.errors())
                motif = f"données non conformes au contrat {event.type} (champs : {champs})"
            if motif:
                self._etat.anomalies.append(
                    Anomalie(evenement_id=event.id, type=event.type, motif=motif)
                )
                await self._suivi.signaler_anomalie(event, motif)
            await self._apres_evenement()
            await self._enregistrer()

    async def _appliquer_rgpd(self, event: CloudEvent) -> None:
        """Rectify, restrict, lift (workflows/rgpd.py); a refusal is the admin's answer, not a
        partner's anomaly."""
        assert isinstance(self._etat, BaseModel)
        motif = await self._rgpd.appliquer(event, self._etat, self.rectifiables, self._rectifie)
        if motif:
            self._rgpd.refuser(event, motif)
        await self._enregistrer()

    @staticmethod
    def _type(event: CloudEvent) -> str:
        """The event's type without its version, to choose its handler."""
        return event.type.removesuffix(".v1")

    # --- decisions ---------------------------------------------------------------------------

    async def _decider(self, decision: Any) -> None:
        """The update's body: queue the decision, wait until it is applied, fail with the
        reason if the state refused it meanwhile."""
        self._recues += 1
        rang = self._recues
        info = workflow.current_update_info()
        cle = f"decision/{info.id if info else rang}"
        self._decisions.append(_DecisionAttendue(rang, cle, decision))
        rang_ancien = self._appliquees + len(self._decisions)
        await workflow.wait_condition(
            lambda: (
                rang in self._reponses or (self._rang_ancien() and self._appliquees >= rang_ancien)
            )
        )
        motif = self._reponses.pop(rang, None)
        if motif and not self._rang_ancien():
            raise ApplicationError(motif, type="DecisionRefusee", non_retryable=True)

    def _rang_ancien(self) -> bool:
        return bool(self._ancien and self.reponse_au_rang_ancien)

    def _valider_decision(self, decision: Any) -> None:
        """The update's validator: refuse, before anything is recorded, a decision that makes
        no sense now."""
        if motif := self._motif_refus(decision):
            raise ApplicationError(motif, type="DecisionRefusee", non_retryable=True)

    def _motif_refus(self, decision: Any) -> str | None:
        """Why the state refuses `decision` now (restricted processing, then the scheme's
        rules), or None."""
        if self._rgpd.limitation is not None:
            return (
                "le traitement du dossier est limité (RGPD) depuis le "
                f"{self._rgpd.limitation.depuis:%d/%m/%Y}: aucune décision possible"
            )
        return self._refus_decision(decision)

    async def _decision_suivante(self) -> None:
        async with self._suivi.etape():
            attendue = self._decisions.pop(0)
            self._cle_decision = attendue.cle
            if self._ancien is None:
                self._ancien = not workflow.patched(REFUS_SANS_TRACE)
            motif = self._motif_refus(attendue.decision)
            if not motif:
                motif = await self._appliquer_decision(attendue.decision)
            if motif and self._ancien:
                self._noter_decision("decision_refusee", attendue.decision.auteur, refus=motif)
                await self._enregistrer()
            self._appliquees += 1
            self._reponses[attendue.rang] = motif

    def _noter_decision(self, type_: str, auteur: str, **detail: Any) -> None:
        """The audit line of the decision being applied, with its author."""
        entree = self._suivi.entree(Nature.DECISION, type_, self._cle_decision, **detail)
        self._suivi.noter(entree.model_copy(update={"auteur": auteur}))

    # --- outputs -----------------------------------------------------------------------------

    async def _changer(self, statut: StrEnum, motif: str | None = None) -> None:
        """The dossier's new status, announced on `guichet.dossiers` with the previous one."""
        precedent = self._etat.statut
        self._etat.statut = statut
        await self._suivi.publier(
            topics.DOSSIERS,
            "guichet.dossier.statut.v1",
            StatutDossier(
                dispositif=self.dispositif, statut=statut, precedent=precedent, motif=motif
            ),
        )

    async def _notifier(
        self, destinataire: str, objet: str, message: str, echeance: date | None = None
    ) -> None:
        await self._suivi.publier(
            topics.NOTIFICATIONS,
            "guichet.notification.v1",
            Notification(
                dispositif=self.dispositif,
                destinataire=destinataire,
                objet=objet,
                message=message,
                echeance=echeance,
            ),
        )
