"""CPGE competition-fee aid (seed 001; `rules/data/are/cpge.csv`)."""

from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from rules.are.commun import DONNEES, MotifCpge, _annee_inconnue, arrondi
from rules.are.forfaits import forfaits
from rules.reference import read_csv

# --- CPGE competition fees ----------------------------------------------------------------


@dataclass(frozen=True)
class ParametresCpge:
    annee_scolaire: str
    annee_cpge: int
    forfait_par_concours: Decimal
    nombre_max_concours: int
    plafond_quotient_familial: Decimal
    acte: str


@cache
def annees_cpge() -> tuple[str, ...]:
    return tuple(r["annee_scolaire"] for r in read_csv(DONNEES, "cpge.csv"))


def parametres_cpge(annee_scolaire: str) -> ParametresCpge:
    """CPGE competition-fee aid parameters (`cpge.csv`, rate from `forfaits.csv`)."""
    for r in read_csv(DONNEES, "cpge.csv"):
        if r["annee_scolaire"] == annee_scolaire:
            forfait = forfaits(annee_scolaire).cpge_concours
            if forfait is None:  # pragma: no cover - data consistency, checked by a test
                raise ValueError(f"pas de forfait CPGE pour {annee_scolaire}")
            return ParametresCpge(
                annee_scolaire=annee_scolaire,
                annee_cpge=int(r["annee_cpge"]),
                forfait_par_concours=forfait,
                nombre_max_concours=int(r["nombre_max_concours"]),
                plafond_quotient_familial=Decimal(r["plafond_quotient_familial"]),
                acte=r["acte"],
            )
    raise ValueError(_annee_inconnue(annee_scolaire, dict.fromkeys(annees_cpge())))


@dataclass(frozen=True)
class AideCpge:
    eligible: bool
    forfait_par_concours: Decimal
    concours_retenus: int
    montant: Decimal
    motifs: tuple[MotifCpge, ...]


def aide_frais_concours(
    annee_scolaire: str, *, annee_cpge: int, quotient_familial: Decimal, nombre_concours: int
) -> AideCpge:
    """Aid to CPGE competition fees: 308 EUR per competition, at most three, for a pupil in
    2nd year of CPGE whose annual regional family quotient is at most 10 140 EUR (included).

    Seed 001, arrêté 2023-087 annexe I § 3. The quotient is computed elsewhere (the text's
    note 2 defining it is not in the seed) and passed in.
    """
    p = parametres_cpge(annee_scolaire)
    if nombre_concours < 0:
        raise ValueError(f"nombre_concours ({nombre_concours}) ne peut pas être négatif")
    motifs: list[MotifCpge] = []
    if annee_cpge != p.annee_cpge:
        motifs.append(MotifCpge.PAS_EN_DEUXIEME_ANNEE)
    if quotient_familial > p.plafond_quotient_familial:
        motifs.append(MotifCpge.QUOTIENT_FAMILIAL_SUPERIEUR_AU_PLAFOND)
    if nombre_concours == 0:
        motifs.append(MotifCpge.AUCUN_CONCOURS)
    eligible = not motifs
    retenus = min(nombre_concours, p.nombre_max_concours) if eligible else 0
    if eligible and nombre_concours > p.nombre_max_concours:
        motifs.append(MotifCpge.CONCOURS_PLAFONNES)
    return AideCpge(
        eligible=eligible,
        forfait_par_concours=p.forfait_par_concours,
        concours_retenus=retenus,
        montant=arrondi(retenus * p.forfait_par_concours),
        motifs=tuple(motifs),
    )
