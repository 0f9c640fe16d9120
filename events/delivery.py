"""From a Kafka record to a workflow signal: parse, check the contract, deliver or reject.

`parse` decides whether a record is deliverable; `deliver` hands a valid event to its dossier
workflow, starting the workflow if it does not exist yet (signal-with-start, conflict policy
USE_EXISTING), and retries until Temporal has accepted it.
"""

import asyncio
from dataclasses import dataclass

import structlog
from pydantic import ValidationError
from temporalio.client import Client
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from events.catalogue import CATALOGUE, TypeEvenement
from models.evenements import CloudEvent, EntreeDossier
from models.recherche import au_demarrage

SIGNAL = "evenement"

RETRYABLE = frozenset(
    {
        RPCStatusCode.UNAVAILABLE,
        RPCStatusCode.DEADLINE_EXCEEDED,
        RPCStatusCode.RESOURCE_EXHAUSTED,
        RPCStatusCode.ABORTED,
        RPCStatusCode.INTERNAL,
        RPCStatusCode.UNKNOWN,
        RPCStatusCode.CANCELLED,
    }
)

log = structlog.get_logger(__name__)


MOTIF_MAX_OCTETS = 2048
"""A dead letter's reason, at most (UTF-8): it travels as a Kafka header beside the record."""
CITATION_MAX = 80
"""A value quoted in a reason, at most (characters of its repr): a partner's 600 KB field must
not make a 600 KB reason."""
_TRONQUE = "… (motif tronqué)"


@dataclass(frozen=True)
class Rejet:
    """Why a record cannot be delivered; becomes the dead letter's reason (at most
    `MOTIF_MAX_OCTETS`, cut with a mark beyond)."""

    motif: str

    def __post_init__(self) -> None:
        octets = self.motif.encode()
        if len(octets) > MOTIF_MAX_OCTETS:
            garde = MOTIF_MAX_OCTETS - len(_TRONQUE.encode())
            court = octets[:garde].decode(errors="ignore") + _TRONQUE
            object.__setattr__(self, "motif", court)


def citer(valeur: object) -> str:
    """`valeur`'s repr for a reason, cut at `CITATION_MAX` characters with its length."""
    texte = repr(valeur)
    if len(texte) <= CITATION_MAX:
        return texte
    return f"{texte[:CITATION_MAX]}… ({len(texte)} caractères)"


@dataclass(frozen=True)
class Livrable:
    event: CloudEvent
    type: TypeEvenement


def _erreurs(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in err['loc']) or '(racine)'}: {err['msg']}"
        + (f" (valeur: {citer(err['input'])})" if "input" in err and err["loc"] else "")
        for err in exc.errors()
    )


def parse(topic: str, value: bytes) -> Livrable | Rejet:
    """Check a record against the envelope, the catalogue and the type's payload contract."""
    try:
        event = CloudEvent.model_validate_json(value)
    except ValidationError as exc:
        return Rejet(f"enveloppe CloudEvents invalide: {_erreurs(exc)}")
    spec = CATALOGUE.get(event.type)
    if spec is None:
        return Rejet(f"type d'événement inconnu: {citer(event.type)}")
    if spec.topic != topic:
        return Rejet(f"le type {event.type!r} se publie sur {spec.topic!r}, pas sur {topic!r}")
    try:
        spec.contrat.model_validate(event.data)
    except ValidationError as exc:
        return Rejet(f"données non conformes au contrat {event.type!r}: {_erreurs(exc)}")
    return Livrable(event=event, type=spec)


async def deliver(
    client: Client,
    task_queue: str,
    livrable: Livrable,
    *,
    first_backoff: float = 0.5,
    max_backoff: float = 30.0,
) -> Rejet | None:
    """Signal the dossier workflow, starting it if absent; return only once Temporal accepted.

    While Temporal is unreachable this retries with exponential backoff, forever: the caller
    commits the Kafka offset only after this returns, so nothing is lost or skipped. An error
    that no retry can fix is returned as a `Rejet`: Temporal refuses the request itself, or the
    dossier's workflow is closed (REJECT_DUPLICATE: a late event never restarts a closed
    dossier from scratch; it goes to the dead-letter topic, naming the dossier).
    """
    event = livrable.event
    workflow_id = livrable.type.workflow_id(event.subject)
    backoff = first_backoff
    while True:
        try:
            await client.start_workflow(
                livrable.type.workflow,
                EntreeDossier(cle=event.subject),
                id=workflow_id,
                task_queue=task_queue,
                id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                start_signal=SIGNAL,
                start_signal_args=[event],
                search_attributes=au_demarrage(livrable.type.workflow),
            )
        except WorkflowAlreadyStartedError:
            return Rejet(f"le dossier {workflow_id} est clos: l'événement n'est plus appliqué")
        except RPCError as exc:
            if exc.status not in RETRYABLE:
                return Rejet(f"Temporal refuse l'événement ({exc.status.name}): {exc.message}")
            log.warning(
                "temporal_indisponible",
                workflow_id=workflow_id,
                event_id=event.id,
                dossier=event.subject,
                erreur=str(exc),
                nouvel_essai_dans_s=backoff,
            )
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, max_backoff)
        else:
            log.info(
                "evenement_livre",
                workflow_id=workflow_id,
                event_id=event.id,
                dossier=event.subject,
                type=event.type,
            )
            return None
