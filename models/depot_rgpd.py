"""Data access for the GDPR jobs: which closed dossiers are past their retention, purging
their personal data from the read model, and audit lines of natures the workflows do not
write (`purge`, `rgpd`). Keyword-only functions; the caller commits once per unit of work."""

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, tzinfo
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from models import depot_audit
from models.chaine_audit import PURGE, detail_purge
from models.tables import Audit, Dossier, OrdrePaiement, PieceJointe

__all__ = [
    "PURGE",
    "ajouter_ligne",
    "derniers_paiements",
    "detail_purge",
    "dossiers_non_purges",
    "jour_de",
    "purger_lecture",
]

ORDRES_PAYES = frozenset({"execute"})
"""Order statuses that mean the money was paid (the anchor of a `dernier_paiement` rule)."""


def dossiers_non_purges(
    *, session: Session, statuts_clos: Mapping[str, Iterable[str]]
) -> Sequence[Dossier]:
    """Closed dossiers (status final for their scheme) not purged yet, by key."""
    query = select(Dossier).where(col(Dossier.purge_le).is_(None))
    rows = session.exec(query.order_by(col(Dossier.cle))).all()
    return [row for row in rows if row.statut in set(statuts_clos.get(row.dispositif, ()))]


def derniers_paiements(*, session: Session, dossiers: Iterable[str]) -> dict[str, datetime]:
    """The time of the last executed order per dossier (those with one)."""
    cles = list(dossiers)
    if not cles:
        return {}
    query = (
        select(OrdrePaiement.dossier, func.max(OrdrePaiement.maj_le))
        .where(col(OrdrePaiement.dossier).in_(cles))
        .where(col(OrdrePaiement.statut).in_(sorted(ORDRES_PAYES)))
        .group_by(col(OrdrePaiement.dossier))
    )
    return {dossier: quand for dossier, quand in session.exec(query).all() if quand is not None}


def purger_lecture(*, session: Session, cle: str, quand: datetime) -> dict[str, Any]:
    """Purge a dossier's personal data from the read model; returns what was purged.

    Kept: the scheme, status, amounts, dates, orders and the shape of the history (each audit
    line's nature, type, time and author). Purged: every non-anonymous audit detail field, the
    beneficiary (a SIRET can name a sole trader), the documents' file names. Only `detail`
    changes on an audit line: its chain stays verifiable, each purged detail matching the
    `empreinte_purge` computed when the line was written (docs/audit.md)."""
    dossier = session.get(Dossier, cle)
    if dossier is None or dossier.purge_le is not None:
        return {}
    champs: set[str] = set()
    lignes = 0
    for ligne in session.exec(select(Audit).where(Audit.dossier == cle)).all():
        garde, purges = detail_purge(ligne.detail)
        if purges:
            ligne.detail = garde
            session.add(ligne)
            champs.update(purges)
            lignes += 1
    pieces = session.exec(select(PieceJointe).where(PieceJointe.dossier == cle)).all()
    for piece in pieces:
        piece.nom_fichier = PURGE
        session.add(piece)
    beneficiaire = dossier.beneficiaire is not None
    dossier.beneficiaire = None
    dossier.purge_le = quand
    session.add(dossier)
    return {
        "lignes_audit": lignes,
        "champs_audit": sorted(champs),
        "beneficiaire": beneficiaire,
        "noms_pieces_jointes": len(pieces),
    }


def ajouter_ligne(
    *,
    session: Session,
    dossier: str,
    cle_unique: str,
    horodatage: datetime,
    nature: str,
    type_: str,
    auteur: str,
    detail: Mapping[str, Any],
) -> None:
    """An audit line of a nature the workflows do not write (idempotent, like theirs, and
    chained the same way: `models.depot_audit.ajouter`)."""
    depot_audit.ajouter(
        session=session,
        dossier=dossier,
        cle_unique=cle_unique,
        horodatage=horodatage,
        nature=nature,
        type_=type_,
        auteur=auteur,
        evenement_source=None,
        detail=detail,
    )


def jour_de(quand: datetime, fuseau: tzinfo) -> date:
    """The day of `quand` in `fuseau` (SQLite hands back naive UTC datetimes)."""
    if quand.tzinfo is None:
        quand = quand.replace(tzinfo=UTC)
    return quand.astimezone(fuseau).date()
