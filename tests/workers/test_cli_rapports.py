"""`guichet rapports beneficiaires --annee A [--format csv|xlsx] [--sortie FICHIER]`: the yearly
list of the contrat-pro beneficiaries from the command line, on a SQLite read model."""

import csv
import io
from pathlib import Path

import openpyxl  # type: ignore[import-untyped]
import pytest
from sqlmodel import Session

from tests.services.donnees_beneficiaires import SIREN_A, SIREN_B, remplir
from workers.cli import build_parser
from workers.runtime.database import engine_for, upgrade
from workers.runtime.settings import Settings

ATTENDU = [
    ["siren", "nom", "nombre_aides", "montant_accorde", "montant_verse", "actes"],
    [SIREN_A, "", "2", "10800.00", "4800.00", "arrete+convention"],
    [SIREN_B, "", "1", "3000.00", "0.00", "arrete"],
    ["TOTAL", "2 bénéficiaire(s)", "3", "13800.00", "4800.00", ""],
]


@pytest.fixture
def reglages(tmp_path: Path) -> Settings:
    settings = Settings(
        _env_file=None, data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'lecture.db'}"
    )
    engine = engine_for(settings.effective_database_url)
    upgrade(engine)
    with Session(engine) as session:
        remplir(session)
    engine.dispose()
    return settings


def guichet(
    reglages: Settings, capsys: pytest.CaptureFixture[str], *argv: str
) -> tuple[int, str, str]:
    args = build_parser().parse_args(["rapports", "beneficiaires", *argv])
    resultat = args.run(reglages, args)
    sortie, erreurs = capsys.readouterr()
    return int(resultat or 0), sortie, erreurs


def _csv(texte: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(texte.lstrip("\ufeff")), delimiter=";"))


def test_the_csv_goes_to_standard_output_and_the_summary_to_standard_error(
    reglages: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    code, sortie, erreurs = guichet(reglages, capsys, "--annee", "2025")

    assert code == 0
    assert _csv(sortie) == ATTENDU
    assert "2025: 2 bénéficiaire(s), 3 aide(s), 13800.00 EUR accordés, 4800.00 EUR versés" in (
        erreurs
    )
    assert "contrat-pro:X1" in erreurs  # granted, but no act line: named, left out


def test_the_csv_is_written_to_a_file(
    reglages: Settings, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    fichier = tmp_path / "liste.csv"

    code, sortie, _ = guichet(reglages, capsys, "--annee", "2025", "--sortie", str(fichier))

    assert (code, sortie) == (0, "")
    assert fichier.read_bytes().startswith("\ufeff".encode())
    assert _csv(fichier.read_text(encoding="utf-8")) == ATTENDU


def test_the_workbook_is_written_to_a_file_openpyxl_reads(
    reglages: Settings, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    fichier = tmp_path / "liste.xlsx"

    code, _, _ = guichet(
        reglages, capsys, "--annee", "2025", "--format", "xlsx", "--sortie", str(fichier)
    )

    assert code == 0
    feuille = openpyxl.load_workbook(fichier)["beneficiaires"]
    lignes = [[c.value for c in ligne] for ligne in feuille.iter_rows()]
    assert [ligne[0] for ligne in lignes] == ["siren", SIREN_A, SIREN_B, "TOTAL"]
    assert [ligne[2] for ligne in lignes[1:]] == [2, 1, 3]
    assert lignes[1][5] == "arrete+convention"


def test_a_bad_year_or_a_workbook_without_file_is_exit_code_2(
    reglages: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    code, sortie, erreurs = guichet(reglages, capsys, "--annee", "25")
    assert (code, sortie) == (2, "")
    assert "--annee 25: une année civile sur 4 chiffres, de 2000 à 2100" in erreurs

    code, sortie, erreurs = guichet(reglages, capsys, "--annee", "2025", "--format", "xlsx")
    assert (code, sortie) == (2, "")
    assert "--sortie" in erreurs
