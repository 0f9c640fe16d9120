"""The layers hold (pyproject.toml, `[tool.importlinter]`), and what import-linter cannot see:

- workflow modules import anything but the standard library, `temporalio` and other workflow
  modules only inside `with workflow.unsafe.imports_passed_through():` (a `with` block is
  invisible to import-linter's graph);
- the contracts bite: the real contracts, run on a copy of the packages with a bad import
  written in, fail and name it;
- every module of models/ is either checked as a domain module or declared read model;
- importing rules/ and the domain models reads no reference file (it is read on first use).
"""

import ast
import os
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

RACINE = Path(__file__).resolve().parents[1]
PAQUETS = ("rules", "models", "workflows", "activities", "events", "workers")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

MODELE_LECTURE = {
    "models.tables",
    "models.depot",
    "models.depot_rgpd",
    "models.depot_audit",
    "models.migrations",
    "models.recherche",
}
"""Modules of models/ left out of the domain contract by product decision: the read model
(SQLModel, SQLAlchemy, Alembic) and the search-attribute keys (`temporalio.common`)."""


def _contrats() -> dict[str, dict[str, Any]]:
    config = tomllib.loads((RACINE / "pyproject.toml").read_text(encoding="utf-8"))
    return {c["id"]: c for c in config["tool"]["importlinter"]["contracts"]}


# --- workflow modules: I/O libraries only through imports_passed_through() ------------------


def _passe_a_travers(noeud: ast.With) -> bool:
    return any(
        isinstance(item.context_expr, ast.Call)
        and ast.unparse(item.context_expr.func).endswith("imports_passed_through")
        for item in noeud.items
    )


def _imports_hors_du_bloc(arbre: ast.Module) -> Iterator[tuple[int, str]]:
    """(line, module) of every import run when the module is loaded, outside the with-blocks
    (function bodies run later, `if TYPE_CHECKING:` never)."""
    a_voir: list[ast.AST] = list(arbre.body)
    while a_voir:
        noeud = a_voir.pop()
        if isinstance(noeud, ast.With) and _passe_a_travers(noeud):
            continue
        if isinstance(noeud, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            continue
        if isinstance(noeud, ast.If) and ast.unparse(noeud.test).endswith("TYPE_CHECKING"):
            a_voir.extend(noeud.orelse)
            continue
        if isinstance(noeud, ast.Import):
            yield from ((noeud.lineno, alias.name) for alias in noeud.names)
        elif isinstance(noeud, ast.ImportFrom):
            yield noeud.lineno, "." * noeud.level + (noeud.module or "")
        a_voir.extend(ast.iter_child_nodes(noeud))


def _permis_hors_du_bloc(module: str) -> bool:
    """The standard library, Temporal, and workflow modules themselves (workflow code is
    loaded by the sandbox, never passed through)."""
    if module.startswith("."):
        return True  # a relative import inside workflows/ is a workflow module
    racine = module.split(".", maxsplit=1)[0]
    return racine in sys.stdlib_module_names or racine in ("__future__", "temporalio", "workflows")


def test_workflow_modules_import_io_libraries_only_inside_imports_passed_through() -> None:
    fautes = [
        f"{chemin.relative_to(RACINE)}:{ligne}: import {module} hors de "
        "`with workflow.unsafe.imports_passed_through():`"
        for chemin in sorted((RACINE / "workflows").rglob("*.py"))
        for ligne, module in _imports_hors_du_bloc(ast.parse(chemin.read_text(encoding="utf-8")))
        if not _permis_hors_du_bloc(module)
    ]
    assert not fautes, "\n".join(fautes)


def test_the_workflow_check_sees_an_import_outside_the_block() -> None:
    source = (
        "from datetime import date\n"
        "import httpx\n"
        "from temporalio import workflow\n"
        "with workflow.unsafe.imports_passed_through():\n"
        "    from models.dossier import Registre\n"
        "if True:\n"
        "    from models import depot\n"
        "def plus_tard() -> None:\n"
        "    import sqlmodel\n"
    )
    fautes = [
        (ligne, module)
        for ligne, module in _imports_hors_du_bloc(ast.parse(source))
        if not _permis_hors_du_bloc(module)
    ]
    assert sorted(fautes) == [(2, "httpx"), (7, "models")]


# --- the contracts bite -------------------------------------------------------------------


@pytest.fixture(scope="module")
def copie(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The six packages and pyproject.toml, copied: each test writes its bad import in a copy."""
    dossier = tmp_path_factory.mktemp("couches")
    for paquet in PAQUETS:
        shutil.copytree(
            RACINE / paquet, dossier / paquet, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(RACINE / "pyproject.toml", dossier / "pyproject.toml")
    return dossier


def _lint_imports(dossier: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """`lint-imports` with the copied pyproject.toml, the copied packages first on the path."""
    env = {**os.environ, "PYTHONPATH": str(dossier)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-logo", "--no-cache", *options, "pyproject.toml"],
        cwd=dossier,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_contracts_hold_on_the_untouched_copy(copie: Path) -> None:
    resultat = _lint_imports(copie)
    assert resultat.returncode == 0, resultat.stdout + resultat.stderr
    assert "0 broken" in resultat.stdout


MAUVAIS_IMPORTS = [
    # rules is the lowest layer: it imports no workflow
    (
        "couches",
        "rules/calendrier.py",
        "from workflows import suivi",
        "rules.calendrier -> workflows",
    ),
    # models sits under events
    ("couches", "models/sortants.py", "import events.topics", "models.sortants -> events.topics"),
    # rules and the domain models import no Temporal...
    ("domaine-sans-io", "rules/retention.py", "import temporalio", "rules.retention -> temporalio"),
    # ...not even through the read model
    (
        "domaine-sans-io",
        "models/dossier.py",
        "from models import depot",
        "models.dossier -> models.depot",
    ),
    # the ARE computations stay free of Kafka
    (
        "are-calculs-sans-io",
        "activities/are/bilan.py",
        "import aiokafka",
        "activities.are.bilan -> aiokafka",
    ),
]


@pytest.mark.parametrize(("contrat", "module", "mauvais_import", "attendu"), MAUVAIS_IMPORTS)
def test_a_bad_import_breaks_its_contract_and_is_named(
    copie: Path, contrat: str, module: str, mauvais_import: str, attendu: str
) -> None:
    fichier = copie / module
    original = fichier.read_text(encoding="utf-8")
    fichier.write_text(f"{original}\n{mauvais_import}  # noqa\n", encoding="utf-8")
    try:
        resultat = _lint_imports(copie, "--contract", contrat)
    finally:
        fichier.write_text(original, encoding="utf-8")
    sortie = resultat.stdout + resultat.stderr
    assert resultat.returncode != 0, sortie
    assert f"{_contrats()[contrat]['name']} BROKEN" in " ".join(sortie.split())
    assert attendu in sortie


def test_every_module_of_models_is_a_domain_source_or_declared_read_model() -> None:
    sources = set(_contrats()["domaine-sans-io"]["source_modules"])
    modules = {
        f"models.{chemin.stem}" if chemin.suffix == ".py" else f"models.{chemin.name}"
        for chemin in (RACINE / "models").iterdir()
        if (chemin.suffix == ".py" and chemin.stem != "__init__")
        or (chemin.is_dir() and (chemin / "__init__.py").exists())
    }
    assert modules - sources - MODELE_LECTURE == set(), "à ranger dans le contrat ou la liste"
    assert sources & MODELE_LECTURE == set()


# --- reference data is read on first use, not at import ---------------------------------------

_SANS_LECTURE = """
import builtins, importlib, pathlib, pkgutil, sys

def _garde(ouvrir):
    def ouvrir_sans_donnees(fichier, *args, **kwargs):
        if "rules/data" in str(fichier).replace("\\\\", "/"):
            raise RuntimeError(f"lu à l'import : {fichier}")
        return ouvrir(fichier, *args, **kwargs)
    return ouvrir_sans_donnees

builtins.open = _garde(builtins.open)
pathlib.Path.open = _garde(pathlib.Path.open)
import rules, models
noms = [
    m.name for p in (rules, models) for m in pkgutil.walk_packages(p.__path__, p.__name__ + ".")
]
for nom in noms:
    if nom.split(".")[1] not in ("tables", "depot", "depot_rgpd", "migrations", "recherche"):
        importlib.import_module(nom)
print(len(noms))
"""


def test_importing_rules_and_the_domain_models_reads_no_reference_file() -> None:
    resultat = subprocess.run(
        [sys.executable, "-c", _SANS_LECTURE],
        cwd=RACINE,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert resultat.returncode == 0, resultat.stderr
    assert int(resultat.stdout) > 30
