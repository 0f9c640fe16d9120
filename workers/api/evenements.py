"""`POST /evenements`: the partner events of the Kafka feed, for partners without Kafka.

Same checks as the consumer (CloudEvents envelope, type in the catalogue, payload contract),
same delivery (signal-with-start to the dossier's workflow) and the same idempotency: the
workflow ignores an event id it has already applied, so a partner may resend on any doubt.
A `partenaire` token may only send its own partner's types (`opco.`, `asp.`, `portail.`,
`etablissements.`) for the schemes it is scoped to; `admin` may send any.
"""

from fastapi import APIRouter

from models.evenements import CloudEvent
from workers.api.deps import ContexteDep, UtilisateurDep
from workers.services import evenements
from workers.services.evenements import ResultatEvenement

routeur = APIRouter(tags=["événements partenaires"])


@routeur.post(
    "/evenements",
    status_code=202,
    summary="Envoyer un événement partenaire (CloudEvent, comme sur Kafka)",
    responses={
        401: {"description": "jeton absent, inconnu, révoqué ou expiré"},
        403: {"description": "type d'un autre partenaire, ou dispositif hors périmètre"},
        409: {"description": "le dossier est clos: l'événement n'est plus appliqué"},
        422: {"description": "enveloppe, type ou données invalides (champ, valeur, règle)"},
        503: {"description": "Temporal injoignable: renvoyer le même événement plus tard"},
    },
)
async def envoyer(
    ctx: ContexteDep, utilisateur: UtilisateurDep, evenement: CloudEvent
) -> ResultatEvenement:
    livrable = evenements.verifier_evenement(evenement.model_dump_json().encode(), utilisateur)
    client = await ctx.client()
    return await evenements.livrer(client, ctx.settings.task_queue, livrable)
