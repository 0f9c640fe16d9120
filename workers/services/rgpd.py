"""The data subject's rights (GDPR articles 15, 16 and 18), served to an `admin`:

- `exporter`: every dossier, event, decision, payment order, document and log reference about a
  person (NIR, INE) or an establishment (SIRET), in one zip (JSON + the documents);
- `rectifier`: a correction sent to the dossier's workflow as an event like any other
  (`guichet.rgpd.rectification.v1`), applied and audited by the workflow;
- `limiter` / `lever`: restrict processing of a dossier (the workflow holds its timers and
  refuses decisions, `guichet.rgpd.limitation.v1`) and lift it.

Every action checks the `admin` role (`workers.services.utilisateurs.exiger_role`) and is
audited: the export by a line `rgpd_export` on each dossier it covered, the others by the
workflow's lines (author: the admin). Only contrat-pro applies the GDPR events today (see
docs/rgpd.md).
"""

import asyncio
import io
import json
import re
import uuid
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import String, cast
from sqlmodel import Session, col, select
from temporalio.client import Client
from temporalio.service import RPCError

from models import depot, depot_rgpd, rgpd
from models.depot import FiltresDossiers
from models.dossier import Nature
from models.evenements import CloudEvent
from models.tables import Audit, Dossier, PieceJointe
from workers.services.documents import Stockage
from workers.services.utilisateurs import AccesRefuse, Identite, Role, exiger_role

DISPOSITIFS_EVENEMENTS_RGPD = frozenset({"contrat-pro", "cae-dom"})
"""Schemes whose workflow applies `guichet.rgpd.*` events (the others: docs/rgpd.md)."""
ATTENTE = 30.0
"""Seconds to wait for the workflow to apply a GDPR event before saying it is queued."""


class TypeIdentifiant(StrEnum):
    NIR = "nir"
    INE = "ine"
    SIRET = "siret"


_FORMES = {
    TypeIdentifiant.NIR: re.compile(
        r"^[12378]\d{2}(0[1-9]|1[0-2]|[2-9]\d)(\d{2}|2[AB])\d{6}(\d{2})?$"
    ),
    TypeIdentifiant.INE: re.compile(r"^[0-9A-Z]{10}[A-Z]$|^\d{9}[A-Z]{2}$"),
    TypeIdentifiant.SIRET: re.compile(r"^\d{14}$"),
}
_REGLES = {
    TypeIdentifiant.NIR: "13 chiffres (2A/2B pour la Corse), clé de 2 chiffres facultative",
    TypeIdentifiant.INE: "11 caractères: 10 chiffres ou lettres puis une lettre",
    TypeIdentifiant.SIRET: "14 chiffres",
}


class DemandeRgpdInvalide(ValueError):
    """Bad input: the message names the field, the value and the rule (in French)."""


@dataclass(frozen=True)
class Identifiant:
    type: TypeIdentifiant
    valeur: str

    @classmethod
    def lire(cls, type_: TypeIdentifiant, brut: str) -> "Identifiant":
        valeur = re.sub(r"[\s.-]", "", brut).upper()
        if not _FORMES[type_].match(valeur):
            raise DemandeRgpdInvalide(
                f"--{type_}: {brut!r} n'est pas un {type_.upper()} valide ({_REGLES[type_]})"
            )
        return cls(type_, valeur)


@dataclass
class Export:
    chemin: Path
    dossiers: list[str] = field(default_factory=list)
    documents: int = 0


def _contient(valeur: Any, cherche: str) -> bool:
    """Whether `cherche` is one of the strings of a JSON value (spaces ignored, any case)."""
    if isinstance(valeur, dict):
        return any(_contient(v, cherche) for v in valeur.values())
    if isinstance(valeur, list):
        return any(_contient(v, cherche) for v in valeur)
    return isinstance(valeur, str) and re.sub(r"\s", "", valeur).upper() == cherche


async def _etat(client: Client | None, cle: str) -> dict[str, Any] | str:
    if client is None:
        return "état du workflow non consulté (Temporal non joint)"
    try:
        etat = await client.get_workflow_handle(cle).query("etat")
    except RPCError as exc:
        return f"état du workflow indisponible: {exc.message}"
    return etat if isinstance(etat, dict) else {"etat": etat}


def _dossiers_candidats(session: Session) -> list[Dossier]:
    """Every dossier not purged: the workflow states are searched (personal data lives there,
    encrypted in Temporal, never in the search attributes)."""
    query = select(Dossier).where(col(Dossier.purge_le).is_(None)).order_by(col(Dossier.cle))
    return list(session.exec(query).all())


def _cles_audit(session: Session, identifiant: Identifiant) -> set[str]:
    """Dossiers whose audit details mention the identifier (e.g. a SIRET as debtor)."""
    query = select(Audit.dossier).where(cast(Audit.detail, String).contains(identifiant.valeur))
    return set(session.exec(query).all())


def _ecrire(chemin: Path, contenu: bytes) -> None:
    chemin.parent.mkdir(parents=True, exist_ok=True)
    chemin.write_bytes(contenu)


def _nom_sur(cle: str) -> str:
    return re.sub(r"[^\w.-]", "_", cle)


def _json(valeur: Any) -> str:
    return json.dumps(valeur, ensure_ascii=False, indent=2, default=str)


async def exporter(
    *,
    session: Session,
    client: Client | None,
    stockage: Stockage | None,
    identifiant: Identifiant,
    utilisateur: str,
    sortie: Path,
) -> Export:
    """Right of access: one zip with everything about `identifiant` in the schemes the user's
    scope covers (the request says which); audited per dossier."""
    demandeur = Identite.de(exiger_role(session, utilisateur, Role.ADMIN))
    dans_audit = _cles_audit(session, identifiant)
    export = Export(chemin=sortie)
    tampon = io.BytesIO()
    maintenant = datetime.now(UTC)
    with zipfile.ZipFile(tampon, "w", zipfile.ZIP_DEFLATED) as archive:
        for dossier in _dossiers_candidats(session):
            if not demandeur.voit(dossier.dispositif):
                continue
            etat = await _etat(client, dossier.cle)
            concerne = (
                dossier.cle in dans_audit
                or (
                    identifiant.type is TypeIdentifiant.SIRET
                    and dossier.beneficiaire == identifiant.valeur
                )
                or (isinstance(etat, dict) and _contient(etat, identifiant.valeur))
            )
            if not concerne:
                continue
            export.dossiers.append(dossier.cle)
            base = f"dossiers/{_nom_sur(dossier.cle)}"
            audit = depot.lire_audit(session=session, dossier=dossier.cle)
            ordres = depot.lire_ordres(session=session, dossier=dossier.cle)
            pieces = session.exec(
                select(PieceJointe).where(PieceJointe.dossier == dossier.cle)
            ).all()
            archive.writestr(f"{base}/dossier.json", _json(dossier.model_dump(mode="json")))
            archive.writestr(f"{base}/etat_workflow.json", _json(etat))
            archive.writestr(
                f"{base}/historique.json",
                _json([ligne.model_dump(mode="json", exclude={"id"}) for ligne in audit]),
            )
            archive.writestr(
                f"{base}/ordres_paiement.json", _json([o.model_dump(mode="json") for o in ordres])
            )
            archive.writestr(
                f"{base}/pieces_jointes.json", _json([p.model_dump(mode="json") for p in pieces])
            )
            for piece in pieces:
                if stockage is None:
                    continue
                try:
                    contenu = stockage.get(piece.sha256)
                except (OSError, ValueError):
                    continue
                archive.writestr(f"{base}/pieces/{piece.id}-{_nom_sur(piece.nom_fichier)}", contenu)
                export.documents += 1
            archive.writestr(
                f"{base}/journaux.json",
                _json(
                    {
                        "explication": "Les journaux ne contiennent aucune donnée personnelle "
                        "(masquée à l'écriture); leurs lignes sur ce dossier se retrouvent "
                        "par ces champs dans le magasin de journaux.",
                        "champs": {"dossier": dossier.reference, "workflow_id": dossier.cle},
                        "event_id": sorted({a.evenement_source or a.cle_unique for a in audit}),
                    }
                ),
            )
        archive.writestr(
            "demande.json",
            _json(
                {
                    "objet": "droit d'accès (RGPD, article 15)",
                    "identifiant": {"type": identifiant.type.value, "valeur": identifiant.valeur},
                    "date": maintenant.isoformat(),
                    "par": utilisateur,
                    "perimetre": list(demandeur.dispositifs),
                    "dossiers": export.dossiers,
                    "documents": export.documents,
                }
            ),
        )
    await asyncio.to_thread(_ecrire, sortie, tampon.getvalue())
    for cle in export.dossiers:
        depot_rgpd.ajouter_ligne(
            session=session,
            dossier=cle,
            cle_unique=f"rgpd/export/{uuid.uuid4()}",
            horodatage=maintenant,
            nature=Nature.RGPD,
            type_="rgpd_export",
            auteur=utilisateur,
            detail={"identifiant": identifiant.type.value, "documents": export.documents},
        )
    session.commit()
    return export


def trouver_dossier(session: Session, cle: str) -> Dossier:
    """By workflow id, else by business key; `DemandeRgpdInvalide` if unknown."""
    row = depot.lire_dossier(session=session, cle=cle)
    if row is None:
        rows = depot.lister_dossiers(
            session=session, filtres=FiltresDossiers(reference=cle), limite=2
        )
        if len(rows) > 1:
            raise DemandeRgpdInvalide(
                f"CLE {cle!r}: plusieurs dossiers portent cette clé métier; donnez l'id du "
                f"workflow ({', '.join(r.cle for r in rows)})"
            )
        row = rows[0] if rows else None
    if row is None:
        raise DemandeRgpdInvalide(
            f"CLE {cle!r}: dossier inconnu (ni id de workflow, ni clé métier)"
        )
    return row


@dataclass(frozen=True)
class Resultat:
    event_id: str
    applique: bool
    """False: the workflow has not applied it within `ATTENTE` seconds (it will, in order)."""
    refus: str | None = None


async def _envoyer(
    *,
    session: Session,
    client: Client,
    cle: str,
    type_: str,
    donnees: rgpd.DemandeRgpd,
    utilisateur: str,
    attente: float = ATTENTE,
) -> Resultat:
    demandeur = Identite.de(exiger_role(session, utilisateur, Role.ADMIN))
    dossier = trouver_dossier(session, cle)
    if not demandeur.voit(dossier.dispositif):
        raise AccesRefuse(
            f"dossier {dossier.cle}: dispositif {dossier.dispositif!r} hors du périmètre de "
            f"{utilisateur!r} ({', '.join(demandeur.dispositifs)})"
        )
    if dossier.dispositif not in DISPOSITIFS_EVENEMENTS_RGPD:
        raise DemandeRgpdInvalide(
            f"dossier {dossier.cle}: le dispositif {dossier.dispositif} n'applique pas encore "
            "les demandes RGPD par événement (dispositifs: "
            f"{', '.join(sorted(DISPOSITIFS_EVENEMENTS_RGPD))})"
        )
    event = CloudEvent(
        id=f"rgpd/{uuid.uuid4()}",
        source=f"{rgpd.SOURCE}/{utilisateur}",
        type=type_,
        subject=dossier.reference,
        time=datetime.now(UTC),
        data=donnees.model_dump(mode="json"),
    )
    handle = client.get_workflow_handle(dossier.cle)
    try:
        await handle.signal("evenement", event)
    except RPCError as exc:
        raise DemandeRgpdInvalide(
            f"dossier {dossier.cle}: le workflow ne reçoit plus d'événement ({exc.message}); "
            "un dossier clos ne peut plus être rectifié ni limité par le guichet"
        ) from exc
    try:
        async with asyncio.timeout(attente):
            while True:
                etat = await handle.query("etat")
                if event.id in etat.get("registre", {}).get("evenements_appliques", []):
                    break
                await asyncio.sleep(0.2)
    except TimeoutError:
        return Resultat(event.id, applique=False)
    suivi = await handle.query("rgpd", result_type=rgpd.EtatRgpd)
    return Resultat(event.id, applique=True, refus=suivi.refus.get(event.id))


async def rectifier(
    *,
    session: Session,
    client: Client,
    cle: str,
    champ: str,
    valeur: Any,
    motif: str,
    utilisateur: str,
) -> Resultat:
    """Right to rectification: the workflow checks the field and the value and applies it."""
    try:
        demande = rgpd.Rectification(champ=champ, valeur=valeur, motif=motif, auteur=utilisateur)
    except ValidationError as exc:
        raise DemandeRgpdInvalide(_erreurs(exc)) from exc
    return await _envoyer(
        session=session,
        client=client,
        cle=cle,
        type_=rgpd.RECTIFICATION,
        donnees=demande,
        utilisateur=utilisateur,
    )


async def limiter(
    *, session: Session, client: Client, cle: str, motif: str, utilisateur: str
) -> Resultat:
    """Right to restriction: the dossier's processing is frozen until `lever`."""
    try:
        demande = rgpd.Limitation(motif=motif, auteur=utilisateur)
    except ValidationError as exc:
        raise DemandeRgpdInvalide(_erreurs(exc)) from exc
    return await _envoyer(
        session=session,
        client=client,
        cle=cle,
        type_=rgpd.LIMITATION,
        donnees=demande,
        utilisateur=utilisateur,
    )


async def lever(
    *, session: Session, client: Client, cle: str, motif: str, utilisateur: str
) -> Resultat:
    try:
        demande = rgpd.LeveeLimitation(motif=motif, auteur=utilisateur)
    except ValidationError as exc:
        raise DemandeRgpdInvalide(_erreurs(exc)) from exc
    return await _envoyer(
        session=session,
        client=client,
        cle=cle,
        type_=rgpd.LEVEE_LIMITATION,
        donnees=demande,
        utilisateur=utilisateur,
    )


def _erreurs(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors(include_input=False)
    )


def lire_valeur(brute: str) -> Any:
    """`--valeur`: JSON if it parses (true, 12, "x", null), else the text as given."""
    try:
        return json.loads(brute)
    except json.JSONDecodeError:
        return brute


__all__: Sequence[str] = [
    "DemandeRgpdInvalide",
    "Export",
    "Identifiant",
    "Resultat",
    "TypeIdentifiant",
    "exporter",
    "lever",
    "limiter",
    "lire_valeur",
    "rectifier",
    "trouver_dossier",
]
