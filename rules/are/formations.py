"""Formations and specialties (both seeds, « Les formations éligibles », Annexe 1 and the
2023-2024 list; `rules/data/are/specialites.csv`, `formations_<année>.csv`)."""

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from rules.are.commun import (
    _CODE_DIPLOME,
    CODE_PREPA_METIERS,
    DONNEES,
    SPECIALITE_FORMATIONS_GENERALES,
    Enveloppe,
    MotifLigne,
    _debut,
    version_regle,
)
from rules.reference import read_csv

# --- formations and specialties -----------------------------------------------------------


def code_diplome_valide(code_diplome: str) -> bool:
    return _CODE_DIPLOME.fullmatch(code_diplome) is not None


def specialite(code_diplome: str) -> int:
    """NSF specialty: digits 4 to 6 of the 8-digit diploma code (both seeds' annex lists:
    the « Spécialité » column is always those digits, e.g. 40025510 → 255)."""
    if not code_diplome_valide(code_diplome):
        raise ValueError(f"code_diplome « {code_diplome} » invalide : 8 chiffres attendus")
    return int(code_diplome[3:6])


def niveau(code_diplome: str) -> Enveloppe | None:
    """Level from the code's first digit (issue reading, matching both annex lists' « Niveau
    regroupement » column): 1-3 post-bac, 4-6 pre-bac (6 = 3e prépa-métiers, « Infra V »);
    any other digit is outside the scheme (None)."""
    if not code_diplome_valide(code_diplome):
        raise ValueError(f"code_diplome « {code_diplome} » invalide : 8 chiffres attendus")
    premier = int(code_diplome[0])
    if 1 <= premier <= 3:
        return Enveloppe.POST_BAC
    if 4 <= premier <= 6:
        return Enveloppe.PRE_BAC
    return None


@dataclass(frozen=True)
class PlageSpecialites:
    specialite_min: int
    specialite_max: int
    premiere_annee: str
    derniere_annee: str | None
    code_diplome_requis: str | None
    libelle: str
    source: str

    def couvre(self, specialite: int, annee_scolaire: str, code_diplome: str) -> bool:
        debut = _debut(annee_scolaire)
        return (
            self.specialite_min <= specialite <= self.specialite_max
            and _debut(self.premiere_annee) <= debut
            and (self.derniere_annee is None or debut <= _debut(self.derniere_annee))
            and (self.code_diplome_requis is None or code_diplome == self.code_diplome_requis)
        )


@cache
def plages_specialites() -> tuple[PlageSpecialites, ...]:
    """Eligible NSF specialties and the years they apply (`specialites.csv`): both seeds,
    « Les formations éligibles » sections 1 to 3; 344 only from 2023-2024 (seed 001)."""
    return tuple(
        PlageSpecialites(
            specialite_min=int(r["specialite_min"]),
            specialite_max=int(r["specialite_max"]),
            premiere_annee=r["premiere_annee"],
            derniere_annee=r["derniere_annee"] or None,
            code_diplome_requis=r["code_diplome_requis"] or None,
            libelle=r["libelle"],
            source=r["source"],
        )
        for r in read_csv(DONNEES, "specialites.csv")
    )


def specialite_eligible(code_diplome: str, annee_scolaire: str) -> bool:
    """Is the formation's NSF specialty eligible that school year?

    Both seeds, « Les formations éligibles »: 100 (only 3e prépa-métiers, code 67010031),
    134, 200-259 (all production groups 20 to 25), 311, 312, 321, 322, 323, 330, 331, 334,
    336, 343; seed 001 adds 344 for 2023-2024.
    """
    spec = specialite(code_diplome)
    return any(p.couvre(spec, annee_scolaire, code_diplome) for p in plages_specialites())


@dataclass(frozen=True)
class Formation:
    """A row of a yearly annex list (indicative reference: label, level)."""

    annee_scolaire: str
    niveau: str
    niveau_regroupement: int
    specialite: int
    code_diplome: str
    type_diplome: str
    libelle: str
    source: str


@cache
def formations(annee_scolaire: str) -> Mapping[str, Formation]:
    """The year's annex list by diploma code: seed 000 Annexe 1 (2021-2022), seed 001 « Liste
    des formations relevant des spécialités éligibles » (2023-2024)."""
    version_regle(annee_scolaire)
    return {
        r["code_diplome"]: Formation(
            annee_scolaire=r["annee_scolaire"],
            niveau=r["niveau"],
            niveau_regroupement=int(r["niveau_regroupement"]),
            specialite=int(r["specialite"]),
            code_diplome=r["code_diplome"],
            type_diplome=r["type_diplome"],
            libelle=r["libelle"],
            source=r["source"],
        )
        for r in read_csv(DONNEES, f"formations_{annee_scolaire}.csv")
    }


@dataclass(frozen=True)
class QualificationFormation:
    code_diplome: str
    specialite: int
    niveau: Enveloppe | None
    eligible: bool
    hors_liste: bool
    prepa_metiers: bool
    motif: MotifLigne | None
    formation: Formation | None


def qualifier_formation(code_diplome: str, annee_scolaire: str) -> QualificationFormation:
    """Eligibility of one formation for a school year.

    The specialty decides (both seeds, « Les formations éligibles »); the yearly annex is
    indicative (seed 001: « annexée à titre indicatif »): a code absent from it is decided by
    its specialty and flagged `hors_liste` for review. A listed code whose specialty is not
    eligible that year stays ineligible (the 2021-2022 annex lists two specialty-344 codes,
    40034403 and 50034405, which the 2021-2022 specialty list does not include).
    """
    niv = niveau(code_diplome)
    spec = specialite(code_diplome)
    listee = formations(annee_scolaire).get(code_diplome)
    motif: MotifLigne | None = None
    if niv is None:
        motif = MotifLigne.NIVEAU_HORS_CHAMP
    elif not specialite_eligible(code_diplome, annee_scolaire):
        motif = (
            MotifLigne.SPECIALITE_100_HORS_PREPA_METIERS
            if spec == SPECIALITE_FORMATIONS_GENERALES
            else MotifLigne.SPECIALITE_NON_ELIGIBLE
        )
    return QualificationFormation(
        code_diplome=code_diplome,
        specialite=spec,
        niveau=niv,
        eligible=motif is None,
        hors_liste=listee is None,
        prepa_metiers=code_diplome == CODE_PREPA_METIERS,
        motif=motif,
        formation=listee,
    )
