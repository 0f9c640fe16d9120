"""audit hash chain (rang, empreinte_detail, empreinte_purge, precedent, empreinte) and the
signed daily digest table condensat_audit

The lines written before the chain are chained here, per dossier in the order (horodatage,
id): the chain attests them as they stood at this migration (docs/audit.md).

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from models.chaine_audit import (
    GENESE,
    ContenuLigne,
    empreinte_detail,
    empreinte_ligne,
    empreinte_purge,
)

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_AUDIT = sa.table(
    "audit",
    sa.column("id", sa.Integer()),
    sa.column("dossier", sa.String()),
    sa.column("cle_unique", sa.String()),
    sa.column("horodatage", sa.DateTime(timezone=True)),
    sa.column("nature", sa.String()),
    sa.column("type", sa.String()),
    sa.column("auteur", sa.String()),
    sa.column("evenement_source", sa.String()),
    sa.column("detail", sa.JSON()),
    sa.column("rang", sa.Integer()),
    sa.column("empreinte_detail", sa.String()),
    sa.column("empreinte_purge", sa.String()),
    sa.column("precedent", sa.String()),
    sa.column("empreinte", sa.String()),
)
_COLONNES = ("empreinte_detail", "empreinte_purge", "precedent", "empreinte")


def _chainer_lignes_existantes() -> None:
    connexion = op.get_bind()
    a = _AUDIT.c
    lignes = connexion.execute(
        sa.select(
            a.id,
            a.dossier,
            a.cle_unique,
            a.horodatage,
            a.nature,
            a.type,
            a.auteur,
            a.evenement_source,
            a.detail,
        ).order_by(a.dossier, a.horodatage, a.id)
    ).all()
    courant: str | None = None
    precedent = GENESE
    rang = 0
    lot: list[dict[str, Any]] = []
    for ligne in lignes:
        if ligne.dossier != courant:
            courant, precedent, rang = ligne.dossier, GENESE, 0
        rang += 1
        detail = ligne.detail or {}
        contenu = ContenuLigne(
            dossier=ligne.dossier,
            cle_unique=ligne.cle_unique,
            horodatage=ligne.horodatage,
            nature=ligne.nature,
            type=ligne.type,
            auteur=ligne.auteur,
            evenement_source=ligne.evenement_source,
            empreinte_detail=empreinte_detail(detail),
            empreinte_purge=empreinte_purge(detail),
        )
        empreinte = empreinte_ligne(precedent, contenu)
        lot.append(
            {
                "b_id": ligne.id,
                "rang": rang,
                "empreinte_detail": contenu.empreinte_detail,
                "empreinte_purge": contenu.empreinte_purge,
                "precedent": precedent,
                "empreinte": empreinte,
            }
        )
        precedent = empreinte
        if len(lot) >= 1000:
            _ecrire(connexion, lot)
            lot = []
    if lot:
        _ecrire(connexion, lot)


def _ecrire(connexion: sa.Connection, lot: list[dict[str, Any]]) -> None:
    a = _AUDIT.c
    connexion.execute(
        _AUDIT.update()
        .where(a.id == sa.bindparam("b_id"))
        .values(
            rang=sa.bindparam("rang"),
            **{nom: sa.bindparam(nom) for nom in _COLONNES},
        ),
        lot,
    )


def upgrade() -> None:
    with op.batch_alter_table("audit", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rang", sa.Integer(), nullable=True))
        for nom in _COLONNES:
            batch_op.add_column(sa.Column(nom, sa.String(length=64), nullable=True))
    _chainer_lignes_existantes()
    with op.batch_alter_table("audit", schema=None) as batch_op:
        batch_op.alter_column("rang", existing_type=sa.Integer(), nullable=False)
        for nom in _COLONNES:
            batch_op.alter_column(nom, existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint("uq_audit_dossier_rang", ["dossier", "rang"])
    op.create_table(
        "condensat_audit",
        sa.Column("jour", sa.Date(), nullable=False),
        sa.Column("cree_le", sa.DateTime(timezone=True), nullable=False),
        sa.Column("nombre_chaines", sa.Integer(), nullable=False),
        sa.Column("racine", sa.String(length=64), nullable=False),
        sa.Column("tetes", sa.JSON(), nullable=False),
        sa.Column("precedent", sa.String(length=64), nullable=False),
        sa.Column("cle_id", sa.String(length=16), nullable=False),
        sa.Column("signature", sa.String(length=100), nullable=False),
        sa.Column("publie_le", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("jour"),
    )


def downgrade() -> None:
    op.drop_table("condensat_audit")
    with op.batch_alter_table("audit", schema=None) as batch_op:
        batch_op.drop_constraint("uq_audit_dossier_rang", type_="unique")
        for nom in reversed(_COLONNES):
            batch_op.drop_column(nom)
        batch_op.drop_column("rang")
