"""rebut: the dead-letter store (records the intake refused, encrypted, reviewed and replayed)

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rebut",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("origine", sa.String(length=300), nullable=False),
        sa.Column("topic", sa.String(length=255), nullable=False),
        sa.Column("partition", sa.Integer(), nullable=True),
        sa.Column("offset", sa.BigInteger(), nullable=True),
        sa.Column("cle", sa.String(length=300), nullable=True),
        sa.Column("code", sa.String(length=30), nullable=False),
        sa.Column("motif", sa.String(length=2100), nullable=False),
        sa.Column("type", sa.String(length=100), nullable=True),
        sa.Column("dispositif", sa.String(length=40), nullable=True),
        sa.Column("recu_le", sa.DateTime(timezone=True), nullable=False),
        sa.Column("taille", sa.Integer(), nullable=False),
        sa.Column("charge", sa.LargeBinary(), nullable=True),
        sa.Column("statut", sa.String(length=20), nullable=False),
        sa.Column("traite_par", sa.String(length=100), nullable=True),
        sa.Column("traite_le", sa.DateTime(timezone=True), nullable=True),
        sa.Column("motif_traitement", sa.String(length=2000), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("origine"),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("rebut", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rebut_recu_le"), ["recu_le"], unique=False)
        batch_op.create_index("ix_rebut_statut_recu_le", ["statut", "recu_le"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("rebut", schema=None) as batch_op:
        batch_op.drop_index("ix_rebut_statut_recu_le")
        batch_op.drop_index(batch_op.f("ix_rebut_recu_le"))
    op.drop_table("rebut")
