"""From a Kafka record to a workflow signal: parse, check the contract, deliver or reject.

`parse` decides whether a record is deliverable; `deliver` hands a valid event to its dossier
workflow, starting the workflow if it does not exist yet (signal-with-start, conflict policy
USE_EXISTING), and retries until Temporal has accepted it.
"""

import asyncio
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import structlog
from pydantic import ValidationError
from temporalio.client import Client
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from events import enveloppe
from events.catalogue import CATALOGUE, TypeEvenement
from events.enveloppe import Entetes
from events.registre import CodeRejet
from models.evenements import CloudEvent, EntreeDossier
from models.personnel import Chemin, chemins_personnels, touche_personnel
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


MAX_RECORD_BYTES = 1_048_576
"""A partner record at most, value and headers (default of `GUICHET_INTAKE_MAX_RECORD_BYTES`):
Temporal warns over 512 KB of signal payload and refuses over 2 MB."""
MOTIF_MAX_OCTETS = 2048
"""A dead letter's reason, at most (UTF-8): it travels as a Kafka header beside the record."""
CITATION_MAX = 80
"""A value quoted in a reason, at most (characters of its repr): a partner's 600 KB field must
not make a 600 KB reason."""
_TRONQUE = "… (motif tronqué)"
ATTRIBUTS = frozenset({"specversion", "id", "source", "type", "subject", "time", "datacontenttype"})
"""The envelope attributes whose value a reason may quote: none is personal."""
_VALEUR_NUMERIQUE = re.compile(r"\S*\d\S*")
_GUILLEMETS = re.compile(r"«[^»]{0,200}»")


@dataclass(frozen=True)
class Rejet:
    """Why a record cannot be delivered: a code (`CodeRejet`) and the dead letter's reason, in
    French, naming the field and the rule (at most `MOTIF_MAX_OCTETS`, cut with a mark beyond;
    never a personal value: see `_erreurs`)."""

    code: CodeRejet
    motif: str
    type: str | None = None
    """The event type, when the envelope could be read (cut at 100 characters)."""

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
class ReglesEntree:
    """The intake's configurable rules (`GUICHET_INTAKE_*`)."""

    max_octets: int = MAX_RECORD_BYTES
    """A record at most, value and headers."""
    sources: Mapping[str, Sequence[str]] = field(default_factory=dict)
    """Per partner topic, the prefixes its events' `source` must start with; a topic absent
    admits any source."""

    def source_refusee(self, topic: str, source: str) -> str | None:
        """Why `source` may not publish on `topic`, or None."""
        prefixes = tuple(self.sources.get(topic, ()))
        if not prefixes or source.startswith(prefixes):
            return None
        admises = ", ".join(repr(p) for p in prefixes)
        return f"source: {citer(source)} n'est pas admise sur {topic!r} (préfixes admis: {admises})"


REGLES_PAR_DEFAUT = ReglesEntree()
"""Records up to 1 MiB, any source."""


@dataclass(frozen=True)
class Livrable:
    event: CloudEvent
    type: TypeEvenement


def _sans_valeurs(message: str) -> str:
    """A validator's own message with what could be a value taken out: the `« … »` quotes of
    the project's refusals and every token holding a digit (dates, numbers, identifiers)."""
    return _VALEUR_NUMERIQUE.sub("…", _GUILLEMETS.sub("« … »", message))


def _erreurs(
    exc: ValidationError, *, citables: frozenset[str] | None, personnels: frozenset[Chemin]
) -> str:
    """The errors as `field: rule (valeur: …)`. A value is quoted only when it is a scalar of
    a field that `citables` names (None: any field) and that no personal mark touches; a
    validator's message about a personal field loses its values (`_sans_valeurs`)."""
    morceaux = []
    for err in exc.errors():
        chemin = tuple(str(p) for p in err["loc"] if not isinstance(p, int))
        message = err["msg"]
        personnel = touche_personnel(chemin, message, personnels)
        if personnel and err["type"] in ("value_error", "assertion_error"):
            message = _sans_valeurs(message)
        citable = (
            bool(chemin)
            and not personnel
            and err["type"] != "extra_forbidden"  # an unknown field: nothing says it is harmless
            and (citables is None or chemin[0] in citables)
            and isinstance(err.get("input"), str | int | float | bool | Decimal)
        )
        morceaux.append(
            f"{'.'.join(str(p) for p in err['loc']) or '(racine)'}: {message}"
            + (f" (valeur: {citer(err['input'])})" if citable else "")
        )
    return "; ".join(morceaux)


def taille(value: bytes, headers: Entetes) -> int:
    """A record's size as the limit counts it: value, header names and values."""
    return len(value) + sum(len(nom) + len(valeur) for nom, valeur in headers)


def _enveloppe(
    value: bytes, headers: Entetes, *, http: bool, max_octets: int
) -> CloudEvent | Rejet:
    octets = taille(value, headers)
    if octets > max_octets:
        return Rejet(
            CodeRejet.TROP_VOLUMINEUX,
            f"enregistrement de {octets} octets: au plus {max_octets} "
            "(GUICHET_INTAKE_MAX_RECORD_BYTES)",
        )
    try:
        return enveloppe.lire(value, headers, http=http)
    except enveloppe.DonneesIllisibles as exc:
        return Rejet(CodeRejet.JSON_INVALIDE, exc.motif)
    except ValidationError as exc:
        if any(err["type"] == "json_invalid" for err in exc.errors()):
            return Rejet(
                CodeRejet.JSON_INVALIDE,
                f"JSON invalide: {exc.errors()[0]['msg']} (mode structuré: la valeur est "
                "l'événement CloudEvents entier en JSON)",
            )
        erreurs = _erreurs(exc, citables=ATTRIBUTS, personnels=frozenset())
        return Rejet(CodeRejet.ENVELOPPE, f"enveloppe CloudEvents invalide: {erreurs}")


def parse(
    topic: str | None,
    value: bytes,
    headers: Entetes = (),
    regles: ReglesEntree = REGLES_PAR_DEFAUT,
) -> Livrable | Rejet:
    """Check a record: its size, its envelope (either content mode, `events.enveloppe`), its
    type in the catalogue, its topic, its source, and its data against the type's payload
    contract.

    `topic` None is the HTTP route (`POST /evenements`): `ce-` headers, no topic to check (the
    source is checked against the type's topic)."""
    event = _enveloppe(value, headers, http=topic is None, max_octets=regles.max_octets)
    if isinstance(event, Rejet):
        return event
    spec = CATALOGUE.get(event.type)
    if spec is None:
        return Rejet(
            CodeRejet.TYPE_INCONNU,
            f"type: {citer(event.type)} n'est pas un type du catalogue (docs/evenements.md)",
            event.type[:100],
        )
    if topic is not None and spec.topic != topic:
        return Rejet(
            CodeRejet.MAUVAIS_TOPIC,
            f"type: {event.type!r} se publie sur {spec.topic!r}, pas sur {topic!r}",
            event.type,
        )
    if (refus := regles.source_refusee(spec.topic, event.source)) is not None:
        return Rejet(CodeRejet.MAUVAISE_SOURCE, refus, event.type)
    try:
        spec.contrat.model_validate(event.data)
    except ValidationError as exc:
        erreurs = _erreurs(exc, citables=None, personnels=chemins_personnels(spec.contrat))
        return Rejet(
            CodeRejet.CONTRAT,
            f"données non conformes au contrat {event.type!r}: {erreurs}",
            event.type,
        )
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
            return Rejet(
                CodeRejet.DOSSIER_CLOS,
                f"le dossier {workflow_id} est clos: l'événement n'est plus appliqué",
                event.type,
            )
        except RPCError as exc:
            if exc.status not in RETRYABLE:
                return Rejet(
                    CodeRejet.TEMPORAL_REFUS,
                    f"Temporal refuse l'événement ({exc.status.name}): {citer(exc.message)}",
                    event.type,
                )
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
