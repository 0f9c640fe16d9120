"""`POST /evenements`: the partner events of the Kafka feed, for partners without Kafka.

The CloudEvents HTTP binding, in both content modes (spec 1.0, HTTP protocol binding 3.1-3.2):
- structured: `Content-Type: application/cloudevents+json` (or `application/json` without any
  `ce-` header), the body is the whole event;
- binary: the attributes in `ce-id`, `ce-source`, `ce-type`, `ce-subject`, `ce-time`,
  `ce-specversion` headers (percent-encoded), the body is the data (`application/json`).

Same intake as the consumer (`workers.services.evenements`: size limit, envelope, type in the
catalogue, payload contract), same delivery (signal-with-start to the dossier's workflow), the
same idempotency (the workflow ignores an event id it has already applied, so a partner may
resend on any doubt), and the same dead-letter store for what the intake refuses. A
`partenaire` token may only send its own partner's types (`opco.`, `asp.`, `portail.`,
`etablissements.`) for the schemes it is scoped to; `admin` may send any.
"""

from typing import Any

from fastapi import APIRouter, Request

from events.enveloppe import PREFIXE_HTTP, TYPE_STRUCTURE
from models.evenements import CloudEvent
from workers.api.deps import ContexteDep, UtilisateurDep
from workers.services import evenements
from workers.services.evenements import ResultatEvenement, TropVolumineux
from workers.services.validation import ErreurChamp

routeur = APIRouter(tags=["événements partenaires"])

LECTURE_MAX_OCTETS = 10 * 1024 * 1024
"""A body is read up to this size (the documents' limit); larger, it is refused (413) without
being kept. Between the intake limit and this one it is refused and kept as a dead letter."""

_SCHEMA = CloudEvent.model_json_schema()
_CORPS: dict[str, Any] = {
    "required": True,
    "description": "Mode structuré: l'événement entier (application/cloudevents+json ou "
    "application/json). Mode binaire: les attributs dans les en-têtes ce-id, ce-source, "
    "ce-type, ce-subject, ce-time, ce-specversion et l'objet data en corps "
    "(application/json).",
    "content": {
        TYPE_STRUCTURE: {"schema": _SCHEMA},
        "application/json": {"schema": _SCHEMA},
    },
}


async def _corps(request: Request) -> bytes:
    morceaux: list[bytes] = []
    lus = 0
    async for morceau in request.stream():
        lus += len(morceau)
        if lus > LECTURE_MAX_OCTETS:
            raise TropVolumineux(
                f"corps de plus de {LECTURE_MAX_OCTETS} octets: refusé sans être conservé",
                [
                    ErreurChamp(
                        champ="(corps)",
                        valeur=None,
                        regle=f"au plus {LECTURE_MAX_OCTETS} octets lus",
                    )
                ],
            )
        morceaux.append(morceau)
    return b"".join(morceaux)


def _entetes(request: Request) -> list[tuple[str, bytes]]:
    """The headers the intake reads: `ce-*` attributes and `content-type`."""
    return [
        (nom.decode("latin-1").lower(), valeur)
        for nom, valeur in request.headers.raw
        if nom.lower().startswith(PREFIXE_HTTP.encode()) or nom.lower() == b"content-type"
    ]


@routeur.post(
    "/evenements",
    status_code=202,
    summary="Envoyer un événement partenaire (CloudEvent, mode structuré ou binaire)",
    openapi_extra={"requestBody": _CORPS},
    responses={
        401: {"description": "jeton absent, inconnu, révoqué ou expiré"},
        403: {"description": "type d'un autre partenaire, ou dispositif hors périmètre"},
        409: {"description": "le dossier est clos: l'événement n'est plus appliqué (rebut)"},
        413: {"description": "événement plus grand que la limite d'entrée (rebut)"},
        422: {"description": "enveloppe, type ou données invalides: champ, valeur, règle (rebut)"},
        503: {"description": "Temporal injoignable: renvoyer le même événement plus tard"},
    },
)
async def envoyer(
    ctx: ContexteDep, utilisateur: UtilisateurDep, request: Request
) -> ResultatEvenement:
    corps = await _corps(request)
    return await evenements.soumettre_evenement(
        ctx.client,
        ctx.settings.task_queue,
        corps,
        utilisateur,
        entetes=_entetes(request),
        registre=ctx.registre_rebuts,
        regles=evenements.regles_entree(ctx.settings),
    )
