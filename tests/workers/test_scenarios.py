"""The scenario runner: the whole library in tests/scenarios passes; a wrong expectation fails
with a readable line; `scenario run` exits 1 on failure and speaks JSON; a dossier recorded from
its Temporal history replays to the same outcome. Each scenario runs on its own time-skipping
server, started at the scenario's first date (libfaketime), with the real activities."""

import argparse
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from workers.cli import scenario as cli_scenario
from workers.runtime.logging import configure_logging
from workers.runtime.settings import Settings
from workers.scenarios.execution import Execution, executer
from workers.scenarios.format import ErreurScenario, charger
from workers.scenarios.record import enregistrer

BIBLIOTHEQUE = Path(__file__).parent.parent / "scenarios"
SCENARIOS = sorted(BIBLIOTHEQUE.rglob("*.yaml"))
PARCOURS = BIBLIOTHEQUE / "contrat_pro" / "parcours_complet.yaml"

FAUX = """
titre: "Statut attendu faux"
dossiers:
  contrat: {workflow: contrat-pro, cle: OPCO-2024-000999}
etapes:
  - le: 2024-09-02
    evenement: opco.contrat-pro.enregistre.v1
    donnees: {numero_contrat: OPCO-2024-000999}
    verifier: {statut: paye, echeance: 2024-12-02}
"""


def test_the_library_holds_a_scenario_for_every_scheme() -> None:
    dossiers = {p.parent.name for p in SCENARIOS}
    assert {"contrat_pro", "cae_dom", "are", "exapro"} <= dossiers


@pytest.mark.parametrize("fichier", SCENARIOS, ids=lambda p: str(p.relative_to(BIBLIOTHEQUE)))
async def test_the_library_scenario_passes(fichier: Path) -> None:
    resultat = await executer(fichier)

    echecs = [ligne.texte() for ligne in resultat.lignes if not ligne.ok]
    assert resultat.erreur is None
    assert echecs == []
    assert resultat.lignes, "un scénario vérifie au moins une attente"


async def test_a_wrong_expectation_fails_with_expected_actual_and_date(tmp_path: Path) -> None:
    fichier = tmp_path / "faux.yaml"
    fichier.write_text(FAUX)

    resultat = await executer(fichier)

    assert not resultat.ok
    assert [ligne.texte() for ligne in resultat.lignes] == [
        "FAIL 2024-09-02 contrat statut: attendu paye, obtenu attente_demande",
        "PASS 2024-09-02 contrat echeance: attendu 2024-12-02, obtenu 2024-12-02",
    ]


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    cli_scenario.register(parser.add_subparsers(dest="command"))
    return parser.parse_args(["scenario", "run", *argv])


async def test_scenario_run_exits_1_on_a_failure_and_prints_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fichier = tmp_path / "faux.yaml"
    fichier.write_text(FAUX)
    configure_logging(Settings())  # as `guichet` does: log lines on stderr, not in the JSON

    code = await cli_scenario.run_scenarios(Settings(), _args(str(fichier), "--json"))

    sortie = json.loads(capsys.readouterr().out)
    assert code == 1
    assert sortie["ok"] is False
    (scenario,) = sortie["scenarios"]
    assert scenario["lignes"][0] == {
        "ok": False,
        "le": "2024-09-02",
        "dossier": "contrat",
        "quoi": "statut",
        "attendu": "paye",
        "obtenu": "attente_demande",
    }


async def test_scenario_run_prints_one_line_per_expectation_and_exits_0(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = await cli_scenario.run_scenarios(Settings(), _args(str(PARCOURS)))

    sortie = capsys.readouterr().out
    assert code == 0
    assert "PASS 2025-09-20 contrat statut: attendu paye, obtenu paye" in sortie
    assert "1/1 scénario(s) réussi(s)" in sortie


async def test_a_scenario_file_with_invalid_event_data_names_the_step_and_the_field(
    tmp_path: Path,
) -> None:
    fichier = tmp_path / "invalide.yaml"
    fichier.write_text(
        FAUX.replace("{numero_contrat: OPCO-2024-000999}", "{date_debut: pas-une-date}")
    )

    resultat = await executer(fichier)

    assert not resultat.ok
    assert resultat.erreur is not None
    assert "étape 1 (opco.contrat-pro.enregistre.v1)" in resultat.erreur
    assert "date_debut" in resultat.erreur


def test_a_scenario_with_steps_out_of_order_is_refused_in_french(tmp_path: Path) -> None:
    fichier = tmp_path / "desordre.yaml"
    fichier.write_text(
        FAUX + "  - le: 2024-09-01\n    avancer: true\n",
    )

    with pytest.raises(ErreurScenario, match="étape 2: le 2024-09-01 à 12:00 vient avant"):
        charger(fichier)


async def test_a_recorded_dossier_replays_to_the_same_outcome(tmp_path: Path) -> None:
    enregistre: dict[str, Any] = {}

    async def enregistrer_le_dossier(execution: Execution) -> None:
        enregistre.update(await enregistrer(execution.client, "contrat-pro:OPCO-2024-000123"))

    original = await executer(PARCOURS, apres=enregistrer_le_dossier)
    assert original.ok
    fichier = tmp_path / "enregistre.yaml"
    fichier.write_text(yaml.safe_dump(enregistre, allow_unicode=True, sort_keys=False))

    rejoue = await executer(fichier)

    assert rejoue.erreur is None
    assert [ligne.texte() for ligne in rejoue.lignes if not ligne.ok] == []
    finales = {ligne.quoi: ligne.obtenu for ligne in rejoue.lignes}
    assert finales["statut"] == "paye"
    assert finales["montant_verse"] == "6000.00"
    assert finales["ordres"] == "[paiement 6000.00 execute]"
    assert [e.get("evenement", "decision") for e in enregistre["etapes"][:-1]] == [
        "opco.contrat-pro.enregistre.v1",
        "portail.contrat-pro.demande-deposee.v1",
        "decision",
        "portail.contrat-pro.demande-paiement-deposee.v1",
        "decision",
        "asp.contrat-pro.paiement-execute.v1",
    ]
