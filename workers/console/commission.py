"""The ARE commission permanente's table, computed from the campaign's state (pure): what the
campaign page shows and its CSV export."""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from models import libelles
from models.are import EtatCampagne


@dataclass(frozen=True)
class LigneTable:
    uai: str
    dotation_pre_bac: Decimal
    dotation_post_bac: Decimal
    reliquats_pre_bac: Decimal
    reliquats_post_bac: Decimal
    total: Decimal
    motifs: str
    bilan_n1: str = ""
    """`manquant`, `depose_en_retard` or empty: the N-1 report as the table computed it."""


@dataclass(frozen=True)
class TableCommissionVue:
    version: int
    version_regle: str
    lignes: list[LigneTable]
    brut: Mapping[str, Decimal]
    reliquats: Mapping[str, Decimal]
    dotation: Mapping[str, Decimal]
    total: Decimal
    vote: str | None


def table_commission(etat: EtatCampagne) -> TableCommissionVue | None:
    """The commission permanente's table from the campaign's state: one line per school with
    its allocation per envelope (never merged) and the totals per envelope."""
    calcul = etat.calcul
    if calcul is None:
        return None
    lignes = [
        LigneTable(
            uai=d.uai,
            dotation_pre_bac=d.dotation.pre_bac,
            dotation_post_bac=d.dotation.post_bac,
            reliquats_pre_bac=d.reliquats.pre_bac,
            reliquats_post_bac=d.reliquats.post_bac,
            total=d.dotation.total,
            motifs="; ".join(d.motifs),
            bilan_n1=d.bilan_n1.situation.value if d.bilan_n1 else "",
        )
        for d in sorted(calcul.dotations, key=lambda d: d.uai)
    ]
    vote = None
    if etat.vote:
        vote = (
            f"votée le {etat.vote.date_vote:%d/%m/%Y} ({etat.vote.deliberation}, "
            f"table v{etat.vote.version_table}, par {etat.vote.auteur})"
        )
    return TableCommissionVue(
        version=calcul.version,
        version_regle=calcul.version_regle,
        lignes=lignes,
        brut={"pre_bac": calcul.brut.pre_bac, "post_bac": calcul.brut.post_bac},
        reliquats={"pre_bac": calcul.reliquats.pre_bac, "post_bac": calcul.reliquats.post_bac},
        dotation={"pre_bac": calcul.dotation.pre_bac, "post_bac": calcul.dotation.post_bac},
        total=calcul.dotation.total,
        vote=vote,
    )


def restreindre(table: TableCommissionVue, uais: set[str]) -> TableCommissionVue:
    """The table limited to `uais`, its totals those of the lines kept (a filtered export)."""
    lignes = [ligne for ligne in table.lignes if ligne.uai in uais]

    def somme(attribut: str) -> Decimal:
        return sum((getattr(ligne, attribut) for ligne in lignes), Decimal("0.00"))

    return TableCommissionVue(
        version=table.version,
        version_regle=table.version_regle,
        lignes=lignes,
        brut={},
        reliquats={"pre_bac": somme("reliquats_pre_bac"), "post_bac": somme("reliquats_post_bac")},
        dotation={"pre_bac": somme("dotation_pre_bac"), "post_bac": somme("dotation_post_bac")},
        total=somme("total"),
        vote=table.vote,
    )


def table_csv(table: TableCommissionVue) -> list[list[str]]:
    """The table as CSV rows (header: the catalogue's labels; amounts with a point, two
    decimals), totals last; the N-1 report (`manquant`, `depose_en_retard`) in the last
    column."""
    lignes = [
        [
            libelles.libelle_champ(c)
            for c in (
                "uai",
                "dotation_pre_bac",
                "dotation_post_bac",
                "reliquats_pre_bac",
                "reliquats_post_bac",
                "total",
                "motifs",
                "bilan_n1",
            )
        ]
    ]
    lignes += [
        [
            ligne.uai,
            f"{ligne.dotation_pre_bac:.2f}",
            f"{ligne.dotation_post_bac:.2f}",
            f"{ligne.reliquats_pre_bac:.2f}",
            f"{ligne.reliquats_post_bac:.2f}",
            f"{ligne.total:.2f}",
            ligne.motifs,
            ligne.bilan_n1,
        ]
        for ligne in table.lignes
    ]
    lignes.append(
        [
            "TOTAL",
            f"{table.dotation['pre_bac']:.2f}",
            f"{table.dotation['post_bac']:.2f}",
            f"{table.reliquats['pre_bac']:.2f}",
            f"{table.reliquats['post_bac']:.2f}",
            f"{table.total:.2f}",
            f"table v{table.version}, règles {table.version_regle}",
            "",
        ]
    )
    return lignes
