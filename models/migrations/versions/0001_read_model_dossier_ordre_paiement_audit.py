"""read model: dossier, ordre_paiement, audit

Revision ID: 0001
Revises:
Create Date: 2026-11-23 12:40:04.569946
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dossier", sa.String(length=200), nullable=False),
        sa.Column("cle_unique", sa.String(length=300), nullable=False),
        sa.Column("horodatage", sa.DateTime(timezone=True), nullable=False),
        sa.Column("nature", sa.String(length=20), nullable=False),
        sa.Column("type", sa.String(length=100), nullable=False),
        sa.Column("auteur", sa.String(length=200), nullable=False),
        sa.Column("evenement_source", sa.String(length=200), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("dossier", "cle_unique"),
    )
    with op.batch_alter_table("audit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_dossier"), ["dossier"], unique=False)

    op.create_table(
        "dossier",
        sa.Column("cle", sa.String(length=200), nullable=False),
        sa.Column("dispositif", sa.String(length=40), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=False),
        sa.Column("statut", sa.String(length=40), nullable=False),
        sa.Column("beneficiaire", sa.String(length=20), nullable=True),
        sa.Column("montant_accorde", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("montant_verse", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("montant_a_recuperer", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("prochaine_echeance", sa.Date(), nullable=True),
        sa.Column("libelle_echeance", sa.String(length=200), nullable=True),
        sa.Column("anomalies", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("maj_le", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("cle"),
    )
    with op.batch_alter_table("dossier", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dossier_beneficiaire"), ["beneficiaire"], unique=False)
        batch_op.create_index(batch_op.f("ix_dossier_dispositif"), ["dispositif"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_dossier_prochaine_echeance"), ["prochaine_echeance"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_dossier_reference"), ["reference"], unique=False)
        batch_op.create_index(batch_op.f("ix_dossier_statut"), ["statut"], unique=False)

    op.create_table(
        "ordre_paiement",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("dossier", sa.String(length=200), nullable=False),
        sa.Column("periode", sa.String(length=40), nullable=False),
        sa.Column("montant", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("statut", sa.String(length=20), nullable=False),
        sa.Column("maj_le", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("ordre_paiement", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ordre_paiement_dossier"), ["dossier"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("ordre_paiement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ordre_paiement_dossier"))

    op.drop_table("ordre_paiement")
    with op.batch_alter_table("dossier", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dossier_statut"))
        batch_op.drop_index(batch_op.f("ix_dossier_reference"))
        batch_op.drop_index(batch_op.f("ix_dossier_prochaine_echeance"))
        batch_op.drop_index(batch_op.f("ix_dossier_dispositif"))
        batch_op.drop_index(batch_op.f("ix_dossier_beneficiaire"))

    op.drop_table("dossier")
    with op.batch_alter_table("audit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_dossier"))

    op.drop_table("audit")
