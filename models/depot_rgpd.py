"""Data access for the GDPR jobs: which closed dossiers are past their retention, purging
their personal data from the read model, and audit lines of natures the workflows do not
write (`purge`, `rgpd`). Keyword-only functions; the caller commits once per unit of work."""

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, tzinfo
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from models.depot import _insert
from models.tables import Audit, Dossier, OrdrePaiement, PieceJointe

PURGE = "[purgé]"
ORDRES_PAYES = frozenset({"execute"})
"""Order statuses that mean the money was paid (the anchor of a `dernier_paiement` rule)."""

_CHAMPS_ANONYMES = frozenset(
    {
        "statut",
        "statut_avant",
        "precedent",
        "dispositif",
        "topic",
        "objet",
        "destinataire",
        "nature",
        "periode",
        "acte",
        "eligible",
        "echeance",
        "trimestre",
        "ordre_id",
    }
)


def champ_anonyme(nom: str, valeur: Any) -> bool:
    """Whether an audit detail field is an anonymous figure kept for statistics: a status, a
    scheme, an amount, a date (never a birth date), a code; scalars only. Everything else
    (free text such as `motif` or `message`, identifiers, nested data) may carry personal
    data and is purged."""
    if isinstance(valeur, dict | list):
        return False
    if "naissance" in nom:
        return False
    return (
        nom in _CHAMPS_ANONYMES
        or nom.startswith(("montant", "date_", "nombre_", "nb_"))
        or nom.endswith(("_eur", "_mois", "_jours"))
    )


def detail_purge(detail: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The detail with every non-anonymous field replaced by `[purgé]`, and those fields."""
    garde: dict[str, Any] = {}
    purges: list[str] = []
    for nom, valeur in detail.items():
        if champ_anonyme(nom, valeur) or valeur == PURGE:
            garde[nom] = valeur
        else:
            garde[nom] = PURGE
            purges.append(nom)
    return garde, purges


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
    beneficiary (a SIRET can name a sole trader), the documents' file names."""
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
    """An audit line of a nature the workflows do not write (idempotent, like theirs)."""
    statement = _insert(session, Audit).values(
        dossier=dossier,
        cle_unique=cle_unique,
        horodatage=horodatage,
        nature=nature,
        type=type_,
        auteur=auteur,
        evenement_source=None,
        detail=dict(detail),
    )
    session.execute(statement.on_conflict_do_nothing(index_elements=["dossier", "cle_unique"]))


def jour_de(quand: datetime, fuseau: tzinfo) -> date:
    """The day of `quand` in `fuseau` (SQLite hands back naive UTC datetimes)."""
    if quand.tzinfo is None:
        quand = quand.replace(tzinfo=UTC)
    return quand.astimezone(fuseau).date()
