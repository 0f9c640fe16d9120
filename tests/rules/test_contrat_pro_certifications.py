"""The annex list of priority certifications extracted from seed 003 (`certifications.csv`)."""

from collections import Counter
from datetime import date

import pytest

from rules.contrat_pro import FICHIER_CERTIFICATIONS, certifications_en_vigueur
from rules.reference import read_csv

LIGNES = read_csv(*FICHIER_CERTIFICATIONS)


def _ligne(colonne: str, code: str) -> dict[str, str]:
    trouvees = [ligne for ligne in LIGNES if ligne[colonne] == code]
    assert len(trouvees) == 1
    return trouvees[0]


def test_the_list_has_the_425_rows_of_the_annex() -> None:
    assert len(LIGNES) == 425


def test_the_file_has_the_expected_columns() -> None:
    assert list(LIGNES[0]) == [
        "intitule",
        "niveau_rncp",
        "code_rncp",
        "code_certifinfo",
        "secteurs",
        "valide_du",
        "valide_au",
        "source",
    ]


def test_every_row_has_exactly_one_code_rncp_or_certifinfo_made_of_digits() -> None:
    for ligne in LIGNES:
        codes = [c for c in (ligne["code_rncp"], ligne["code_certifinfo"]) if c]
        assert len(codes) == 1, ligne
        assert codes[0].isdigit(), ligne


def test_no_code_appears_twice() -> None:
    rncp = Counter(ligne["code_rncp"] for ligne in LIGNES if ligne["code_rncp"])
    certifinfo = Counter(ligne["code_certifinfo"] for ligne in LIGNES if ligne["code_certifinfo"])
    assert rncp.most_common(1)[0][1] == 1
    assert certifinfo.most_common(1)[0][1] == 1
    assert sum(rncp.values()) == 387
    assert sum(certifinfo.values()) == 38


def test_the_page_headers_repeated_inside_the_table_are_not_rows() -> None:
    assert not [ligne for ligne in LIGNES if ligne["intitule"].startswith("Intitulé")]


def test_levels_are_3_to_7_and_missing_only_for_certifinfo_cqps() -> None:
    niveaux = Counter(ligne["niveau_rncp"] for ligne in LIGNES)
    assert niveaux == Counter({"3": 126, "4": 144, "5": 99, "6": 13, "7": 5, "": 38})
    assert all(ligne["code_certifinfo"] for ligne in LIGNES if not ligne["niveau_rncp"])


def test_every_row_is_in_force_from_1_april_2024_without_end() -> None:
    assert {(ligne["valide_du"], ligne["valide_au"]) for ligne in LIGNES} == {("2024-04-01", "")}


def test_every_row_cites_the_seed_file_and_its_line() -> None:
    for ligne in LIGNES:
        assert ligne["source"].startswith("003_78a5ddbbdc7b9add.txt, annexe"), ligne
    lignes_du_seed = [int(ligne["source"].rsplit(" ", 1)[1]) for ligne in LIGNES]
    assert lignes_du_seed == sorted(set(lignes_du_seed))
    assert (lignes_du_seed[0], lignes_du_seed[-1]) == (139, 581)


def test_the_table_spans_ten_pages() -> None:
    assert LIGNES[0]["source"].endswith("page 1 du tableau, ligne 139")
    assert LIGNES[-1]["source"].endswith("page 10 du tableau, ligne 581")


@pytest.mark.parametrize(
    ("colonne", "code", "intitule", "niveau", "secteurs"),
    [
        (
            "code_rncp",
            "37443",
            "TITRE PROFESSIONNEL (TP) - INSTALLATEUR DE RÉSEAUX DE TÉLÉCOMMUNICATIONS EN FIBRE "
            "OPTIQUE",
            "3",
            "TOURISME, SPORT, CULTURE, INDUSTRIES CREATIVES, MEDIAS, COMMUNICATION, "
            "TELECOMMUNICATION, LOISIRS ET DIVERTISSEMENT / CONSTRUCTION",
        ),
        (
            "code_rncp",
            "35510",
            "TITRE PROFESSIONNEL (TP) - AGENT DE MAINTENANCE DES BÂTIMENTS",
            "3",
            "TOURISME, SPORT, CULTURE, INDUSTRIES CREATIVES, MEDIAS, COMMUNICATION, "
            "TELECOMMUNICATION, LOISIRS ET DIVERTISSEMENT / SERVICES A FORTE INTENSITE DE MAIN "
            "D'ŒUVRE",
        ),
        (
            "code_rncp",
            "37018",  # first row after the first repeated page header
            "CERTIFICAT DE QUALIFICATION PROFESSIONNELLE (CQP) - ANIMATEUR DES ACTIVITES GYMNIQUES",
            "3",
            "SERVICES A FORTE INTENSITE DE MAIN D'OEUVRE",
        ),
        (
            "code_rncp",
            "36968",  # a title with semicolons
            "BTS - MAINTENANCE DES SYSTÈMES : OPTION A : SYSTÈMES DE PRODUCTION ; OPTION B : "
            "SYSTÈMES ÉNERGÉTIQUES ET FLUIDIQUES ; OPTION C : SYSTÈMES ÉOLIENS",
            "5",
            "SERVICES A FORTE INTENSITE DE MAIN D'OEUVRE",
        ),
        (
            "code_rncp",
            "37191",  # a title with double quotes
            'BPJEPS - SPÉCIALITÉ ÉDUCATEUR SPORTIF - MENTION "ACTIVITÉ POUR TOUS"',
            "4",
            "TOURISME, SPORT, CULTURE, INDUSTRIES CREATIVES, MEDIAS, COMMUNICATION, "
            "TELECOMMUNICATION, LOISIRS ET DIVERTISSEMENT / COHESION SOCIALE",
        ),
        (
            "code_certifinfo",
            "116177",
            "CERTIFICAT DE QUALIFICATION PROFESSIONNELLE (CQP) - CHEF DE CHANTIER DU BÂTIMENT",
            "",
            "CONSTRUCTION",
        ),
        (
            "code_certifinfo",
            "54109",
            "CERTIFICAT DE QUALIFICATION PROFESSIONNELLE (CQP) - OPÉRATEUR DE PARCOURS "
            "ACROBATIQUE EN HAUTEUR",
            "",
            "TOURISME, SPORT, CULTURE, INDUSTRIES CREATIVES, MEDIAS, COMMUNICATION, "
            "TELECOMMUNICATION, LOISIRS ET DIVERTISSEMENT",
        ),
        (
            "code_rncp",
            "1122",
            "BTS - BÂTIMENT",
            "5",
            "CONSTRUCTION",
        ),
        (
            "code_rncp",
            "4863",  # the last row of the annex
            'DEJEPS - SPÉCIALITÉ PERFECTIONNEMENT SPORTIF - MENTIONS : "53 DISCIPLINES SPORTIVES" '
            "(CF LISTE DANS BASE LÉGALE)",
            "5",
            "COHESION SOCIALE",
        ),
    ],
)
def test_spot_checked_rows_are_copied_exactly_from_the_seed(
    colonne: str, code: str, intitule: str, niveau: str, secteurs: str
) -> None:
    ligne = _ligne(colonne, code)
    assert ligne["intitule"] == intitule
    assert ligne["niveau_rncp"] == niveau
    assert ligne["secteurs"] == secteurs


def test_the_whole_list_is_in_force_on_1_april_2024_and_none_of_it_the_day_before() -> None:
    assert len(certifications_en_vigueur(date(2024, 4, 1))) == 425
    assert certifications_en_vigueur(date(2024, 3, 31)) == ()
