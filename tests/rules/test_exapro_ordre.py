"""Seed 002, « Descriptif des données »: the naming rule is the CSV file's (« Le fichier CSV
doit avoir un nom au format ... »), and the XSD « précise l'ordonnement des champs à respecter
dans les différents fichiers (csv et xml) ». Choices (docs/exapro.md): an XML name is free;
a field out of the table's order is refused."""

import io
from pathlib import Path

import pytest

from rules.exapro import CHAMPS, Examen, examen_du_nom_fichier, valider_nom_fichier
from rules.exapro.lecture import valider_flux
from rules.exapro.ordre import verifier_ordre
from tests.factories import DONNEES_EXAPRO

XML_LIBRE = DONNEES_EXAPRO / "candidats_bcp.xml"
XML_DESORDRE = DONNEES_EXAPRO / "candidats_bcp_desordre.xml"
CSV_EN_ORDRE = DONNEES_EXAPRO / "BCP2024_1.0_2024_150120241030.csv"
CSV_DESORDRE = DONNEES_EXAPRO / "BCP2024DESORDRE_1.0_2024_150120241030.csv"


def valider(chemin: Path, nom: str | None = None, examen: Examen = Examen.BCP) -> list[str]:
    with chemin.open("rb") as flux:
        rapport = valider_flux(flux, nom or chemin.name, examen)
    return [e.regle for e in rapport.erreurs]


# --- file names ---


def test_a_clean_xml_named_freely_is_accepted_with_no_error() -> None:
    with XML_LIBRE.open("rb") as flux:
        rapport = valider_flux(flux, XML_LIBRE.name, Examen.BCP)
    assert rapport.format == "xml"
    assert (rapport.lignes, rapport.lignes_valides, rapport.erreurs) == (3, 3, [])


@pytest.mark.parametrize(
    "nom", ["candidats_bcp.xml", "export.XML", "sans extension", "BCP2024_1.0_2023_999999.xml"]
)
def test_an_xml_name_is_never_an_error_and_gives_no_session(nom: str) -> None:
    assert valider_nom_fichier(nom, Examen.BCP, "xml") == ([], None)
    assert valider(XML_LIBRE, nom) == []


def test_the_xml_session_comes_from_its_entete_not_from_its_name() -> None:
    """A name whose session differs from the `entete`'s used to be `annee_session.incoherente`
    (line 0, the whole file refused): the name is free, so nothing is compared with it."""
    assert valider(XML_LIBRE, "BCP2023_1.0_2023_220120241645.xml") == []


def test_the_naming_rule_still_applies_to_a_csv_file() -> None:
    assert valider(CSV_EN_ORDRE, "candidats_bcp.csv") == ["nom_fichier.format"]
    assert valider_nom_fichier("candidats_bcp.csv", Examen.BCP)[0][0].ligne == 0


def test_a_csv_content_is_held_to_the_csv_naming_rule_whatever_its_extension() -> None:
    """The format is the content's (first significant byte), not the name's."""
    assert valider(CSV_EN_ORDRE, "candidats_bcp.xml") == ["nom_fichier.format"]


@pytest.mark.parametrize(
    ("nom", "examen"),
    [
        ("candidats_bcp.xml", Examen.BCP),
        ("Lycée Voltaire - CAP - juin.xml", Examen.CAP),
        ("inscriptions.mc4.2024.xml", Examen.MC4),
        ("BCP2024_1.0_2024_150120241030.csv", Examen.BCP),
        ("candidats.xml", None),
        ("candidats_bcp_cap.xml", None),
        ("lycee_bcpro.xml", None),
    ],
)
def test_the_exam_is_the_names_start_or_its_only_word_that_is_an_exam_code(
    nom: str, examen: Examen | None
) -> None:
    assert examen_du_nom_fichier(nom) is examen


# --- field order ---


def test_every_sample_file_in_the_tables_order_has_no_order_error() -> None:
    for chemin in sorted(DONNEES_EXAPRO.iterdir()):
        if chemin.name in (XML_DESORDRE.name, CSV_DESORDRE.name):
            continue
        examen = examen_du_nom_fichier(chemin.name)
        assert examen is not None
        regles = valider(chemin, examen=examen)
        assert not {"colonne.ordre", "element.ordre"} & set(regles), chemin.name


def test_csv_columns_out_of_order_are_refused_on_the_header_naming_each_column() -> None:
    with CSV_DESORDRE.open("rb") as flux:
        rapport = valider_flux(flux, CSV_DESORDRE.name, Examen.BCP)
    ordre = [e for e in rapport.erreurs if e.regle == "colonne.ordre"]
    assert [(e.ligne, e.champ) for e in ordre] == [(1, "nom_usage"), (1, "nom_famille")]
    assert ordre == rapport.erreurs
    assert "Colonne « nom_famille » placée après « nom_usage »" in ordre[1].message
    assert "ordre des champs refusé" in ordre[1].message
    # the rows themselves are read by name, so each row is valid: the error is the file's
    assert rapport.lignes == rapport.lignes_valides == 9


def test_xml_elements_out_of_order_are_refused_on_their_candidate() -> None:
    with XML_DESORDRE.open("rb") as flux:
        rapport = valider_flux(flux, XML_DESORDRE.name, Examen.BCP)
    assert [(e.ligne, e.champ, e.valeur, e.regle) for e in rapport.erreurs] == [
        (2, "nom_famille", "CARON", "element.ordre")
    ]
    assert "Élément « nom_famille » placé après « prenoms »" in rapport.erreurs[0].message
    assert (rapport.lignes, rapport.lignes_valides) == (3, 2)


def test_an_entete_out_of_order_is_refused_on_line_zero() -> None:
    donnees = XML_LIBRE.read_bytes().replace(
        b"<version>1.0</version>\n    <annee_session>2024</annee_session>",
        b"<annee_session>2024</annee_session>\n    <version>1.0</version>",
    )
    assert donnees != XML_LIBRE.read_bytes()
    rapport = valider_flux(io.BytesIO(donnees), "libre.xml", Examen.BCP)
    assert [(e.ligne, e.champ, e.regle) for e in rapport.erreurs] == [
        (0, "Version", "element.ordre")
    ]


def test_optional_fields_may_be_left_out_only_the_relative_order_counts() -> None:
    tous = [c.csv for c in CHAMPS]
    assert verifier_ordre(tous, 1, xml=False) == []
    assert verifier_ordre(tous[::3], 1, xml=False) == []
    assert verifier_ordre(["inconnue", "civilite", "autre", "nom_famille"], 1, xml=False) == []


def test_a_last_column_moved_first_is_the_only_one_reported() -> None:
    candidat = [c.csv for c in CHAMPS[3:]]
    deplace = [candidat[-1], *candidat[:-1]]
    erreurs = verifier_ordre(deplace, 1, xml=False)
    assert [(e.champ, e.regle) for e in erreurs] == [("langue_section_euro", "colonne.ordre")]
    assert "placée avant « civilite »" in erreurs[0].message
