"""The instruction service: what the HTTP API, the console and the CLI do with dossiers.

Generic over schemes through `workers.services.regimes`. Every function takes the acting user
(`Identite`) and checks its role and schemes (None: a trusted caller, e.g. an operator's CLI
command that already checked). Errors are exceptions the callers translate (HTTP status, exit
code): `DossierInconnu` (404), `AccesRefuse` (403), `EntreeInvalide` (422),
`DecisionRefusee` (409), `DecisionImpossible` (422), `DossierClos` (409),
`TemporalIndisponible` (503).
"""

import asyncio
import base64
import binascii
import json
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

import structlog
from pydantic import BaseModel, ValidationError
from sqlmodel import Session
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from models import depot
from models.depot import Curseur, FiltresDossiers
from models.tables import Audit, Dossier, DossierBase, OrdrePaiement, PieceJointe
from workers.services.regimes import regime
from workers.services.utilisateurs import AccesRefuse, Identite, Role
from workers.services.validation import EntreeInvalide, ErreurChamp, HorodatageUtc, erreurs_de

log = structlog.get_logger(__name__)

LECTURE = (Role.LECTEUR, Role.INSTRUCTEUR, Role.SUPERVISEUR, Role.ADMIN)
DECISION = (Role.INSTRUCTEUR, Role.ADMIN)
DOCUMENT = (Role.INSTRUCTEUR, Role.ADMIN)
EXPORT = (Role.INSTRUCTEUR, Role.SUPERVISEUR, Role.ADMIN)
EVENEMENT = (Role.PARTENAIRE, Role.ADMIN)
"""Who may do what (the roles matrix of docs/api.md)."""

DELAI_REQUETE = timedelta(seconds=5)
DELAI_DECISION = 30.0
LIMITE_MAX = 500


class DossierInconnu(LookupError):
    pass


class DecisionRefusee(Exception):
    """The workflow's validator refused the decision: nothing was recorded or changed."""

    def __init__(self, motif: str) -> None:
        super().__init__(motif)
        self.motif = motif


class DecisionImpossible(Exception):
    """The dossier's scheme takes no instructor decision, or not this kind."""


class DossierClos(Exception):
    """The dossier's workflow is closed: an event is no longer applied."""


class TemporalIndisponible(Exception):
    pass


# --- what callers get back ----------------------------------------------------------------------


class DossierPublic(DossierBase):
    maj_le: HorodatageUtc


class OrdrePublic(BaseModel):
    id: str
    periode: str
    montant: Decimal
    statut: str
    maj_le: HorodatageUtc


class PiecePublique(BaseModel):
    id: str
    sha256: str
    taille: int
    type_contenu: str
    nom_fichier: str
    type_document: str
    auteur: str
    depose_le: HorodatageUtc
    workflow_informe: bool


class LigneChronologie(BaseModel):
    horodatage: HorodatageUtc
    nature: str
    type: str
    auteur: str
    evenement_source: str | None
    detail: dict[str, Any]


class VueDossier(BaseModel):
    dossier: DossierPublic
    source_etat: Literal["workflow", "base de lecture"]
    note: str | None = None
    """Why the live state is missing, when it is."""
    etat: dict[str, Any] | None = None
    """The workflow's `etat` query: statuses, amounts, deadlines, rule version and inputs."""
    evaluation: Any = None
    anomalies: list[Any] = []
    documents_workflow: list[Any] = []
    pieces: list[PiecePublique] = []
    ordres: list[OrdrePublic] = []
    decisions_possibles: list[str] = []
    """The decision types the dossier's current state allows (the workflow's own rules)."""
    decisions_refusees: dict[str, str] = {}
    """The other decision types, each with why the state refuses it now."""


class PageDossiers(BaseModel):
    dossiers: list[DossierPublic]
    total: int
    suivant: str | None
    """Opaque cursor of the next page (None: last page)."""


class ResultatDecision(BaseModel):
    dossier: str
    type: str
    auteur: str
    statut: str


# --- access ------------------------------------------------------------------------------------


def verifier(acteur: Identite | None, roles: Sequence[Role], dispositif: str | None = None) -> None:
    if acteur is None:
        return
    if acteur.role not in roles:
        attendus = ", ".join(r.value for r in roles)
        raise AccesRefuse(f"rôle {acteur.role.value!r} insuffisant: il faut l'un de {attendus}")
    if dispositif is not None and not acteur.voit(dispositif):
        raise AccesRefuse(
            f"dispositif {dispositif!r} hors du périmètre de {acteur.nom!r} "
            f"({', '.join(acteur.dispositifs)})"
        )


def trouver(session: Session, cle: str) -> Dossier:
    """By workflow id, else by business key (the first scheme in key order if several)."""
    row = depot.lire_dossier(session=session, cle=cle)
    if row is None:
        matches = depot.lister_dossiers(
            session=session, filtres=FiltresDossiers(reference=cle), limite=1
        )
        row = matches[0] if matches else None
    if row is None:
        raise DossierInconnu(f"dossier inconnu: {cle!r} (ni id de workflow, ni clé métier)")
    return row


def dossier_accessible(
    session: Session, cle: str, acteur: Identite | None, roles: Sequence[Role] = LECTURE
) -> Dossier:
    """The dossier if `acteur` may act on it with one of `roles`. The role is checked first,
    so a refused role learns nothing of which dossiers exist."""
    verifier(acteur, roles)
    row = trouver(session, cle)
    verifier(acteur, roles, row.dispositif)
    return row


# --- listing -----------------------------------------------------------------------------------


def _valeur_curseur(tri: str, brute: Any) -> Any:
    if brute is None:
        return None
    if tri == "prochaine_echeance":
        return date.fromisoformat(brute)
    if tri in ("montant_accorde", "montant_verse"):
        return Decimal(brute)
    if tri == "anomalies":
        return int(brute)
    if tri == "maj_le":
        return datetime.fromisoformat(brute)
    return str(brute)


def encoder_curseur(tri: str, descendant: bool, curseur: Curseur) -> str:
    valeur = curseur.valeur
    brute = (
        None
        if valeur is None
        else str(valeur.isoformat() if hasattr(valeur, "isoformat") else valeur)
    )
    contenu = json.dumps([tri, descendant, brute, curseur.cle], ensure_ascii=False)
    return base64.urlsafe_b64encode(contenu.encode()).decode().rstrip("=")


def decoder_curseur(tri: str, descendant: bool, jeton: str) -> Curseur:
    invalide = EntreeInvalide(
        "curseur de pagination invalide",
        [
            ErreurChamp(
                champ="curseur",
                valeur=jeton[:200],
                regle="reprendre tel quel le champ « suivant » de la page précédente, "
                "avec le même tri et le même ordre",
            )
        ],
    )
    try:
        brut = base64.urlsafe_b64decode(jeton + "=" * (-len(jeton) % 4))
        tri_c, desc_c, valeur, cle = json.loads(brut)
        if tri_c != tri or desc_c != descendant or not isinstance(cle, str):
            raise invalide
        return Curseur(valeur=_valeur_curseur(tri, valeur), cle=cle)
    except (ValueError, TypeError, binascii.Error, InvalidOperation, UnicodeDecodeError):
        raise invalide from None


def filtres_pour(acteur: Identite | None, filtres: FiltresDossiers) -> FiltresDossiers:
    """The filters restricted to the schemes `acteur` may see."""
    if acteur is None:
        return filtres
    return FiltresDossiers(
        **{**filtres.__dict__, "dispositifs_permis": acteur.dispositifs},
    )


def lister(
    session: Session,
    acteur: Identite | None,
    filtres: FiltresDossiers,
    *,
    tri: str = "cle",
    descendant: bool = False,
    limite: int = 50,
    curseur: str | None = None,
) -> PageDossiers:
    verifier(acteur, LECTURE)
    if tri not in depot.TRIS:
        raise EntreeInvalide(
            "tri inconnu",
            [ErreurChamp(champ="tri", valeur=tri, regle=f"l'un de {', '.join(depot.TRIS)}")],
        )
    if not 1 <= limite <= LIMITE_MAX:
        raise EntreeInvalide(
            "limite hors bornes",
            [ErreurChamp(champ="limite", valeur=limite, regle=f"entre 1 et {LIMITE_MAX}")],
        )
    apres = decoder_curseur(tri, descendant, curseur) if curseur else None
    portee = filtres_pour(acteur, filtres)
    rows = depot.lister_page(
        session=session,
        filtres=portee,
        tri=tri,
        descendant=descendant,
        limite=limite + 1,
        apres=apres,
    )
    page, reste = list(rows[:limite]), len(rows) > limite
    suivant = encoder_curseur(tri, descendant, depot.curseur_de(page[-1], tri)) if reste else None
    return PageDossiers(
        dossiers=[DossierPublic.model_validate(row, from_attributes=True) for row in page],
        total=depot.compter(session=session, filtres=portee),
        suivant=suivant,
    )


# --- one dossier -------------------------------------------------------------------------------


async def etat_workflow(client: Client, workflow_id: str) -> dict[str, Any] | str:
    """The workflow's `etat` query as JSON, or why it is unavailable."""
    try:
        handle = client.get_workflow_handle(workflow_id)
        async with asyncio.timeout(DELAI_REQUETE.total_seconds() + 1):
            etat = await handle.query("etat", rpc_timeout=DELAI_REQUETE)
    except TimeoutError:
        return "le workflow ne répond pas (aucun worker ?): état de la base de lecture"
    except RPCError as exc:
        return f"workflow injoignable ({exc.status.name}): état de la base de lecture"
    except Exception as exc:  # WorkflowQueryFailedError and converter errors
        return f"état du workflow indisponible ({type(exc).__name__}): base de lecture"
    return etat if isinstance(etat, dict) else {"etat": etat}


def _public_pieces(pieces: Sequence[PieceJointe]) -> list[PiecePublique]:
    return [PiecePublique.model_validate(p, from_attributes=True) for p in pieces]


def _public_ordres(ordres: Sequence[OrdrePaiement]) -> list[OrdrePublic]:
    return [OrdrePublic.model_validate(o, from_attributes=True) for o in ordres]


async def montrer(
    session: Session, client: Client | None, cle: str, acteur: Identite | None
) -> VueDossier:
    """The read-model row, the live workflow state (or a note saying why not), the documents
    and the payment orders."""
    row = dossier_accessible(session, cle, acteur)
    ordres = depot.lire_ordres(session=session, dossier=row.cle)
    pieces = depot.lire_pieces(session=session, dossier=row.cle)
    etat: dict[str, Any] | str = (
        "client Temporal absent" if client is None else await etat_workflow(client, row.cle)
    )
    r = regime(row.dispositif)
    vue = VueDossier(
        dossier=DossierPublic.model_validate(row, from_attributes=True),
        source_etat="workflow" if isinstance(etat, dict) else "base de lecture",
        note=None if isinstance(etat, dict) else etat,
        pieces=_public_pieces(pieces),
        ordres=_public_ordres(ordres),
        decisions_possibles=list(r.types_decision) if r else [],
    )
    if isinstance(etat, dict) and r is not None and r.decision is not None:
        vue.decisions_possibles, vue.decisions_refusees = await decisions_selon_etat(
            client, row.cle, r.types_decision
        )
    if isinstance(etat, dict):
        vue.etat = etat
        vue.evaluation = etat.get("evaluation")
        vue.anomalies = list(etat.get("anomalies") or [])
        vue.documents_workflow = list(etat.get("documents") or [])
    return vue


async def decisions_selon_etat(
    client: Client | None, workflow_id: str, types: Sequence[str]
) -> tuple[list[str], dict[str, str]]:
    """Allowed decision types and refused ones with their reason, from the workflow's
    `decisions_possibles` query; a scheme without that query offers every type (its update
    validator still refuses what makes no sense)."""
    if client is None:
        return list(types), {}
    try:
        async with asyncio.timeout(DELAI_REQUETE.total_seconds() + 1):
            reponse = await client.get_workflow_handle(workflow_id).query(
                "decisions_possibles", rpc_timeout=DELAI_REQUETE
            )
    except Exception:  # no such query on this scheme, or the workflow is unreachable
        return list(types), {}
    refus = {str(t): str(m) for t, m in dict(reponse).items() if m}
    return [t for t in types if t not in refus], {t: refus[t] for t in types if t in refus}


def chronologie(session: Session, cle: str, acteur: Identite | None) -> list[LigneChronologie]:
    row = dossier_accessible(session, cle, acteur)
    lignes: Sequence[Audit] = depot.lire_audit(session=session, dossier=row.cle)
    return [LigneChronologie.model_validate(a, from_attributes=True) for a in lignes]


# --- decisions ---------------------------------------------------------------------------------


def construire_decision(dispositif: str, demande: dict[str, Any], auteur: str) -> BaseModel:
    """The scheme's decision model from a request body; the author is the caller's."""
    r = regime(dispositif)
    if r is None or r.decision is None:
        raise DecisionImpossible(
            f"le dispositif {dispositif!r} ne prend pas de décision d'instructeur: "
            "ses dossiers avancent sur les seuls événements des partenaires et les échéances"
        )
    if "auteur" in demande:
        raise EntreeInvalide(
            "l'auteur d'une décision est l'utilisateur authentifié",
            [
                ErreurChamp(
                    champ="auteur",
                    valeur=str(demande["auteur"])[:200],
                    regle="ne pas fournir: l'auteur est l'utilisateur authentifié",
                )
            ],
        )
    corps = dict(demande)
    if isinstance(corps.get("type"), str):
        corps["type"] = corps["type"].replace("-", "_")
    try:
        return r.decision.model_validate({**corps, "auteur": auteur})
    except ValidationError as exc:
        erreurs = erreurs_de(exc)
        for erreur in erreurs:
            if erreur.champ == "type":
                erreur.regle = f"l'un de {', '.join(r.types_decision)} (dispositif {dispositif})"
        raise EntreeInvalide("décision invalide", erreurs) from None


async def decider(
    session: Session,
    client: Client,
    cle: str,
    demande: dict[str, Any],
    acteur: Identite,
) -> ResultatDecision:
    """Send the decision through the `decider` update; its validator may refuse it (409)."""
    row = dossier_accessible(session, cle, acteur, DECISION)
    decision = construire_decision(row.dispositif, demande, acteur.nom)
    handle = client.get_workflow_handle(row.cle)
    try:
        async with asyncio.timeout(DELAI_DECISION):
            statut = await handle.execute_update("decider", decision)
    except WorkflowUpdateFailedError as exc:
        cause = exc.cause
        if isinstance(cause, ApplicationError):
            raise DecisionRefusee(cause.message) from None
        raise DecisionRefusee(str(cause or exc)) from None
    except RPCError as exc:
        if exc.status is RPCStatusCode.NOT_FOUND:
            raise DecisionRefusee(
                f"le dossier {row.cle} est clos (statut {row.statut}): aucune décision possible"
            ) from None
        raise TemporalIndisponible(f"Temporal: {exc.status.name}: {exc.message}") from None
    except TimeoutError:
        raise TemporalIndisponible(
            f"le dossier {row.cle} n'a pas appliqué la décision en {DELAI_DECISION:.0f} s "
            "(aucun worker ?); elle le sera quand il reprendra"
        ) from None
    type_ = str(getattr(decision, "type", ""))
    log.info("decision_prise", dossier=row.cle, type=type_, auteur=acteur.nom, statut=statut)
    return ResultatDecision(dossier=row.cle, type=type_, auteur=acteur.nom, statut=str(statut))
