"""Partner events sent through the API (`POST /evenements`) or the console's document upload:
the same checks as the Kafka consumer, then signal-with-start. Errors as in
`workers.services.instruction`: `EntreeInvalide` (422), `AccesRefuse` (403), `DossierClos`
(409), `TemporalIndisponible` (503)."""

import asyncio
from typing import Literal

from pydantic import BaseModel, ValidationError
from temporalio.client import Client

from events.catalogue import CATALOGUE
from events.delivery import Livrable, deliver
from models.evenements import CloudEvent
from workers.services.instruction import (
    EVENEMENT,
    DossierClos,
    TemporalIndisponible,
    verifier,
)
from workers.services.utilisateurs import AccesRefuse, Identite, Role
from workers.services.validation import EntreeInvalide, ErreurChamp, erreurs_de

DELAI_LIVRAISON = 15.0


class ResultatEvenement(BaseModel):
    id: str
    type: str
    dossier: str
    workflow_id: str
    statut: Literal["accepte"] = "accepte"
    message: str = (
        "événement transmis au dossier; un identifiant déjà appliqué est ignoré (idempotence)"
    )


def verifier_evenement(corps: bytes, acteur: Identite | None) -> Livrable:
    """The same checks as the Kafka consumer (envelope, catalogue, contract), plus: a partner
    sends only its own event types, for the schemes it is scoped to."""
    try:
        event = CloudEvent.model_validate_json(corps)
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
        verifier(acteur, EVENEMENT, spec.workflow)
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
    client: Client, task_queue: str, corps: bytes, acteur: Identite | None
) -> ResultatEvenement:
    return await livrer(client, task_queue, verifier_evenement(corps, acteur))
