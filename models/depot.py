"""Data access to the read model. Keyword-only functions; the caller commits once per unit of
work. Writes are idempotent upserts (SQLite and PostgreSQL `INSERT ... ON CONFLICT`)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from models.dossier import EntreeAudit, ProjectionDossier
from models.tables import Audit, Dossier, OrdrePaiement


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
    """Append an audit line; the same (dossier, cle_unique) twice is written once."""
    values = entree.model_dump(mode="python")
    values["detail"] = entree.model_dump(mode="json")["detail"]
    statement = _insert(session, Audit).values(**values)
    session.execute(statement.on_conflict_do_nothing(index_elements=["dossier", "cle_unique"]))


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


def lister_dossiers(
    *, session: Session, filtres: FiltresDossiers, limite: int = 100, apres: str | None = None
) -> Sequence[Dossier]:
    """Dossiers matching the filters, ordered by key (stable pagination: pass the last key)."""
    query = select(Dossier)
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
    if apres:
        query = query.where(col(Dossier.cle) > apres)
    return session.exec(query.order_by(col(Dossier.cle)).limit(limite)).all()


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
