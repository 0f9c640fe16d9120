import json
import subprocess
import sys
from pathlib import Path

GUICHET = str(Path(sys.executable).parent / "guichet")

ENTREE = {
    "date_debut_contrat": "2024-09-02",
    "date_fin_contrat": "2025-09-01",
    "date_naissance": "1985-03-14",
    "demandeur_emploi": True,
    "dans_effectif_6_mois": False,
    "code_postal_etablissement": "44000",
    "employeur_a_jour": True,
    "licenciement_economique_6_mois": False,
    "certification": {"rncp": "35510"},
    "nature_contrat": "standard",
    "duree_hebdomadaire_heures": "28",
    "date_demande": "2024-10-01",
    "date_fin_effective": None,
    "suspensions_non_remunerees": [],
    "cumul_aides_annee": "0",
}


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
