"""`guichet simulate <dispositif> [FILE|-]`: one JSON object in, one JSON object out.

The public contract of each simulator is its `EntreeSimulation` / `SortieSimulation` pair in
`rules/simulation_*.py`. A malformed input is refused with one line per error naming the field
and the value, and exit code 2.
"""

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from rules import simulation_are, simulation_cae_dom, simulation_contrat_pro
from workers.runtime.settings import Settings


@dataclass(frozen=True)
class Simulateur:
    entree: type[BaseModel]
    simuler: Callable[[Any], BaseModel]
    aide: str


SIMULATEURS: dict[str, Simulateur] = {
    "contrat-pro": Simulateur(
        simulation_contrat_pro.EntreeSimulation,
        simulation_contrat_pro.simuler,
        "aide au contrat de professionnalisation (Pays de la Loire)",
    ),
    "cae-dom": Simulateur(
        simulation_cae_dom.EntreeSimulation,
        simulation_cae_dom.simuler,
        "CAE-DOM (contrat unique d'insertion outre-mer): durée maximale, trimestres, reversement",
    ),
    "are-dotation": Simulateur(
        simulation_are.EntreeDotation,
        simulation_are.simuler_dotation,
        "ARE Île-de-France: dotation d'un lycée pour une année scolaire",
    ),
    "are-forfaits": Simulateur(
        simulation_are.EntreeForfaits,
        simulation_are.simuler_forfaits,
        "ARE Île-de-France: forfaits de l'année suivante par l'indice des prix",
    ),
    "are-cpge": Simulateur(
        simulation_are.EntreeCpge,
        simulation_are.simuler_cpge,
        "ARE Île-de-France: aide aux frais de concours des élèves de CPGE",
    ),
}


def erreurs_lisibles(exc: ValidationError) -> list[str]:
    """One French line per error: the field path, the message, the value received."""
    lines = []
    for error in exc.errors():
        champ = ".".join(str(part) for part in error["loc"]) or "(objet)"
        message = error["msg"].removeprefix("Value error, ")
        message = message.removeprefix(f"{error['loc'][-1]} : ") if error["loc"] else message
        line = f"{champ} : {message}"
        if error["type"] == "missing":
            line = f"{champ} : champ obligatoire absent"
        elif error["type"] == "extra_forbidden":
            line = f"{champ} : champ inconnu"
        elif "input" in error and error["loc"] and "«" not in message:
            line += (
                f" (valeur reçue : {json.dumps(error['input'], ensure_ascii=False, default=str)})"
            )
        lines.append(line)
    return lines


def _run(nom: str) -> Callable[[Settings, argparse.Namespace], int]:
    simulateur = SIMULATEURS[nom]

    def run(_settings: Settings, args: argparse.Namespace) -> int:
        source = sys.stdin if args.file == "-" else open(args.file, encoding="utf-8")  # noqa: SIM115
        with source:
            text = source.read()
        try:
            entree = simulateur.entree.model_validate_json(text)
        except ValidationError as exc:
            for line in erreurs_lisibles(exc):
                print(f"guichet simulate {nom}: {line}", file=sys.stderr)
            return 2
        sortie = simulateur.simuler(entree)
        print(json.dumps(sortie.model_dump(mode="json"), ensure_ascii=False, indent=2))
        return 0

    return run


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    simulate = commands.add_parser("simulate", help="simulateurs des dispositifs (JSON)")
    sub = simulate.add_subparsers(dest="simulate_command", required=True, metavar="DISPOSITIF")
    for nom, simulateur in SIMULATEURS.items():
        parser = sub.add_parser(
            nom,
            help=simulateur.aide,
            description=f"Simulateur: {simulateur.aide}. Lit un objet JSON (fichier ou - pour "
            "l'entrée standard), écrit un objet JSON. Entrée invalide: code de sortie 2.",
        )
        parser.add_argument("file", nargs="?", default="-", metavar="FICHIER|-")
        parser.set_defaults(run=_run(nom))
