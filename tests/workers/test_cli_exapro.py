"""`guichet exapro validate`, `export` and `bench`, through a local parser."""

import argparse
import json
import logging
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from rules.exapro import CHAMPS_CANDIDAT
from rules.exapro.lecture import Rapport, lire
from tests.factories import BCP, BCP_ERREURS, CAP_XML_ERREURS, DONNEES_EXAPRO
from workers.bench.exapro import lignes_bench
from workers.cli import exapro as cli_exapro
from workers.runtime.settings import Settings

DONNEES_PERSONNELLES = [
    "PETITJEAN",
    "Manon",
    "070212345AB",
    "12/02/2007",
    "manon.petitjean@ac-nancy-metz.fr",
    "0612345678",
]


def lancer(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="guichet")
    cli_exapro.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    code = args.run(Settings(), args)
    sortie, erreurs = capsys.readouterr()
    return code, sortie, erreurs


def test_a_valid_file_exits_0_with_a_text_report_by_default(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, sortie, erreurs = lancer(["exapro", "validate", str(BCP)], capsys)
    assert code == 0
    assert erreurs == ""
    assert "Examen : BCP (baccalauréat professionnel)" in sortie
    assert "Candidats lus : 9 ; sans erreur : 9" in sortie
    assert "Aucune erreur" in sortie


def test_the_json_report_has_the_file_the_exam_the_counts_and_the_errors(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, sortie, _ = lancer(["exapro", "validate", str(BCP), "--format", "json"], capsys)
    assert code == 0
    assert json.loads(sortie) == {
        "fichier": BCP.name,
        "examen": "BCP",
        "lignes": 9,
        "lignes_valides": 9,
        "erreurs": [],
    }


def test_a_file_with_errors_exits_1_and_lists_each_error_in_json(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, sortie, _ = lancer(
        ["exapro", "validate", str(BCP_ERREURS), "--format", "json", "--controle-ine"], capsys
    )
    rapport = json.loads(sortie)
    assert code == 1
    assert (rapport["lignes"], rapport["lignes_valides"]) == (43, 1)
    assert len(rapport["erreurs"]) == 43
    assert rapport["erreurs"][1] == {
        "ligne": 3,
        "champ": "nom_famille",
        "valeur": "",
        "message": "Nom de famille (nom_famille) : valeur obligatoire non renseignée.",
    }
    assert all(set(e) == {"ligne", "champ", "valeur", "message"} for e in rapport["erreurs"])


def test_without_the_ine_control_a_school_candidate_may_omit_the_ine(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, sortie, _ = lancer(["exapro", "validate", str(BCP_ERREURS), "--format", "json"], capsys)
    assert [e["ligne"] for e in json.loads(sortie)["erreurs"] if e["champ"] == "INE"] == [9]


def test_the_text_report_groups_the_errors_by_line_in_french(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, sortie, _ = lancer(["exapro", "validate", str(BCP_ERREURS), "--controle-ine"], capsys)
    assert "Candidats lus : 43 ; sans erreur : 1 ; avec au moins une erreur : 42." in sortie
    assert "43 erreurs à corriger :" in sortie
    assert "\nLigne 1 (en-tête des colonnes) :\n  - Colonne « remarque » inconnue" in sortie
    assert (
        "\nLigne 12 :\n  - Date de naissance (date_naissance) « 29/02/2007 » : cette date "
        "n'existe pas.\n\nLigne 13 :" in sortie
    )
    assert "\nLigne 44 :\n  - (ligne entière) La ligne compte 10 champs" in sortie


def test_the_text_report_of_an_xml_file_names_candidates_by_position(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, sortie, _ = lancer(["exapro", "validate", str(CAP_XML_ERREURS)], capsys)
    assert code == 1
    assert "Bloc entete :\n  - Version (Version) « 1.1 »" in sortie
    assert "Candidat n° 2 (dans l'ordre du fichier) :\n  - Élément « sexe » inconnu" in sortie


def test_a_clean_xml_named_freely_exits_0_its_exam_read_from_a_word_of_its_name(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, sortie, erreurs = lancer(
        ["exapro", "validate", str(DONNEES_EXAPRO / "candidats_bcp.xml"), "--format", "json"],
        capsys,
    )
    assert (code, erreurs) == (0, "")
    assert json.loads(sortie) == {
        "fichier": "candidats_bcp.xml",
        "examen": "BCP",
        "lignes": 3,
        "lignes_valides": 3,
        "erreurs": [],
    }


def test_validate_accepts_a_csv_and_an_xml_whose_fields_follow_the_tables_order(
    capsys: pytest.CaptureFixture[str],
) -> None:
    for fichier in (BCP, DONNEES_EXAPRO / "candidats_bcp.xml"):
        code, sortie, _ = lancer(["exapro", "validate", str(fichier)], capsys)
        assert code == 0, fichier.name
        assert "Aucune erreur" in sortie
        assert "ordre des champs" not in sortie


def test_validate_refuses_csv_columns_out_of_order_on_the_header_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    chemin = DONNEES_EXAPRO / "BCP2024DESORDRE_1.0_2024_150120241030.csv"
    code, sortie, _ = lancer(["exapro", "validate", str(chemin)], capsys)
    assert code == 1
    assert "Candidats lus : 9 ; sans erreur : 9" in sortie
    assert "2 erreurs à corriger :" in sortie
    assert (
        "\nLigne 1 (en-tête des colonnes) :\n  - Colonne « nom_usage » placée après « prenoms » "
        ": ordre des champs refusé" in sortie
    )
    code, sortie, _ = lancer(["exapro", "validate", str(chemin), "--format", "json"], capsys)
    assert [(e["ligne"], e["champ"]) for e in json.loads(sortie)["erreurs"]] == [
        (1, "nom_usage"),
        (1, "nom_famille"),
    ]


def test_validate_refuses_xml_elements_out_of_order_on_their_candidate(
    capsys: pytest.CaptureFixture[str],
) -> None:
    chemin = DONNEES_EXAPRO / "candidats_bcp_desordre.xml"
    code, sortie, _ = lancer(["exapro", "validate", str(chemin)], capsys)
    assert code == 1
    assert "Candidats lus : 3 ; sans erreur : 2 ; avec au moins une erreur : 1." in sortie
    assert (
        "Candidat n° 2 (dans l'ordre du fichier) :\n  - Élément « nom_famille » placé après "
        "« prenoms » : ordre des champs refusé" in sortie
    )


def test_an_unreadable_file_exits_2_with_one_line_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fichier = tmp_path / "BCP2024_1.0_2024_150120241030.xml"
    fichier.write_text('<!DOCTYPE cyclades [<!ENTITY a "b">]><cyclades/>', encoding="utf-8")
    code, sortie, erreurs = lancer(["exapro", "validate", str(fichier)], capsys)
    assert code == 2
    assert sortie == ""
    assert erreurs.count("\n") == 1
    assert erreurs.startswith(f"guichet exapro: « {fichier.name} » illisible : XML : déclaration")


@pytest.mark.parametrize(
    ("nom", "raison"),
    [("absent.csv", "fichier introuvable"), ("dossier", "c'est un répertoire, pas un fichier")],
)
def test_a_missing_file_or_a_directory_exits_2(
    nom: str, raison: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "dossier").mkdir()
    code, _, erreurs = lancer(
        ["exapro", "validate", str(tmp_path / nom), "--examen", "BCP"], capsys
    )
    assert code == 2
    assert erreurs == f"guichet exapro: « {nom} » illisible : {raison}\n"


def test_the_exam_comes_from_the_option_when_the_file_name_does_not_say_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copie = tmp_path / "candidats_1.0_2024-06_180120240800.csv"
    shutil.copy(DONNEES_EXAPRO / "CAP2024_1.0_2024-06_180120240800.csv", copie)
    code, _, erreurs = lancer(["exapro", "validate", str(copie)], capsys)
    assert code == 2
    assert "indiquez --examen" in erreurs
    code, sortie, _ = lancer(
        ["exapro", "validate", str(copie), "--examen", "CAP", "--format", "json"], capsys
    )
    assert code == 0
    assert json.loads(sortie)["examen"] == "CAP"


def test_the_exam_option_overrides_the_file_name_prefix(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, sortie, _ = lancer(
        ["exapro", "validate", str(BCP), "--examen", "CAP", "--format", "json"], capsys
    )
    rapport = json.loads(sortie)
    assert code == 1
    assert rapport["examen"] == "CAP"
    assert {"ligne": 0, "champ": "nom_fichier"}.items() <= rapport["erreurs"][0].items()


def test_an_unknown_exam_option_is_refused_by_the_parser(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as sortie:
        lancer(["exapro", "validate", str(BCP), "--examen", "BTS"], capsys)
    assert sortie.value.code == 2


def test_the_validation_log_line_carries_counts_and_no_personal_data(
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="workers.cli.exapro")
    lancer(["exapro", "validate", str(BCP_ERREURS), "--controle-ine"], capsys)
    [record] = [r for r in caplog.records if r.name == "workers.cli.exapro"]
    assert record.getMessage() == "exapro.validation"
    assert (record.__dict__["lignes"], record.__dict__["nombre_erreurs"]) == (43, 43)
    texte = repr(record.__dict__)
    assert not [p for p in DONNEES_PERSONNELLES if p in texte]


@pytest.mark.parametrize("forme", ["csv", "xml"])
def test_the_bench_validates_a_generated_file_and_prints_plain_figures(
    forme: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, sortie, _ = lancer(["exapro", "bench", "--lignes", "300", "--format", forme], capsys)
    assert code == 0
    lignes = dict(ligne.split(" : ", 1) for ligne in sortie.splitlines())
    assert (lignes["format"], lignes["lignes"], lignes["lignes valides"]) == (forme, "300", "300")
    assert lignes["erreurs"] == "0"
    assert float(lignes["débit"].removesuffix(" lignes/s")) > 0
    assert lignes["pic tracemalloc"].endswith("Mio (tracemalloc ralentit la validation)")
    assert float(lignes["ru_maxrss"].removesuffix(" Mio")) > 0


def test_the_bench_can_run_without_tracemalloc(capsys: pytest.CaptureFixture[str]) -> None:
    code, sortie, _ = lancer(["exapro", "bench", "--lignes", "50", "--sans-tracemalloc"], capsys)
    assert code == 0
    assert "pic tracemalloc : non mesuré" in sortie


def test_the_bench_refuses_zero_rows(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        lancer(["exapro", "bench", "--lignes", "0"], capsys)


def test_the_bench_rows_are_valid_and_varied() -> None:
    lignes = list(lignes_bench(14))
    assert len({ligne["INE"] for ligne in lignes}) == 14
    assert {ligne["enseignement"] for ligne in lignes} == {"", "EURO"}


PROCESSUS = (
    "import argparse, sys\n"
    "from workers.cli import exapro as cli_exapro\n"
    "from workers.runtime.logging import configure_logging\n"
    "from workers.runtime.settings import Settings\n"
    "parser = argparse.ArgumentParser(prog='guichet')\n"
    "cli_exapro.register(parser.add_subparsers(dest='command', required=True))\n"
    "args = parser.parse_args(sys.argv[1:])\n"
    "settings = Settings()\n"
    "configure_logging(settings)\n"
    "sys.exit(args.run(settings, args))\n"
)


def _processus(*argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", PROCESSUS, *argv],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
        env={
            **os.environ,
            "GUICHET_LOG_FORMAT": "json",
            "PYTHONPATH": str(Path(__file__).parents[2]),
        },
        timeout=60,
    )


def test_a_real_process_prints_the_report_on_stdout_and_a_log_line_without_personal_data(
    tmp_path: Path,
) -> None:
    resultat = _processus(
        "exapro", "validate", str(BCP_ERREURS), "--format", "json", "--controle-ine", cwd=tmp_path
    )
    assert resultat.returncode == 1
    assert json.loads(resultat.stdout)["lignes"] == 43
    [ligne_log] = resultat.stderr.splitlines()
    log = json.loads(ligne_log)
    assert (log["event"], log["examen"], log["nombre_erreurs"]) == ("exapro.validation", "BCP", 43)
    assert not [p for p in DONNEES_PERSONNELLES if p in resultat.stderr]


def test_a_real_process_exits_2_on_an_unreadable_file(tmp_path: Path) -> None:
    fichier = tmp_path / "ARI2024_1.0_2024_190120241115.csv"
    fichier.write_bytes("candidats".encode("utf-16"))
    resultat = _processus("exapro", "validate", str(fichier), cwd=tmp_path)
    assert resultat.returncode == 2
    assert resultat.stdout == ""
    assert resultat.stderr.splitlines() == [
        f"guichet exapro: « {fichier.name} » illisible : le fichier est en UTF-16 ou contient "
        "des octets nuls : seuls UTF-8 et ISO-8859-1 sont acceptés"
    ]


# --- export ------------------------------------------------------------------------------


def candidats(chemin: Path) -> list[dict[str, str]]:
    """The candidates of a file as the readers see them: filled candidate fields only."""
    noms = {c.csv for c in CHAMPS_CANDIDAT}
    with chemin.open("rb") as flux:
        _, blocs = lire(flux)
        return [
            {k: v for k, v in (b.valeurs or {}).items() if v and k in noms}
            for b in blocs
            if b.nature == "candidat"
        ]


def test_export_turns_a_csv_into_an_xml_that_validates_clean_with_the_same_candidates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sortie = tmp_path / "BCP2024_1.0_2024_150120241030.xml"

    code, texte, erreurs = lancer(["exapro", "export", str(BCP), "--sortie", str(sortie)], capsys)

    assert (code, erreurs) == (0, "")
    assert texte == f"9 candidats écrits dans {sortie}\n"
    rapport = cli_exapro.valider_chemin(sortie, None)
    assert isinstance(rapport, Rapport)
    assert (rapport.format, rapport.lignes, rapport.erreurs) == ("xml", 9, [])
    assert candidats(sortie) == candidats(BCP)
    racine = ET.parse(sortie).getroot()
    assert [e.tag for e in racine] == ["entete"] + ["candidat"] * 9
    assert [e.tag for e in racine[1]][:4] == ["civilite", "nom_famille", "prenoms", "ine"]


def test_export_leaves_out_the_rows_with_errors_and_counts_them_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sortie = tmp_path / "BCP2024_1.0_2024_150120241030.xml"

    code, texte, erreurs = lancer(
        ["exapro", "export", str(BCP_ERREURS), "--sortie", str(sortie)], capsys
    )

    assert code == 1
    assert texte == f"2 candidats écrits dans {sortie}\n"
    assert "41 ligne(s) en erreur écartée(s) sur 43" in erreurs
    assert "1 erreur(s) sur le fichier lui-même" in erreurs
    rapport = cli_exapro.valider_chemin(sortie, None)
    assert isinstance(rapport, Rapport)
    assert (rapport.lignes, rapport.erreurs) == (2, [])
    rapport_entree = cli_exapro.valider_chemin(BCP_ERREURS, None)
    assert isinstance(rapport_entree, Rapport)
    en_erreur = {e.ligne for e in rapport_entree.erreurs}
    with BCP_ERREURS.open("rb") as flux:
        lignes = [b.ligne for b in lire(flux)[1] if b.nature == "candidat"]
    sans_erreur = [
        c for ligne, c in zip(lignes, candidats(BCP_ERREURS), strict=True) if ligne not in en_erreur
    ]
    assert candidats(sortie) == sans_erreur


def test_export_of_an_xml_file_with_errors_keeps_its_valid_candidates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sortie = tmp_path / "CAP2024_1.0_2024-06_180120240900.xml"

    code, _, erreurs = lancer(
        ["exapro", "export", str(CAP_XML_ERREURS), "--sortie", str(sortie)], capsys
    )

    assert code == 1
    assert "4 ligne(s) en erreur écartée(s) sur 5" in erreurs
    rapport = cli_exapro.valider_chemin(sortie, None)
    assert isinstance(rapport, Rapport)
    assert (rapport.lignes, rapport.erreurs) == (1, [])


def test_export_takes_the_entete_from_the_rows_when_the_file_name_does_not_give_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copie = tmp_path / "eleves.csv"
    shutil.copy(DONNEES_EXAPRO / "BP2024_1.0_2024-06_160120240915.csv", copie)
    sortie = tmp_path / "BP2024_1.0_2024-06_160120240915.xml"

    code, _, erreurs = lancer(
        ["exapro", "export", str(copie), "--sortie", str(sortie), "--examen", "BP"], capsys
    )

    assert code == 1  # the input's name is not conformant, as validate says
    assert "1 erreur(s) sur le fichier lui-même" in erreurs
    entete = ET.parse(sortie).getroot().find("entete")
    assert entete is not None
    assert [(e.tag, e.text) for e in entete] == [
        ("version", "1.0"),
        ("annee_session", "2024-06"),
        ("date_heure_export", "16/01/2024 09:15"),
    ]
    rapport = cli_exapro.valider_chemin(sortie, None)
    assert isinstance(rapport, Rapport)
    assert (rapport.lignes, rapport.erreurs) == (5, [])


def test_export_without_any_session_exits_2_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copie = tmp_path / "eleves.csv"
    shutil.copy(BCP, copie)
    sortie = tmp_path / "sortie.xml"

    code, _, erreurs = lancer(
        ["exapro", "export", str(copie), "--sortie", str(sortie), "--examen", "BCP"], capsys
    )

    assert code == 2
    assert "année de session inconnue" in erreurs
    assert list(tmp_path.iterdir()) == [copie]


def test_export_with_a_missing_mandatory_column_leaves_every_row_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """validate reports the missing column once on the header; export checks the rows as the
    XML will be read, where the element is then empty on every candidate."""
    lignes = BCP.read_text(encoding="utf-8").splitlines()
    indice = lignes[0].split(";").index("adresse_mail")
    sans_mail = [
        ";".join(c for i, c in enumerate(ligne.split(";")) if i != indice) for ligne in lignes
    ]
    entree = tmp_path / BCP.name
    entree.write_text("\n".join(sans_mail) + "\n", encoding="utf-8")
    sortie = tmp_path / "BCP2024_1.0_2024_150120241031.xml"

    code, texte, erreurs = lancer(
        ["exapro", "export", str(entree), "--sortie", str(sortie)], capsys
    )

    assert code == 1
    assert texte.startswith("0 candidat écrit")
    assert "9 ligne(s) en erreur écartée(s) sur 9" in erreurs
    rapport = cli_exapro.valider_chemin(sortie, None)
    assert isinstance(rapport, Rapport)
    assert (rapport.lignes, rapport.erreurs) == (0, [])


def test_export_of_an_unreadable_file_exits_2_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    entree = tmp_path / "BCP2024_1.0_2024_150120241030.csv"
    entree.write_bytes(BCP.read_bytes() + b'M;"ouvert;\n')
    sortie = tmp_path / "sortie.xml"

    code, texte, erreurs = lancer(
        ["exapro", "export", str(entree), "--sortie", str(sortie)], capsys
    )

    assert (code, texte) == (2, "")
    assert erreurs.startswith(f"guichet exapro: « {entree.name} » illisible : ligne 11")
    assert list(tmp_path.iterdir()) == [entree]


def test_export_refuses_an_unwritable_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sortie = tmp_path / "absent" / "sortie.xml"
    code, _, erreurs = lancer(["exapro", "export", str(BCP), "--sortie", str(sortie)], capsys)
    assert code == 2
    assert "impossible d'écrire" in erreurs


def test_export_refuses_an_unknown_exam_as_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    arguments = ["exapro", "export", str(BCP), "--sortie", str(tmp_path / "sortie.xml")]
    with pytest.raises(SystemExit) as sortie:
        lancer([*arguments, "--examen", "BTS"], capsys)
    assert sortie.value.code == 2


def test_export_needs_the_exam_when_the_file_name_does_not_say_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copie = tmp_path / "candidats_1.0_2024-06_180120240800.csv"
    shutil.copy(DONNEES_EXAPRO / "CAP2024_1.0_2024-06_180120240800.csv", copie)

    code, _, erreurs = lancer(
        ["exapro", "export", str(copie), "--sortie", str(tmp_path / "s.xml")], capsys
    )

    assert code == 2
    assert "indiquez --examen" in erreurs


def test_the_export_log_line_carries_counts_and_no_personal_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="workers.cli.exapro")
    lancer(["exapro", "export", str(BCP_ERREURS), "--sortie", str(tmp_path / "s.xml")], capsys)
    [record] = [r for r in caplog.records if r.name == "workers.cli.exapro"]
    assert record.getMessage() == "exapro.export"
    assert (record.__dict__["ecrits"], record.__dict__["ecartes"]) == (2, 41)
    assert not [p for p in DONNEES_PERSONNELLES if p in repr(record.__dict__)]
