"""The production install starts: the wheel, installed without extras in a fresh virtualenv (as
the Dockerfile does), imports every module, reads its packaged reference data and templates, and
answers `guichet --help` and every subcommand's `--help`. A dev-only library (pytest, playwright...)
imported at a product module's top level fails here, not in production."""

import json
import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

RACINE = Path(__file__).resolve().parent.parent
PAQUETS = ("rules", "models", "workflows", "activities", "events", "workers")

VERIFIER = """
import argparse, importlib, json, pkgutil, sys

echecs = {}
for racine in %(paquets)r:
    paquet = importlib.import_module(racine)
    for module in pkgutil.walk_packages(paquet.__path__, racine + "."):
        if ".migrations." in module.name or module.name.endswith(".__main__"):
            continue  # alembic's scripts (alembic loads them), `python -m` entry points
        try:
            importlib.import_module(module.name)
        except Exception as exc:  # every failure is reported, not the first one only
            echecs[module.name] = f"{type(exc).__name__}: {exc}"

from rules.cae_dom import referentiel
from workers.console.socle import environnement
referentiel()
environnement().get_template("base.html")

from workers.cli import build_parser

def commandes(parser, prefixe):
    yield prefixe
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for nom, sous in action.choices.items():
                yield from commandes(sous, [*prefixe, nom])

print(json.dumps({"echecs": echecs, "commandes": list(commandes(build_parser(), []))}))
"""


@pytest.fixture(scope="module")
def installation(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv holding the wheel and its dependencies, no extras."""
    dossier = tmp_path_factory.mktemp("installation")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", dossier, RACINE],
        check=True,
        cwd=dossier,
    )
    (roue,) = dossier.glob("guichet-*.whl")
    env = dossier / "venv"
    venv.create(env, with_pip=True)
    subprocess.run(
        [env / "bin" / "python", "-m", "pip", "install", "--quiet", roue], check=True, cwd=dossier
    )
    return env


def _lancer(env: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    """Run from a directory outside the checkout, so only the installed package is seen."""
    propre = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run(
        list(args), capture_output=True, text=True, cwd=env, env=propre, timeout=300, check=False
    )


def test_the_wheel_without_extras_imports_every_module_and_reads_its_data(
    installation: Path,
) -> None:
    resultat = _lancer(
        installation, installation / "bin" / "python", "-c", VERIFIER % {"paquets": PAQUETS}
    )
    assert resultat.returncode == 0, resultat.stderr
    rapport = json.loads(resultat.stdout.splitlines()[-1])
    assert rapport["echecs"] == {}
    assert ["bench", "export"] in rapport["commandes"]


def test_guichet_and_every_subcommand_answer_help(installation: Path) -> None:
    sonde = _lancer(installation, installation / "bin" / "python", "-c", VERIFIER % {"paquets": ()})
    assert sonde.returncode == 0, sonde.stderr
    commandes = json.loads(sonde.stdout.splitlines()[-1])["commandes"]
    assert len(commandes) > 20
    guichet = installation / "bin" / "guichet"
    rates = {}
    for commande in commandes:
        resultat = _lancer(installation, guichet, *commande, "--help")
        if resultat.returncode != 0 or "usage:" not in resultat.stdout:
            rates[" ".join(commande) or "(racine)"] = resultat.stderr[-500:]
    assert rates == {}
