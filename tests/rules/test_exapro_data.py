"""The EXAPRO reference data extracted from seed 002 (counts checked against the seed's lists)."""

from collections import Counter

import pytest

from rules.exapro import Examen, referentiel
from rules.reference import read_csv

SEED = "002_2091265ecbf7751f.txt"


@pytest.mark.parametrize(
    ("fichier", "lignes"),
    [
        ("departements.csv", 110),
        ("pays.csv", 214),
        ("categories_socio_professionnelles.csv", 44),
        ("categories_candidat.csv", 78),
        ("enseignements.csv", 11),
        ("langues_section_euro.csv", 12),
        ("specialites.csv", 489),
    ],
)
def test_each_reference_file_has_the_rows_of_the_seed(fichier: str, lignes: int) -> None:
    rows = read_csv("exapro", fichier)
    assert len(rows) == lignes
    assert all(row["source"].startswith(SEED) for row in rows)


def test_departments_are_96_metropolitan_and_14_overseas_codes() -> None:
    codes = [r["code"] for r in read_csv("exapro", "departements.csv")]
    assert len(set(codes)) == len(codes)
    assert {"001", "02A", "02B", "095", "971", "976", "985", "989"} <= set(codes)
    assert "020" not in codes
    assert sum(code.startswith("9") and code >= "971" for code in codes) == 14


def test_countries_are_the_213_cog_codes_plus_aut_which_is_not_a_residence() -> None:
    rows = {r["code"]: r for r in read_csv("exapro", "pays.csv")}
    assert len(rows) == 214
    assert rows["100"]["libelle"] == "FRANCE"
    assert rows["AUT"]["residence"] == "non"
    assert sum(r["residence"] == "oui" for r in rows.values()) == 213
    ref = referentiel()
    assert "AUT" in ref.pays
    assert "AUT" not in ref.pays_residence


def test_socio_professional_categories_run_from_10_to_99() -> None:
    codes = [r["code"] for r in read_csv("exapro", "categories_socio_professionnelles.csv")]
    assert codes[0] == "10"
    assert codes[-1] == "99"
    assert {"42", "43", "44", "75", "77"} <= set(codes)


@pytest.mark.parametrize(
    ("examen", "nombre"),
    [
        (Examen.BCP, 18),
        (Examen.BP, 10),
        (Examen.MC3, 13),
        (Examen.MC4, 13),
        (Examen.ARI, 3),
        (Examen.CAP, 21),
    ],
)
def test_candidate_categories_per_exam_match_the_seed(examen: Examen, nombre: int) -> None:
    assert len(referentiel().categories[examen]) == nombre


def test_school_candidates_are_the_categories_labelled_scolaire_and_the_cap_school_cases() -> None:
    ref = referentiel()
    assert ref.categories_scolaires[Examen.BCP] == {"131", "132", "133", "230"}
    assert ref.categories_scolaires[Examen.BP] == frozenset()
    assert ref.categories_scolaires[Examen.MC3] == {"110", "230"}
    assert ref.categories_scolaires[Examen.CAP] == {
        "121",
        "122",
        "123",
        "124",
        "125",
        "126",
        "127",
        "230",
    }
    assert "581" not in ref.categories_scolaires[Examen.BCP]


def test_teaching_options_belong_to_their_exam_and_specialty() -> None:
    ref = referentiel()
    assert ref.enseignements[Examen.BCP] == {"EURO": "", "DOMSECINC": "", "DOMSECPUB": ""}
    assert ref.enseignements[Examen.MC4] == {"DOMACTPHY": "33501", "DOMACTAQU": "33501"}
    assert ref.enseignements[Examen.CAP] == {
        "ASSMAT1": "33205",
        "EMPDOM1": "33205",
        "AUTRE1": "33205",
        "ASSMAT2": "3320M",
        "EMPDOM2": "3320M",
        "AUTRE2": "3320M",
    }
    for examen in (Examen.BP, Examen.MC3, Examen.ARI):
        assert ref.enseignements[examen] == {}


def test_european_section_languages_are_the_twelve_euro_codes() -> None:
    langues = referentiel().langues
    assert len(langues) == 12
    assert all(code.startswith("EURO") and len(code) == 7 for code in langues)


def test_specialties_per_exam_match_the_seed_lists() -> None:
    rows = read_csv("exapro", "specialites.csv")
    assert Counter(r["examen"] for r in rows) == {
        "BCP": 111,
        "BP": 47,
        "MC3": 30,
        "MC4": 37,
        "ARI": 97,
        "CAP": 167,
    }
    assert len({(r["examen"], r["code"]) for r in rows}) == len(rows)


def test_the_eight_bcp_specialties_new_in_2024_open_that_session() -> None:
    bcp = referentiel().specialites[Examen.BCP]
    nouvelles = {"22707", "25012", "22706", "24005", "24006", "25517", "25013", "25014"}
    assert {c for c, s in bcp.items() if s.premiere_session == 2024} == nouvelles


@pytest.mark.parametrize(
    ("examen", "fermees"),
    [
        (Examen.BP, {"31206", "24005"}),
        (Examen.MC3, {"25507", "25207", "22106", "22701", "23302", "23202", "24202"}),
        (Examen.MC4, {"31102"}),
        (Examen.ARI, {"33003", "33004", "33603", "20002"}),
    ],
)
def test_specialties_closed_for_the_2024_session_have_2023_as_last_session(
    examen: Examen, fermees: set[str]
) -> None:
    specialites = referentiel().specialites[examen]
    assert {c for c, s in specialites.items() if s.derniere_session == 2023} == fermees


def test_the_cap_specialty_new_in_2024_is_31124_and_catch_up_sessions_end_in_2023() -> None:
    cap = referentiel().specialites[Examen.CAP]
    assert cap["31124"].premiere_session == 2024
    assert cap["23440"].derniere_session == 2023
    assert cap["23428"].derniere_session == 2023
    assert cap["3320M"].premiere_session is None


def test_session_annotations_are_removed_from_labels() -> None:
    rows = read_csv("exapro", "specialites.csv")
    assert not any("session" in r["libelle"] or "^{" in r["libelle"] for r in rows)
    bcp = referentiel().specialites[Examen.BCP]
    assert bcp["31210"].libelle == "Accueil - Relation clients et usagers"
    assert bcp["31210"].derniere_session == 2021
