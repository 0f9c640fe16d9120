"""`guichet scenario record`: a scenario file from a real dossier's history.

Reads every run of the dossier's workflow (continue-as-new chain) and keeps, with their times:
the partner events it received (`evenement` signals) and the instructor decisions it accepted
(`decider` updates). The expectations are the dossier's final state, read from the same
history: the last read-model projection written (`enregistrer_dossier`), the orders, the
notifications and anomalies published (`publier_evenement`): the input of a regular activity,
the result of a local one (the marker keeps what the activity returns, which is what it wrote).
Events another workflow sent (not in the partner catalogue, e.g. ARE internal events) cannot be
replayed as partner events: they are listed in the scenario's description.
"""

from datetime import UTC, datetime, timedelta
from typing import Any

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter

from events.catalogue import CATALOGUE
from models.dossier import Enregistrement, LigneOrdre, ProjectionDossier
from models.evenements import CloudEvent, EvenementSortant
from rules.calendrier import PARIS
from workers.scenarios.historique import historiques

MARQUEUR_ACTIVITE_LOCALE = "core_local_activity"
"""The name the SDK's core gives a local activity's marker (its `data` names the activity
type, its `result` holds what the activity returned)."""


class ErreurEnregistrement(Exception):
    """The dossier cannot be recorded (message in French)."""


def _decoder(payloads: Any, type_: type[Any] | None) -> Any:
    valeurs = pydantic_data_converter.payload_converter.from_payloads(
        list(payloads), None if type_ is None else [type_]
    )
    return valeurs[0] if valeurs else None


class Lecture:
    """What the history says, in order."""

    def __init__(self) -> None:
        self.etapes: list[dict[str, Any]] = []
        self.ignores: list[str] = []
        self.projection: ProjectionDossier | None = None
        self.ordres: dict[str, LigneOrdre] = {}
        self.sortants: list[EvenementSortant] = []
        self.dernier: datetime | None = None

    def lire(self, historique: WorkflowHistory) -> None:
        for event in historique.events:
            quand = event.event_time.ToDatetime(tzinfo=UTC)
            self.dernier = quand
            if event.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
                attributs = event.workflow_execution_signaled_event_attributes
                if attributs.signal_name == "evenement":
                    self._evenement(quand, _decoder(attributs.input.payloads, CloudEvent))
            elif event.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
                requete = event.workflow_execution_update_accepted_event_attributes
                entree = requete.accepted_request.input
                if entree.name == "decider":
                    decision = _decoder(entree.args.payloads, None)
                    self.etapes.append({**_horaire(quand), "decision": decision})
            elif event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
                activite = event.activity_task_scheduled_event_attributes
                self._ecrit(activite.activity_type.name, activite.input.payloads)
            elif event.event_type == EventType.EVENT_TYPE_MARKER_RECORDED:
                marqueur = event.marker_recorded_event_attributes
                if marqueur.marker_name == MARQUEUR_ACTIVITE_LOCALE:
                    donnees = _decoder(marqueur.details["data"].payloads, None)
                    self._ecrit(donnees["activity_type"], marqueur.details["result"].payloads)

    def _evenement(self, quand: datetime, event: CloudEvent) -> None:
        if event.type not in CATALOGUE:
            self.ignores.append(f"{quand:%Y-%m-%d %H:%M} {event.type} ({event.id})")
            return
        self.etapes.append(
            {
                **_horaire(quand),
                "evenement": event.type,
                "id": event.id,
                "source": event.source,
                "sujet": event.subject,
                "donnees": event.data,
            }
        )

    def _ecrit(self, activite: str, payloads: Any) -> None:
        """What a write or a publication carried."""
        if activite == "enregistrer_dossier":
            enregistrement = _decoder(payloads, Enregistrement)
            self.sortants.extend(enregistrement.publications)
            self.projection = enregistrement.projection
            for ordre in enregistrement.ordres:
                self.ordres[ordre.id] = ordre
        elif activite == "publier_evenement":
            self.sortants.append(_decoder(payloads, EvenementSortant))


def _horaire(quand: datetime) -> dict[str, Any]:
    local = quand.astimezone(PARIS)
    return {"le": local.date(), "a": local.time().replace(microsecond=0).isoformat()}


def _attendus(lecture: Lecture, cle: str) -> dict[str, Any]:
    projection = lecture.projection
    if projection is None:
        return {}
    attendu: dict[str, Any] = {
        "statut": projection.statut,
        "montant_accorde": str(projection.montant_accorde),
        "montant_verse": str(projection.montant_verse),
        "montant_a_recuperer": str(projection.montant_a_recuperer),
        "echeance": projection.prochaine_echeance,
        "anomalies": projection.anomalies,
    }
    attendu["ordres"] = [
        {"periode": o.periode, "montant": str(o.montant), "statut": o.statut}
        for o in lecture.ordres.values()
    ]
    attendu["notifications"] = [
        {
            "objet": s.data.get("objet"),
            "destinataire": s.data.get("destinataire"),
            "le": s.time.astimezone(PARIS).date(),
        }
        for s in lecture.sortants
        if s.type == "guichet.notification.v1" and s.subject == cle
    ]
    return attendu


async def enregistrer(client: Client, workflow_id: str) -> dict[str, Any]:
    """The scenario (as a YAML-ready mapping) of the dossier `<workflow type>:<key>`."""
    type_, separateur, cle = workflow_id.partition(":")
    if not separateur or not cle:
        raise ErreurEnregistrement(
            f"clé {workflow_id!r}: attendu <type de workflow>:<clé>, par exemple "
            "contrat-pro:OPCO-2024-000123"
        )
    try:
        chaine = await historiques(client, workflow_id)
    except Exception as exc:
        raise ErreurEnregistrement(
            f"dossier {workflow_id}: historique illisible dans Temporal ({exc})"
        ) from exc
    lecture = Lecture()
    for historique in chaine:
        lecture.lire(historique)
    if not lecture.etapes:
        raise ErreurEnregistrement(f"dossier {workflow_id}: aucun événement ni décision à rejouer")
    description = (
        f"Enregistré depuis l'historique Temporal de {workflow_id} ({len(chaine)} run(s))."
    )
    if lecture.ignores:
        description += " Messages internes non rejouables: " + "; ".join(lecture.ignores) + "."
    assert lecture.dernier is not None
    verification = {
        **_horaire(lecture.dernier + timedelta(minutes=1)),
        "verifier": _attendus(lecture, cle),
    }
    return {
        "titre": f"Dossier {workflow_id} rejoué",
        "description": description,
        "dossiers": {"dossier": {"workflow": type_, "cle": cle}},
        "etapes": [*lecture.etapes, verification],
    }
