"""The ARE formation lists and other reference data, checked against the seeds.

Row counts were made on the seeds: every tab-separated line of the annex table whose first
column is a level (« POST BAC », « PRE BAC », « Infra V. »), page headers excluded —
000_1a6800f97ad826db.txt: 242 rows (its last line, 3e prépa-métiers, has no final newline);
001_d4a38141b0b7da2a.txt: 222 rows.
"""

import pytest

from rules import are
from rules.are import Enveloppe
from rules.reference import read_csv

ANNEES = ["2021-2022", "2023-2024"]


@pytest.mark.parametrize(("annee", "lignes"), [("2021-2022", 242), ("2023-2024", 222)])
def test_every_row_of_the_annex_list_is_there(annee: str, lignes: int) -> None:
    assert len(read_csv("are", f"formations_{annee}.csv")) == lignes
    assert len(are.formations(annee)) == lignes  # no code twice


@pytest.mark.parametrize(
    ("annee", "niveau", "post_bac"), [("2021-2022", 165, 77), ("2023-2024", 146, 76)]
)
def test_annex_rows_per_level(annee: str, niveau: int, post_bac: int) -> None:
    codes = are.formations(annee)
    assert sum(are.niveau(c) is Enveloppe.PRE_BAC for c in codes) == niveau
    assert sum(are.niveau(c) is Enveloppe.POST_BAC for c in codes) == post_bac


SPOT_CHECKS = [
    (
        "2021-2022",
        "14022001",
        "POST BAC",
        220,
        "DIPLÔME SUPERIEUR DES ARTS APPLIQUES",
        "DESIGN (DSAA)",
    ),
    (
        "2021-2022",
        "32233109",
        "POST BAC",
        331,
        "BREVET DE TECHNICIEN SUPERIEUR",
        "IMAGERIE MEDICALE ET RADIOLOGIE THERAPEUTIQUE"
        " (DIPLOME DE TECHNICIEN SUPERIEUR EN) - (DTS)",
    ),
    (
        "2021-2022",
        "50031117",
        "PRE BAC",
        311,
        "CERTIFICAT D'APTITUDE PROFESSIONNELLE",
        'CONDUCTEUR ROUTIER "MARCHANDISES" (CAP)',
    ),
    (
        "2021-2022",
        "56033102",
        "PRE BAC",
        331,
        "PREPARATION DIVERSE PRE-BAC (DE NIV V)",
        "AIDE-SOIGNANT (DIPLÔME D'ETAT)",
    ),
    ("2021-2022", "67010031", "INFRA V.", 100, "3EME", "3EME PREPA-METIERS"),
    (
        "2021-2022",
        "50034405",
        "PRE BAC",
        344,
        "CERTIFICAT D'APTITUDE PROFESSIONNELLE",
        "AGENT DE SECURITE (CAP)",
    ),
    ("2023-2024", "67010031", "Infra V.", 100, "3EME", "3EME PREPA-METIERS"),
    (
        "2023-2024",
        "50024240",
        "PRE BAC",
        242,
        "CERTIFICAT D'APTITUDE PROFESSIONNELLE",
        "METIERS DE LA MODE-VÊTEMENT FLOU (CAP)",
    ),
    (
        "2023-2024",
        "50025439",
        "PRE BAC",
        254,
        "CERTIFICAT D'APTITUDE PROFESSIONNELLE",
        "METALLIER (CAP)",
    ),
    (
        "2023-2024",
        "40034403",
        "PRE BAC",
        344,
        "BACCALAUREAT PROFESSIONNEL",
        "METIERS DE LA SECURITE (BAC PRO)",
    ),
    (
        "2023-2024",
        "32034401",
        "POST BAC",
        344,
        "BREVET DE TECHNICIEN SUPERIEUR",
        "MANAGEMENT OPERATIONNEL DE LA SECURITE (BTS)",
    ),
    (
        "2023-2024",
        "14022001",
        "POST BAC",
        220,
        "DIPLOME SUPERIEUR DES ARTS APPLIQUES",
        "DESIGN (DSAA)",
    ),
]


@pytest.mark.parametrize("attendu", SPOT_CHECKS, ids=lambda t: f"{t[0]}-{t[1]}")
def test_spot_checks_of_annex_rows(attendu: tuple[str, str, str, int, str, str]) -> None:
    annee, code, *colonnes = attendu
    f = are.formations(annee)[code]
    assert [f.niveau, f.specialite, f.type_diplome, f.libelle] == colonnes


@pytest.mark.parametrize(
    ("annee", "code", "ligne"),
    [
        ("2021-2022", "14022001", 153),
        ("2021-2022", "67010031", 404),
        ("2023-2024", "67010031", 249),
        ("2023-2024", "14022001", 486),
    ],
)
def test_each_row_cites_its_seed_line(annee: str, code: str, ligne: int) -> None:
    source = are.formations(annee)[code].source
    seed = "000_1a6800f97ad826db.txt" if annee == "2021-2022" else "001_d4a38141b0b7da2a.txt"
    assert source.startswith(seed)
    assert source.endswith(f"l.{ligne}")


@pytest.mark.parametrize(
    ("annee", "present", "absent"),
    [
        ("2021-2022", "40025510", "40020103"),
        ("2023-2024", "40020103", "40025510"),
        ("2021-2022", "32033001", "32033002"),
        ("2023-2024", "32033002", "32033001"),
    ],
)
def test_the_lists_differ_between_years(annee: str, present: str, absent: str) -> None:
    assert present in are.formations(annee)
    assert absent not in are.formations(annee)


@pytest.mark.parametrize("annee", ANNEES)
def test_every_annex_specialty_is_digits_four_to_six_of_its_code(annee: str) -> None:
    for code, f in are.formations(annee).items():
        assert f.specialite == are.specialite(code), code


@pytest.mark.parametrize("annee", ANNEES)
def test_every_annex_level_agrees_with_the_first_digit_of_its_code(annee: str) -> None:
    for code, f in are.formations(annee).items():
        attendu = Enveloppe.POST_BAC if f.niveau == "POST BAC" else Enveloppe.PRE_BAC
        assert are.niveau(code) is attendu, code
        assert f.niveau_regroupement == int(code[0]), code


def test_every_2023_2024_annex_row_is_eligible_by_its_specialty() -> None:
    refuses = [
        c
        for c in are.formations("2023-2024")
        if not are.qualifier_formation(c, "2023-2024").eligible
    ]
    assert refuses == []


def test_only_the_two_specialty_344_rows_of_the_2021_2022_annex_are_ineligible() -> None:
    refuses = [
        c
        for c in are.formations("2021-2022")
        if not are.qualifier_formation(c, "2021-2022").eligible
    ]
    assert refuses == ["40034403", "50034405"]


@pytest.mark.parametrize(
    "fichier",
    [
        "formations_2021-2022.csv",
        "formations_2023-2024.csv",
        "forfaits.csv",
        "ipc.csv",
        "indexations.csv",
        "specialites.csv",
        "cpge.csv",
        "types_equipement.csv",
    ],
)
def test_every_reference_row_cites_a_seed(fichier: str) -> None:
    lignes = read_csv("are", fichier)
    assert lignes
    for ligne in lignes:
        assert ligne["source"].startswith(("000_", "001_")), ligne
        assert ".txt" in ligne["source"], ligne


def test_index_values_are_those_of_arrete_2023_087() -> None:
    assert are.ipc("2021-12") == are.ipc("2021-12", "001763862")
    assert str(are.ipc("2021-12")) == "107.4"
    assert str(are.ipc("2022-12")) == "114.18"
    with pytest.raises(ValueError, match="2020-12"):
        are.ipc("2020-12")


def test_every_supported_year_has_a_list_and_both_rates() -> None:
    for annee in are.VERSIONS_REGLE:
        f = are.forfaits(annee)
        assert f.standard > f.prepa_metiers > 0
        assert not f.deduit
        assert are.formations(annee)
