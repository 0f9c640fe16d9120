"""The SQL read model: dossier projection, payment ledger, append-only audit log, and the
dead-letter store (`rebut`).

Temporal is the source of truth; these tables are projections written by activities and can
be rebuilt. Every write is idempotent: a replayed activity never doubles a row.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Index,
    LargeBinary,
    Numeric,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel


def _amount() -> Any:
    return Field(default=Decimal("0.00"), sa_type=Numeric(14, 2))


class DossierBase(SQLModel):
    cle: str = Field(primary_key=True, max_length=200, description="workflow id")
    dispositif: str = Field(index=True, max_length=40)
    reference: str = Field(index=True, max_length=100, description="business key")
    statut: str = Field(index=True, max_length=40)
    beneficiaire: str | None = Field(default=None, index=True, max_length=20)
    montant_accorde: Decimal = _amount()
    montant_verse: Decimal = _amount()
    montant_a_recuperer: Decimal = _amount()
    prochaine_echeance: date | None = Field(default=None, index=True)
    libelle_echeance: str | None = Field(default=None, max_length=200)
    anomalies: int = 0


class Dossier(DossierBase, table=True):
    __tablename__ = "dossier"

    version: int = Field(default=0, description="projection sequence; older writes are ignored")
    maj_le: datetime = Field(sa_type=DateTime(timezone=True))
    purge_le: datetime | None = Field(
        default=None,
        sa_type=DateTime(timezone=True),
        description="when retention ended and personal data was purged (activities/retention)",
    )


class OrdrePaiement(SQLModel, table=True):
    __tablename__ = "ordre_paiement"

    id: str = Field(primary_key=True, max_length=200, description="idempotency key")
    dossier: str = Field(index=True, max_length=200)
    periode: str = Field(max_length=40)
    montant: Decimal = Field(sa_type=Numeric(14, 2))
    statut: str = Field(max_length=20)
    maj_le: datetime = Field(sa_type=DateTime(timezone=True))


class Audit(SQLModel, table=True):
    """One line per event applied, decision taken, deadline reached or event published.

    Each dossier's lines form a hash chain in `rang` order (`models.chaine_audit`,
    docs/audit.md): written only through `models.depot_audit.ajouter`."""

    __tablename__ = "audit"
    __table_args__ = (
        UniqueConstraint("dossier", "cle_unique"),
        UniqueConstraint("dossier", "rang", name="uq_audit_dossier_rang"),
    )

    id: int | None = Field(default=None, primary_key=True)
    dossier: str = Field(index=True, max_length=200)
    cle_unique: str = Field(max_length=300, description="event id or workflow-chosen id")
    horodatage: datetime = Field(sa_type=DateTime(timezone=True))
    nature: str = Field(max_length=20)
    type: str = Field(max_length=100)
    auteur: str = Field(max_length=200)
    evenement_source: str | None = Field(default=None, max_length=200)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    rang: int = Field(description="position in the dossier's chain, from 1")
    empreinte_detail: str = Field(max_length=64, description="SHA-256 of the canonical detail")
    empreinte_purge: str = Field(
        max_length=64, description="SHA-256 of the canonical detail as the GDPR purge leaves it"
    )
    precedent: str = Field(max_length=64, description="the previous line's `empreinte`")
    empreinte: str = Field(max_length=64, description="SHA-256 of `precedent` and the content")


class CondensatAudit(SQLModel, table=True):
    """The signed daily digest of every audit chain head (`models.depot_audit.condenser`).

    `tetes` lists [dossier, rang, empreinte] sorted by dossier; `racine` is its SHA-256;
    `signature` (Ed25519, base64) covers jour, nombre_chaines, racine, precedent (the previous
    digest's hash) and cle_id (`models.chaine_audit.MessageCondensat`)."""

    __tablename__ = "condensat_audit"

    jour: date = Field(primary_key=True, description="day (Europe/Paris) of the digest")
    cree_le: datetime = Field(sa_type=DateTime(timezone=True))
    nombre_chaines: int
    racine: str = Field(max_length=64)
    tetes: list[Any] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    precedent: str = Field(max_length=64, description="hash of the previous digest's message")
    cle_id: str = Field(max_length=16, description="id of the signing key's public key")
    signature: str = Field(max_length=100, description="Ed25519 signature, base64")
    publie_le: datetime | None = Field(
        default=None,
        sa_type=DateTime(timezone=True),
        description="when it was published on guichet.audit",
    )


class Utilisateur(SQLModel, table=True):
    """A person or a partner's system using the API, the console or the CLI.

    `role` is one of `workers.services.utilisateurs.Role`; `dispositifs` lists the schemes (workflow
    types, `fnmatch` patterns: `are-*`, `*` for all) the user may see; `partenaire` (opco, asp,
    portail, etablissements) is set for the `partenaire` role only."""

    __tablename__ = "utilisateur"

    nom: str = Field(primary_key=True, max_length=100)
    role: str = Field(max_length=20)
    dispositifs: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    partenaire: str | None = Field(default=None, max_length=40)
    actif: bool = True
    cree_le: datetime = Field(sa_type=DateTime(timezone=True))
    version_session: int = Field(
        default=0,
        sa_column_kwargs={"server_default": "0"},
        description="carried by each console session; logging out increments it, which ends "
        "every open session of the user at once",
    )


class Jeton(SQLModel, table=True):
    """A bearer token: only its SHA-256 is stored, never the token itself."""

    __tablename__ = "jeton"

    id: int | None = Field(default=None, primary_key=True)
    empreinte: str = Field(max_length=64, unique=True, description="SHA-256 hex of the token")
    utilisateur: str = Field(index=True, max_length=100, foreign_key="utilisateur.nom")
    cree_le: datetime = Field(sa_type=DateTime(timezone=True))
    expire_le: datetime = Field(sa_type=DateTime(timezone=True))
    revoque: bool = False


class PieceJointe(SQLModel, table=True):
    """A supporting document stored through `workers.services.documents.Stockage` (metadata
    only)."""

    __tablename__ = "piece_jointe"
    __table_args__ = (UniqueConstraint("dossier", "sha256"),)

    id: str = Field(primary_key=True, max_length=100, description="storage id")
    dossier: str = Field(index=True, max_length=200, description="workflow id")
    sha256: str = Field(max_length=64)
    taille: int
    type_contenu: str = Field(max_length=100)
    nom_fichier: str = Field(max_length=255)
    type_document: str = Field(max_length=60)
    auteur: str = Field(max_length=100)
    depose_le: datetime = Field(sa_type=DateTime(timezone=True))
    workflow_informe: bool = Field(
        default=False, description="an event told the workflow (schemes that have one)"
    )


class Rebut(SQLModel, table=True):
    """A partner record the intake refused (a dead letter), kept to be reviewed, corrected and
    replayed, or closed (`workers.services.rebuts`, docs/rebuts.md).

    One row per `origine` (`kafka:<topic>/<partition>/<offset>` or `http:<sha256>`,
    `events.registre`): a record consigned twice is one row. `motif` never quotes a personal
    value (`events.delivery`); the record itself, personal data included, is only in `charge`,
    encrypted (AES-256-GCM, `workers.runtime.codec.chiffrer`), and set to NULL by nothing but
    the row's deletion at the end of its retention (`rebuts_conservation_jours`)."""

    __tablename__ = "rebut"
    __table_args__ = (
        Index("ix_rebut_statut_recu_le", "statut", "recu_le"),
        # ids never reused after a purge (they name the rows' audit lines, `rebut:<id>`)
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    origine: str = Field(max_length=300, unique=True)
    topic: str = Field(max_length=255, description="partner topic, or `http`")
    partition: int | None = None
    offset: int | None = Field(default=None, sa_type=BigInteger)
    cle: str | None = Field(default=None, max_length=300, description="the record's key")
    code: str = Field(max_length=30, description="`events.registre.CodeRejet`")
    motif: str = Field(max_length=2100)
    type: str | None = Field(default=None, max_length=100, description="event type, if read")
    dispositif: str | None = Field(
        default=None,
        max_length=40,
        description="workflow type of the event type (scheme scope); NULL: type unknown",
    )
    recu_le: datetime = Field(sa_type=DateTime(timezone=True), index=True)
    taille: int = Field(description="bytes of the record's value")
    charge: bytes | None = Field(
        default=None,
        sa_type=LargeBinary,
        description="value and headers, encrypted (workers.services.rebuts)",
    )
    statut: str = Field(default="nouveau", max_length=20, description="nouveau, rejoue, ignore")
    traite_par: str | None = Field(default=None, max_length=100)
    traite_le: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    motif_traitement: str | None = Field(default=None, max_length=2000)
