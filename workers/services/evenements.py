"""Partner events sent through the API (`POST /evenements`) or the console's document upload:
the same intake as the Kafka consumer (`events.delivery.parse`: size, either CloudEvents content
mode of the HTTP binding, catalogue, contract), then signal-with-start. Errors as in
`workers.services.instruction`: `EntreeInvalide` (422), `TropVolumineux` (413), `AccesRefuse`
(403), `DossierClos` (409), `TemporalIndisponible` (503).

A request the intake refuses (422, 413, 409) is also a dead letter: `soumettre_evenement`
consigns it in the store (`RegistreRebuts`) with the intake's reason, origin
`http:<sha256 of headers and body>`, so a supervisor can review, fix and replay it like a Kafka
record. An access refusal (401, 403) is not a dead letter: the record was not the problem.
"""

import asyncio
import hashlib
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ValidationError
from temporalio.client import Client

from events import enveloppe
from events.catalogue import CATALOGUE
from events.delivery import REGLES_PAR_DEFAUT, Livrable, ReglesEntree, Rejet, deliver, parse, taille
from events.registre import CodeRejet, RebutRecu, RegistreRebuts
from workers.runtime.settings import Settings
from workers.services.instruction import (
    EVENEMENT,
    DossierClos,
    TemporalIndisponible,
    verifier,
)
from workers.services.utilisateurs import AccesRefuse, Identite, Role
from workers.services.validation import EntreeInvalide, ErreurChamp, erreurs_de

DELAI_LIVRAISON = 15.0
TOPIC_HTTP = "http"
"""The `topic` of a dead letter received on `POST /evenements`."""
Entetes = Sequence[tuple[str, bytes]]


class TropVolumineux(EntreeInvalide):
    """A request over the intake's record size limit (HTTP 413)."""


class ResultatEvenement(BaseModel):
    id: str
    type: str
    dossier: str
    workflow_id: str
    statut: Literal["accepte"] = "accepte"
    message: str = (
        "événement transmis au dossier; un identifiant déjà appliqué est ignoré (idempotence)"
    )


def regles_entree(settings: Settings) -> ReglesEntree:
    """The intake's rules from the settings (`GUICHET_INTAKE_*`)."""
    return ReglesEntree(
        max_octets=settings.intake_max_record_bytes,
        sources={topic: tuple(p) for topic, p in settings.intake_sources.items()},
    )


def verifier_evenement(
    corps: bytes,
    acteur: Identite | None,
    entetes: Entetes = (),
    regles: ReglesEntree = REGLES_PAR_DEFAUT,
) -> Livrable:
    """The same checks as the Kafka consumer (size, envelope in either mode, catalogue,
    source, contract), plus: a partner sends only its own event types, for the schemes it is
    scoped to. The errors name each field, value and rule for the sender."""
    max_octets = regles.max_octets
    octets = taille(corps, entetes)
    if octets > max_octets:
        raise TropVolumineux(
            f"requête de {octets} octets (corps et en-têtes ce-*): au plus {max_octets}",
            [
                ErreurChamp(
                    champ="(corps)", valeur=str(octets), regle=f"au plus {max_octets} octets"
                )
            ],
        )
    try:
        event = enveloppe.lire(corps, entetes, http=True)
    except enveloppe.DonneesIllisibles as exc:
        raise EntreeInvalide(
            "données illisibles",
            [ErreurChamp(champ="data", valeur=None, regle=exc.motif)],
        ) from None
    except ValidationError as exc:
        raise EntreeInvalide("enveloppe CloudEvents invalide", erreurs_de(exc)) from None
    spec = CATALOGUE.get(event.type)
    if spec is None:
        raise EntreeInvalide(
            "type d'événement inconnu",
            [
                ErreurChamp(
                    champ="type",
                    valeur=event.type,
                    regle="un type du catalogue (docs/evenements.md)",
                )
            ],
        )
    if acteur is not None:
        verifier(acteur, EVENEMENT)
        if acteur.role is Role.PARTENAIRE and not event.type.startswith(f"{acteur.partenaire}."):
            raise AccesRefuse(
                f"le partenaire {acteur.partenaire!r} ne peut envoyer que ses propres types "
                f"d'événements ({acteur.partenaire}.*), pas {event.type!r}"
            )
        verifier(acteur, EVENEMENT, spec.perimetre())
    if (refus := regles.source_refusee(spec.topic, event.source)) is not None:
        raise EntreeInvalide(
            "source non admise",
            [ErreurChamp(champ="source", valeur=event.source, regle=refus)],
        )
    try:
        spec.contrat.model_validate(event.data)
    except ValidationError as exc:
        raise EntreeInvalide(
            f"données non conformes au contrat {event.type!r}", erreurs_de(exc, ("data",))
        ) from None
    return Livrable(event=event, type=spec)


async def livrer(client: Client, task_queue: str, livrable: Livrable) -> ResultatEvenement:
    """Signal-with-start, as the Kafka consumer does; the workflow ignores a known event id."""
    try:
        async with asyncio.timeout(DELAI_LIVRAISON):
            rejet = await deliver(client, task_queue, livrable, max_backoff=2.0)
    except TimeoutError:
        raise TemporalIndisponible(
            f"Temporal n'a pas accepté l'événement en {DELAI_LIVRAISON:.0f} s; renvoyez-le "
            "(même id: il ne sera appliqué qu'une fois)"
        ) from None
    if rejet is not None:
        raise DossierClos(rejet.motif)
    event = livrable.event
    return ResultatEvenement(
        id=event.id,
        type=event.type,
        dossier=event.subject,
        workflow_id=livrable.type.workflow_id(event.subject),
    )


async def soumettre_evenement(
    client: Callable[[], Awaitable[Client]],
    task_queue: str,
    corps: bytes,
    acteur: Identite | None,
    *,
    entetes: Entetes = (),
    registre: RegistreRebuts | None = None,
    regles: ReglesEntree = REGLES_PAR_DEFAUT,
) -> ResultatEvenement:
    """Check, then deliver; a refusal by the intake is consigned in `registre` (if given).
    `client` connects to Temporal only once the event passed the checks: an invalid event is
    answered 422 even while Temporal is down."""
    try:
        livrable = verifier_evenement(corps, acteur, entetes, regles)
    except EntreeInvalide:
        verdict = parse(None, corps, entetes, regles)
        if registre is not None and isinstance(verdict, Rejet):
            await _consigner(registre, corps, entetes, verdict)
        raise
    try:
        return await livrer(await client(), task_queue, livrable)
    except DossierClos as exc:
        if registre is not None:
            rejet = Rejet(CodeRejet.DOSSIER_CLOS, str(exc), livrable.event.type)
            await _consigner(registre, corps, entetes, rejet)
        raise


async def _consigner(
    registre: RegistreRebuts, corps: bytes, entetes: Entetes, rejet: Rejet
) -> None:
    """Consign the request with the intake's reason (which never quotes a personal value,
    unlike the 422 answered to the sender)."""
    empreinte = hashlib.sha256()
    for nom, valeur in sorted(entetes):
        empreinte.update(nom.encode() + b"\0" + valeur + b"\0")
    empreinte.update(corps)
    await registre.consigner(
        RebutRecu(
            origine=f"http:{empreinte.hexdigest()}",
            topic=TOPIC_HTTP,
            partition=None,
            offset=None,
            cle=None,
            code=rejet.code,
            motif=rejet.motif,
            type=rejet.type,
            recu_le=datetime.now(UTC),
            valeur=corps,
            entetes=list(entetes),
        )
    )
