"""`/rebuts`: the dead letters (partner records the intake refused), for supervisors and admins
within their schemes: list, read (personal fields masked; `?clair=true` shows them and is
audited), replay (as stored, or a corrected structured-mode CloudEvent in the body), ignore
with a motive. The rules are `workers.services.rebuts`'s; docs/rebuts.md."""

import json
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query
from pydantic import BaseModel, Field

from events.registre import CodeRejet
from workers.api.deps import ContexteDep, UtilisateurDep
from workers.services.rebuts import (
    LIMITE_MAX,
    MOTIF_MAX,
    FiltresRebuts,
    PageRebuts,
    RebutPublic,
    RegistreRebutsSql,
    ResultatRejeu,
    StatutRebut,
    VueRebut,
)

routeur = APIRouter(prefix="/rebuts", tags=["rebuts"])

AUTH: dict[int | str, dict[str, Any]] = {
    401: {"description": "jeton absent, inconnu, révoqué ou expiré"},
    403: {"description": "rôle autre que superviseur ou admin, ou dispositif hors périmètre"},
}
INCONNU: dict[int | str, dict[str, Any]] = {
    404: {"description": "rebut inconnu (jamais consigné, ou purgé)"}
}


class Abandon(BaseModel):
    motif: str = Field(
        min_length=1, max_length=MOTIF_MAX, description="pourquoi le rebut n'est pas rejoué"
    )


IdRebut = Annotated[
    int, Path(ge=1, le=2**63 - 1, description="l'identifiant du rebut (entier positif)")
]
"""A dead letter's id: a positive 64-bit integer (a larger one is refused, not looked up)."""


def _registre(ctx: ContexteDep) -> RegistreRebutsSql:
    return RegistreRebutsSql.pour(ctx.settings, ctx.engine)


@routeur.get(
    "",
    summary="Lister les rebuts (les plus récents d'abord), dans vos dispositifs",
    responses={**AUTH, 422: {"description": "filtre, limite ou curseur invalide"}},
)
def lister(
    *,
    ctx: ContexteDep,
    utilisateur: UtilisateurDep,
    topic: Annotated[str | None, Query(max_length=255, description="topic d'origine")] = None,
    type: Annotated[str | None, Query(max_length=100, description="type d'événement")] = None,
    code: Annotated[CodeRejet | None, Query(description="motif de rejet")] = None,
    statut: Annotated[StatutRebut | None, Query(description="nouveau, rejoue, ignore")] = None,
    depuis: Annotated[datetime | None, Query(description="reçus à partir de (ISO 8601)")] = None,
    jusqu_a: Annotated[datetime | None, Query(description="reçus avant (ISO 8601)")] = None,
    limite: Annotated[int, Query(ge=1, le=LIMITE_MAX)] = 50,
    curseur: Annotated[
        str | None, Query(max_length=500, description="le champ « suivant » de la page d'avant")
    ] = None,
) -> PageRebuts:
    filtres = FiltresRebuts(
        topic=topic,
        type=type,
        code=code.value if code else None,
        statut=statut,
        depuis=depuis,
        jusqu_a=jusqu_a,
    )
    return _registre(ctx).lister(utilisateur, filtres, limite=limite, curseur=curseur)


@routeur.get(
    "/{id_rebut}",
    summary="Lire un rebut: motif, coordonnées, enregistrement (données personnelles masquées)",
    responses={**AUTH, **INCONNU},
)
def lire(
    *,
    ctx: ContexteDep,
    utilisateur: UtilisateurDep,
    id_rebut: IdRebut,
    clair: Annotated[
        bool,
        Query(description="afficher les valeurs personnelles en clair (consultation tracée)"),
    ] = False,
) -> VueRebut:
    return _registre(ctx).lire(id_rebut, utilisateur, en_clair=clair)


@routeur.post(
    "/{id_rebut}/rejouer",
    summary="Rejouer un rebut tel quel, ou corrigé (CloudEvent complet en mode structuré)",
    responses={
        **AUTH,
        **INCONNU,
        409: {"description": "rebut déjà rejoué ou ignoré, ou dossier clos"},
        422: {"description": "refusé par l'intake (code et motif): le rebut reste « nouveau »"},
        503: {"description": "Temporal injoignable: rejouer plus tard"},
    },
)
async def rejouer(
    *,
    ctx: ContexteDep,
    utilisateur: UtilisateurDep,
    id_rebut: IdRebut,
    corrige: Annotated[
        dict[str, Any] | None,
        Body(description="l'événement corrigé (facultatif): l'enveloppe CloudEvents entière"),
    ] = None,
) -> ResultatRejeu:
    octets = None if corrige is None else json.dumps(corrige, ensure_ascii=False).encode()
    return await _registre(ctx).rejouer(
        id_rebut, utilisateur, octets, client=ctx.client, task_queue=ctx.settings.task_queue
    )


@routeur.post(
    "/{id_rebut}/ignorer",
    summary="Clore un rebut sans le rejouer, avec un motif",
    responses={
        **AUTH,
        **INCONNU,
        409: {"description": "rebut déjà rejoué ou ignoré"},
        422: {"description": "motif absent ou trop long"},
    },
)
def ignorer(
    ctx: ContexteDep, utilisateur: UtilisateurDep, id_rebut: IdRebut, abandon: Abandon
) -> RebutPublic:
    return _registre(ctx).ignorer(id_rebut, utilisateur, abandon.motif)
