"""Flat rates and their indexation (`rules/data/are/forfaits.csv`, `ipc.csv`,
`indexations.csv`; seed 001, arrêté 2023-087)."""

from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from rules.are.commun import DONNEES, UN_EURO, _annee_inconnue, arrondi
from rules.reference import read_csv

# --- flat rates and indexation ------------------------------------------------------------


@dataclass(frozen=True)
class Forfaits:
    """Flat rates of a school year, in euros, and the act that set them."""

    annee_scolaire: str
    standard: Decimal
    prepa_metiers: Decimal
    cpge_concours: Decimal | None
    acte: str
    deduit: bool


@cache
def forfaits(annee_scolaire: str) -> Forfaits:
    """Rates of a school year (`forfaits.csv`).

    2021-2022: 138 EUR (first-year CAP / bac techno / bac pro, post-bac scholarship holders)
    and 50 EUR (3e prépa-métiers), seed 000 « Montants de l'aide ». 2023-2024: 151 / 54 EUR
    and 308 EUR per CPGE competition, seed 001 arrêté 2023-087 annexe I §§ 2-3. 2022-2023
    (142 / 51 / 290) is not in the seeds: it is deduced as the only whole-euro rates that the
    arrêté's +6.31 % turns into 151 / 54 / 308 (`deduit` is True).
    """
    lignes = [r for r in read_csv(DONNEES, "forfaits.csv") if r["annee_scolaire"] == annee_scolaire]
    if not lignes:
        connues = {r["annee_scolaire"]: None for r in read_csv(DONNEES, "forfaits.csv")}
        raise ValueError(_annee_inconnue(annee_scolaire, connues))
    montants = {r["aide"]: Decimal(r["montant"]) for r in lignes}
    return Forfaits(
        annee_scolaire=annee_scolaire,
        standard=montants["standard"],
        prepa_metiers=montants["prepa_metiers"],
        cpge_concours=montants.get("cpge_concours"),
        acte=lignes[0]["acte"],
        deduit=any(r["nature"] == "deduit" for r in lignes),
    )


def ipc(mois: str, serie: str = "001763862") -> Decimal:
    """Consumer price index value of a month (« AAAA-MM ») as published in an arrêté
    (`ipc.csv`; seed 001, arrêté 2023-087 annexe I § 1)."""
    for r in read_csv(DONNEES, "ipc.csv"):
        if r["serie"] == serie and r["mois"] == mois:
            return Decimal(r["valeur"])
    raise ValueError(f"indice des prix {serie} de {mois} absent des données de référence")


def evolution_indice(ipc_decembre_n_1: Decimal, ipc_decembre_n_2: Decimal) -> Decimal:
    """December-to-December index change in percent, rounded half up to 2 decimals.

    Seed 001, arrêté 2023-087 annexe I § 1: « ((114,18/107,4) - 1) * 100 = 6,31 % ».
    """
    if ipc_decembre_n_1 <= 0 or ipc_decembre_n_2 <= 0:
        raise ValueError("les indices des prix doivent être strictement positifs")
    return arrondi((ipc_decembre_n_1 / ipc_decembre_n_2 - 1) * 100)


def forfait_indexe(precedent: Decimal, evolution_pct: Decimal) -> Decimal:
    """Next year's rate: last year's x (1 + change %), rounded half up to the euro; a negative
    change keeps last year's rate (both seeds, « Montants de l'aide »: « En cas d'indice
    négatif, les montants de l'aide de l'année précédente seront reconduits »)."""
    if evolution_pct < 0:
        return precedent
    return arrondi(precedent * (1 + evolution_pct / 100), UN_EURO)


@dataclass(frozen=True)
class Indexation:
    """An indexation act: the index values it used and the change it published."""

    annee_scolaire: str
    acte: str
    date_acte: str
    annee_precedente: str
    ipc_decembre_n_1: Decimal
    ipc_decembre_n_2: Decimal
    evolution_pct_publiee: Decimal


def indexation(annee_scolaire: str) -> Indexation:
    """The act that indexed that year's rates (`indexations.csv`)."""
    for r in read_csv(DONNEES, "indexations.csv"):
        if r["annee_scolaire"] == annee_scolaire:
            return Indexation(
                annee_scolaire=annee_scolaire,
                acte=r["acte"],
                date_acte=r["date_acte"],
                annee_precedente=r["annee_precedente"],
                ipc_decembre_n_1=ipc(r["ipc_mois_n_1"]),
                ipc_decembre_n_2=ipc(r["ipc_mois_n_2"]),
                evolution_pct_publiee=Decimal(r["evolution_pct_publiee"]),
            )
    raise ValueError(f"aucun arrêté d'indexation connu pour l'année scolaire {annee_scolaire}")
