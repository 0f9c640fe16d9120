"""Data access to the read model. Keyword-only functions; the caller commits once per unit of
work. Writes are idempotent upserts (SQLite and PostgreSQL `INSERT ... ON CONFLICT`)."""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, false, func, or_
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from models import depot_audit
from models.dossier import EntreeAudit, ProjectionDossier
from models.tables import Audit, Dossier, OrdrePaiement, PieceJointe


def _insert(session: Session, table: Any) -> Any:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"base non prise en charge: {dialect}")


def projeter_dossier(*, session: Session, projection: ProjectionDossier) -> None:
    """Insert or update the dossier's row, unless a newer projection is already there."""
    values = projection.model_dump()
    statement = _insert(session, Dossier).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=["cle"],
        set_={name: statement.excluded[name] for name in values if name != "cle"},
        where=col(Dossier.version) < statement.excluded.version,
    )
    session.execute(statement)


def ajouter_audit(*, session: Session, entree: EntreeAudit) -> None:
    """Append an audit line to its dossier's hash chain (`ajouter_audits`)."""
    ajouter_audits(session=session, entrees=[entree])


def ajouter_audits(*, session: Session, entrees: Sequence[EntreeAudit]) -> None:
    """Append audit lines to their dossiers' hash chains, in order, each dossier's lines
    together (`models.depot_audit.ajouter_lignes`); the same (dossier, cle_unique) twice is
    written once and does not extend the chain."""
    par_dossier: dict[str, list[depot_audit.NouvelleLigne]] = {}
    for entree in entrees:
        par_dossier.setdefault(entree.dossier, []).append(
            depot_audit.NouvelleLigne(
                cle_unique=entree.cle_unique,
                horodatage=entree.horodatage,
                nature=entree.nature,
                type=entree.type,
                auteur=entree.auteur,
                evenement_source=entree.evenement_source,
                detail=entree.model_dump(mode="json")["detail"],
            )
        )
    for dossier, lignes in par_dossier.items():
        depot_audit.ajouter_lignes(session=session, dossier=dossier, lignes=lignes)


def enregistrer_ordre(
    *,
    session: Session,
    id: str,
    dossier: str,
    periode: str,
    montant: Decimal,
    statut: str,
    maj_le: datetime,
) -> None:
    """Insert or update a payment order, keyed by its idempotency key."""
    values = {
        "id": id,
        "dossier": dossier,
        "periode": periode,
        "montant": montant,
        "statut": statut,
        "maj_le": maj_le,
    }
    statement = _insert(session, OrdrePaiement).values(**values)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["id"],
            set_={"statut": statement.excluded.statut, "maj_le": statement.excluded.maj_le},
        )
    )


@dataclass(frozen=True)
class FiltresDossiers:
    reference: str | None = None
    dispositif: str | None = None
    statut: str | None = None
    beneficiaire: str | None = None
    echeance_avant: date | None = None
    avec_anomalie: bool | None = None
    dispositifs_permis: tuple[str, ...] | None = None
    """Scheme patterns the reader may see (`contrat-pro`, `are-*`, `*`); None: no restriction."""


TRIS: dict[str, Any] = {
    "cle": Dossier.cle,
    "dispositif": Dossier.dispositif,
    "statut": Dossier.statut,
    "prochaine_echeance": Dossier.prochaine_echeance,
    "montant_accorde": Dossier.montant_accorde,
    "montant_verse": Dossier.montant_verse,
    "anomalies": Dossier.anomalies,
    "maj_le": Dossier.maj_le,
}
"""Sort keys of `lister_page`; the key `cle` always breaks ties, so the order is total."""


@dataclass(frozen=True)
class Curseur:
    """Where a page ends: the last row's sort value (None if null) and its key."""

    valeur: Any
    cle: str


def _motif_like(motif: str) -> str:
    return motif.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_").replace("*", "%")


def _filtrer(query: Any, filtres: FiltresDossiers) -> Any:
    if filtres.reference:
        query = query.where(Dossier.reference == filtres.reference)
    if filtres.dispositif:
        query = query.where(Dossier.dispositif == filtres.dispositif)
    if filtres.statut:
        query = query.where(Dossier.statut == filtres.statut)
    if filtres.beneficiaire:
        query = query.where(Dossier.beneficiaire == filtres.beneficiaire)
    if filtres.echeance_avant:
        query = query.where(col(Dossier.prochaine_echeance) < filtres.echeance_avant)
    if filtres.avec_anomalie is not None:
        query = query.where(
            (col(Dossier.anomalies) > 0) if filtres.avec_anomalie else (col(Dossier.anomalies) == 0)
        )
    if filtres.dispositifs_permis is not None:
        if "*" in filtres.dispositifs_permis:
            return query
        conditions = [
            col(Dossier.dispositif).like(_motif_like(m), escape="\\")
            if "*" in m
            else col(Dossier.dispositif) == m
            for m in filtres.dispositifs_permis
        ]
        query = query.where(or_(false(), *conditions))
    return query


def lister_dossiers(
    *, session: Session, filtres: FiltresDossiers, limite: int = 100, apres: str | None = None
) -> Sequence[Dossier]:
    """Dossiers matching the filters, ordered by key (stable pagination: pass the last key)."""
    query = _filtrer(select(Dossier), filtres)
    if apres:
        query = query.where(col(Dossier.cle) > apres)
    rows: Sequence[Dossier] = session.exec(query.order_by(col(Dossier.cle)).limit(limite)).all()
    return rows


def _ordonner(query: Any, tri: str, descendant: bool) -> Any:
    colonne = col(TRIS[tri])
    cle = col(Dossier.cle)
    if tri == "cle":
        return query.order_by(cle.desc() if descendant else cle)
    # Nulls last in both directions, then the value, then the key as tie-breaker.
    return query.order_by(
        colonne.is_(None),
        colonne.desc() if descendant else colonne,
        cle.desc() if descendant else cle,
    )


def _apres(query: Any, tri: str, descendant: bool, curseur: Curseur) -> Any:
    colonne = col(TRIS[tri])
    cle = col(Dossier.cle)
    plus_loin_cle = cle < curseur.cle if descendant else cle > curseur.cle
    if tri == "cle":
        return query.where(plus_loin_cle)
    if curseur.valeur is None:  # inside the trailing nulls
        return query.where(colonne.is_(None), plus_loin_cle)
    plus_loin = colonne < curseur.valeur if descendant else colonne > curseur.valeur
    return query.where(
        or_(
            colonne.is_(None),
            plus_loin,
            and_(colonne == curseur.valeur, plus_loin_cle),
        )
    )


def lister_page(
    *,
    session: Session,
    filtres: FiltresDossiers,
    tri: str = "cle",
    descendant: bool = False,
    limite: int = 50,
    apres: Curseur | None = None,
) -> Sequence[Dossier]:
    """One page of dossiers in a total order (sort key, then `cle`): keyset pagination, so a
    page never repeats or skips a row that did not move. Pass the last row's `curseur_de`."""
    if tri not in TRIS:
        raise ValueError(f"tri inconnu: {tri!r}")
    query = _filtrer(select(Dossier), filtres)
    if apres is not None:
        query = _apres(query, tri, descendant, apres)
    rows: Sequence[Dossier] = session.exec(_ordonner(query, tri, descendant).limit(limite)).all()
    return rows


def curseur_de(row: Dossier, tri: str) -> Curseur:
    return Curseur(valeur=getattr(row, tri), cle=row.cle)


def iterer_dossiers(
    *, session: Session, filtres: FiltresDossiers, tri: str = "cle", descendant: bool = False
) -> Iterator[Dossier]:
    """Every matching dossier, fetched in batches (`yield_per`): bounded memory for exports."""
    query = _ordonner(_filtrer(select(Dossier), filtres), tri, descendant)
    yield from session.exec(query.execution_options(yield_per=500))


def compter(*, session: Session, filtres: FiltresDossiers) -> int:
    query = _filtrer(select(func.count()).select_from(Dossier), filtres)
    return int(session.exec(query).one())


def lire_dossier(*, session: Session, cle: str) -> Dossier | None:
    return session.get(Dossier, cle)


def lire_audit(*, session: Session, dossier: str) -> Sequence[Audit]:
    query = select(Audit).where(Audit.dossier == dossier)
    return session.exec(query.order_by(col(Audit.horodatage), col(Audit.id))).all()


def lire_ordres(*, session: Session, dossier: str) -> Sequence[OrdrePaiement]:
    query = select(OrdrePaiement).where(OrdrePaiement.dossier == dossier)
    return session.exec(query.order_by(col(OrdrePaiement.id))).all()


def compter_dossiers(*, session: Session) -> int:
    return session.exec(select(func.count()).select_from(Dossier)).one()


def lire_pieces(*, session: Session, dossier: str) -> Sequence[PieceJointe]:
    query = select(PieceJointe).where(PieceJointe.dossier == dossier)
    return session.exec(query.order_by(col(PieceJointe.depose_le), col(PieceJointe.id))).all()
