"""Reference data (`rules/data/exapro/`, extracted from the seed's lists), read by
`referentiel()` on the first call and kept for the life of the process."""

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from rules.exapro.champs import Examen
from rules.reference import read_csv


@dataclass(frozen=True, slots=True)
class Specialite:
    examen: Examen
    code: str
    libelle: str
    premiere_session: int | None
    derniere_session: int | None


@dataclass(frozen=True)
class Referentiel:
    departements: frozenset[str]
    pays: frozenset[str]
    pays_residence: frozenset[str]
    categories_socio_pro: frozenset[str]
    categories: Mapping[Examen, frozenset[str]]
    categories_scolaires: Mapping[Examen, frozenset[str]]
    enseignements: Mapping[Examen, Mapping[str, str]]
    """Per exam: option code -> the one specialty it is for ('' = any specialty)."""
    langues: frozenset[str]
    specialites: Mapping[Examen, Mapping[str, Specialite]]


def _annee(texte: str) -> int | None:
    return int(texte) if texte else None


@cache
def referentiel() -> Referentiel:
    """The code lists of seed 002, read once from `rules/data/exapro/`."""
    pays = read_csv("exapro", "pays.csv")
    categories = read_csv("exapro", "categories_candidat.csv")
    enseignements = read_csv("exapro", "enseignements.csv")
    specialites: dict[Examen, dict[str, Specialite]] = {e: {} for e in Examen}
    for row in read_csv("exapro", "specialites.csv"):
        examen = Examen(row["examen"])
        specialites[examen][row["code"]] = Specialite(
            examen,
            row["code"],
            row["libelle"],
            _annee(row["premiere_session"]),
            _annee(row["derniere_session"]),
        )
    return Referentiel(
        departements=frozenset(r["code"] for r in read_csv("exapro", "departements.csv")),
        pays=frozenset(r["code"] for r in pays),
        pays_residence=frozenset(r["code"] for r in pays if r["residence"] == "oui"),
        categories_socio_pro=frozenset(
            r["code"] for r in read_csv("exapro", "categories_socio_professionnelles.csv")
        ),
        categories={
            e: frozenset(r["code"] for r in categories if r["examen"] == e) for e in Examen
        },
        categories_scolaires={
            e: frozenset(
                r["code"] for r in categories if r["examen"] == e and r["scolaire"] == "oui"
            )
            for e in Examen
        },
        enseignements={
            e: {r["code"]: r["specialite"] for r in enseignements if r["examen"] == e}
            for e in Examen
        },
        langues=frozenset(r["code"] for r in read_csv("exapro", "langues_section_euro.csv")),
        specialites=specialites,
    )
