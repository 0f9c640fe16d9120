"""users, tokens, supporting documents

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "utilisateur",
        sa.Column("nom", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("dispositifs", sa.JSON(), nullable=False),
        sa.Column("partenaire", sa.String(length=40), nullable=True),
        sa.Column("actif", sa.Boolean(), nullable=False),
        sa.Column("cree_le", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("nom"),
    )
    op.create_table(
        "jeton",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("empreinte", sa.String(length=64), nullable=False),
        sa.Column("utilisateur", sa.String(length=100), nullable=False),
        sa.Column("cree_le", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expire_le", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoque", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["utilisateur"], ["utilisateur.nom"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("empreinte"),
    )
    with op.batch_alter_table("jeton", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_jeton_utilisateur"), ["utilisateur"], unique=False)

    op.create_table(
        "piece_jointe",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("dossier", sa.String(length=200), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("taille", sa.Integer(), nullable=False),
        sa.Column("type_contenu", sa.String(length=100), nullable=False),
        sa.Column("nom_fichier", sa.String(length=255), nullable=False),
        sa.Column("type_document", sa.String(length=60), nullable=False),
        sa.Column("auteur", sa.String(length=100), nullable=False),
        sa.Column("depose_le", sa.DateTime(timezone=True), nullable=False),
        sa.Column("workflow_informe", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("dossier", "sha256"),
    )
    with op.batch_alter_table("piece_jointe", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_piece_jointe_dossier"), ["dossier"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("piece_jointe", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_piece_jointe_dossier"))
    op.drop_table("piece_jointe")
    with op.batch_alter_table("jeton", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_jeton_utilisateur"))
    op.drop_table("jeton")
    op.drop_table("utilisateur")
