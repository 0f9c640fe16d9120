import json
import subprocess
import sys
from pathlib import Path

GUICHET = str(Path(sys.executable).parent / "guichet")

EXEMPLE = Path(__file__).resolve().parents[2] / "docs" / "exemples" / "simulation-contrat-pro.json"
ENTREE = json.loads(EXEMPLE.read_text())
"""The README's example: the text's part-time example (28 h a week, 12 months)."""


def simulate(scheme: str, payload: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [GUICHET, "simulate", scheme, "-"],
        input=payload,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_contrat_pro_part_time_example_of_the_text_comes_out_at_4800() -> None:
    result = simulate("contrat-pro", json.dumps(ENTREE))
    assert result.returncode == 0, result.stderr
    sortie = json.loads(result.stdout)
    assert (sortie["montant_mensuel"], sortie["montant"]) == ("400.00", "4800.00")
    assert sortie["acte"] == "arrete"


def test_a_malformed_input_names_the_field_and_exits_2() -> None:
    result = simulate("contrat-pro", json.dumps({**ENTREE, "date_debut_contrat": "2024-13-02"}))
    assert result.returncode == 2
    assert result.stdout == ""
    assert "date_debut_contrat : « 2024-13-02 » n'est pas une date valide" in result.stderr


def test_input_that_is_not_json_exits_2() -> None:
    result = simulate("contrat-pro", "{pas du json")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_are_forfaits_reproduce_arrete_2023_087() -> None:
    payload = {
        "forfaits_precedents": {"standard": "142", "prepa_metiers": "51"},
        "ipc_decembre_n_2": "107.4",
        "ipc_decembre_n_1": "114.18",
    }
    result = simulate("are-forfaits", json.dumps(payload))
    assert result.returncode == 0, result.stderr
    sortie = json.loads(result.stdout)
    assert sortie["evolution_pct"] == "6.31"
    assert sortie["forfaits"]["standard"] == "151.00"
    assert sortie["forfaits"]["prepa_metiers"] == "54.00"
