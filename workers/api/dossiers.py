"""`/dossiers`: list, show, timeline, decisions, documents. Thin: the service layer
(`workers.services.instruction`, `workers.services.documents`) does the work and the access
checks."""

from datetime import date
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, UploadFile
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from temporalio.client import Client

from models import libelles
from models.depot import FiltresDossiers
from workers.api.deps import ClientDep, ContexteDep, SessionDep, UtilisateurDep
from workers.runtime.errors import ServiceUnreachable
from workers.services import documents, instruction
from workers.services.instruction import (
    LigneChronologie,
    PageDossiers,
    PiecePublique,
    ResultatDecision,
    VueDossier,
)
from workers.services.validation import date_iso

routeur = APIRouter(prefix="/dossiers", tags=["dossiers"])

ERREURS: dict[int | str, dict[str, Any]] = {
    401: {"description": "jeton absent, inconnu, révoqué ou expiré"},
    403: {"description": "rôle ou dispositif hors du périmètre de l'utilisateur"},
    404: {"description": "dossier inconnu"},
    422: {"description": "entrée invalide (champ, valeur, règle)"},
}


class Tri(StrEnum):
    CLE = "cle"
    DISPOSITIF = "dispositif"
    STATUT = "statut"
    PROCHAINE_ECHEANCE = "prochaine_echeance"
    MONTANT_ACCORDE = "montant_accorde"
    MONTANT_VERSE = "montant_verse"
    ANOMALIES = "anomalies"
    MAJ_LE = "maj_le"


class Ordre(StrEnum):
    ASC = "asc"
    DESC = "desc"


DateIso = Annotated[date, Field(strict=True), BeforeValidator(date_iso)]
"""A date written AAAA-MM-JJ: pydantic would otherwise read `0` as 1 January 1970."""


class Filtres(BaseModel):
    """Query parameters shared by the list and the export."""

    dispositif: str | None = Field(default=None, max_length=40, description="ex. contrat-pro")
    statut: str | None = Field(
        default=None, max_length=40, description=libelles.description_statuts()
    )
    beneficiaire: str | None = Field(
        default=None, max_length=20, description="SIRET ou UAI du bénéficiaire"
    )
    reference: str | None = Field(default=None, max_length=100, description="clé métier")
    echeance_avant: DateIso | None = Field(
        default=None, description="prochaine échéance strictement avant cette date (AAAA-MM-JJ)"
    )
    avec_anomalie: bool | None = Field(default=None, description="true: avec anomalie; false: sans")

    def depot(self) -> FiltresDossiers:
        return FiltresDossiers(
            reference=self.reference,
            dispositif=self.dispositif,
            statut=self.statut,
            beneficiaire=self.beneficiaire,
            echeance_avant=self.echeance_avant,
            avec_anomalie=self.avec_anomalie,
        )


FiltresDep = Annotated[Filtres, Query()]


@routeur.get("", summary="Lister les dossiers (filtres, tri, pagination)", responses=ERREURS)
def lister(
    *,
    session: SessionDep,
    utilisateur: UtilisateurDep,
    filtres: FiltresDep,
    tri: Tri = Tri.CLE,
    ordre: Ordre = Ordre.ASC,
    limite: Annotated[int, Query(ge=1, le=instruction.LIMITE_MAX)] = 50,
    curseur: Annotated[
        str | None,
        Query(max_length=2000, description="le champ « suivant » de la page précédente"),
    ] = None,
) -> PageDossiers:
    """Only the schemes of the user's scope. Keyset pagination: the order (sort key, then
    `cle`) is total, so following `suivant` never repeats or skips a dossier."""
    return instruction.lister(
        session,
        utilisateur,
        filtres.depot(),
        tri=tri.value,
        descendant=ordre is Ordre.DESC,
        limite=limite,
        curseur=curseur,
    )


@routeur.get(
    "/{cle:path}/timeline",
    summary="L'historique (audit) d'un dossier",
    responses=ERREURS,
)
def timeline(session: SessionDep, utilisateur: UtilisateurDep, cle: str) -> list[LigneChronologie]:
    return instruction.chronologie(session, cle, utilisateur)


class CorpsDecision(BaseModel):
    """A decision. The fields depend on the scheme (docs/api.md); the author is the
    authenticated user and must not be sent."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {"type": "accepter"},
                {"type": "rejeter", "motif": "salarié déjà dans l'effectif"},
                {"type": "demander_pieces", "motif": "CERFA", "date_limite_reponse": "2025-01-15"},
                {"type": "signaler_fraude", "motif": "contrat fictif"},
                {"type": "clore_sans_suite", "motif": "désistement"},
            ]
        },
    )

    type: str = Field(min_length=1, max_length=40, description="ex. accepter, rejeter")


@routeur.post(
    "/{cle:path}/decisions",
    summary="Prendre une décision (mise à jour Temporal `decider`)",
    responses={
        **ERREURS,
        409: {"description": "décision refusée par le workflow (motif); rien n'a changé"},
        503: {"description": "Temporal injoignable"},
    },
)
async def decider(
    session: SessionDep,
    client: ClientDep,
    utilisateur: UtilisateurDep,
    cle: str,
    corps: CorpsDecision,
) -> ResultatDecision:
    return await instruction.decider(
        session, client, cle, corps.model_dump(exclude_unset=True), utilisateur
    )


@routeur.post(
    "/{cle:path}/documents",
    status_code=201,
    summary="Déposer une pièce justificative (PDF, PNG, JPEG)",
    responses={
        **ERREURS,
        413: {"description": "fichier trop volumineux"},
        415: {"description": "type de contenu refusé"},
    },
)
async def deposer(
    *,
    session: SessionDep,
    ctx: ContexteDep,
    utilisateur: UtilisateurDep,
    cle: str,
    fichier: Annotated[UploadFile, File(description="la pièce: PDF, PNG ou JPEG")],
    type_document: Annotated[
        str, Form(max_length=60, description="ex. cerfa, decision_prise_en_charge_opco, autre")
    ] = "autre",
) -> PiecePublique:
    """Stored, hashed (SHA-256), recorded in the timeline; for contrat-pro the workflow is told
    (`portail.contrat-pro.document-ajoute.v1`, id derived from the SHA-256: idempotent)."""
    instruction.dossier_accessible(session, cle, utilisateur, instruction.DOCUMENT)
    contenu = await fichier.read(documents.TAILLE_MAX + 1)
    client = await ctx.client()
    piece = await documents.deposer(
        session=session,
        client=client,
        task_queue=ctx.settings.task_queue,
        stockage=ctx.stockage,
        cle=cle,
        contenu=contenu,
        type_contenu=fichier.content_type or "",
        nom_fichier=fichier.filename,
        type_document=type_document,
        acteur=utilisateur,
        auteur=utilisateur.nom,
    )
    return PiecePublique.model_validate(piece, from_attributes=True)


@routeur.get(
    "/{cle:path}",
    summary="Un dossier: état du workflow, montants, échéances, règles, anomalies, pièces",
    responses=ERREURS,
)
async def montrer(
    session: SessionDep, ctx: ContexteDep, utilisateur: UtilisateurDep, cle: str
) -> VueDossier:
    """The live state comes from the workflow's `etat` query; if the workflow cannot be
    queried, the read model's row is returned with a `note` saying why."""
    instruction.dossier_accessible(session, cle, utilisateur)
    try:
        client: Client | None = await ctx.client()
    except ServiceUnreachable:
        client = None
    return await instruction.montrer(session, client, cle, utilisateur)
