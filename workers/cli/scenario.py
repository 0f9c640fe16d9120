"""`guichet scenario run FILE... [--json]` and `guichet scenario record KEY [-o FILE]`.

`run` plays scenario files (docs/scenarios.md) on the time-skipping test server with the real
workflows and activities: one PASS/FAIL line per expectation, exit code 1 on any failure.
`record` writes a scenario from a real dossier's Temporal history.
"""

import argparse
import json
import logging
import sys
from pathlib import Path

import yaml

from workers.runtime.settings import Settings
from workers.runtime.temporal import client_for
from workers.scenarios.execution import executer
from workers.scenarios.record import ErreurEnregistrement, enregistrer
from workers.scenarios.resultats import Resultat


def afficher(resultat: Resultat) -> None:
    print(f"== {resultat.fichier}: {resultat.titre}")
    for ligne in resultat.lignes:
        print(f"  {ligne.texte()}")
    if resultat.erreur:
        print(f"  ERREUR {resultat.erreur}")
    bilan = "OK" if resultat.ok else "ÉCHEC"
    echecs = sum(not ligne.ok for ligne in resultat.lignes)
    print(
        f"  {bilan}: {len(resultat.lignes) - echecs} attente(s) vérifiée(s), {echecs} en échec, "
        f"{resultat.duree_s:.1f} s"
    )


async def run_scenarios(_settings: Settings, args: argparse.Namespace) -> int:
    resultats = []
    racine = logging.getLogger()
    niveau = racine.level
    racine.setLevel(max(niveau, logging.WARNING))  # the workers' INFO lines would drown the report
    try:
        for fichier in args.fichiers:
            resultat = await executer(
                Path(fichier),
                historiques=Path(args.record_histories) if args.record_histories else None,
            )
            resultats.append(resultat)
            if not args.json:
                afficher(resultat)
    finally:
        racine.setLevel(niveau)
    ok = all(r.ok for r in resultats)
    if args.json:
        print(
            json.dumps(
                {"ok": ok, "scenarios": [r.json() for r in resultats]},
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        print(f"{sum(r.ok for r in resultats)}/{len(resultats)} scénario(s) réussi(s)")
    return 0 if ok else 1


def _yaml(scenario: dict[str, object]) -> str:
    return yaml.safe_dump(scenario, allow_unicode=True, sort_keys=False, width=100)


async def record_scenario(settings: Settings, args: argparse.Namespace) -> int:
    client = await client_for(settings)
    try:
        scenario = await enregistrer(client, args.cle)
    except ErreurEnregistrement as exc:
        print(f"guichet scenario record: {exc}", file=sys.stderr)
        return 1
    _ecrire(_yaml(scenario), args.output)
    return 0


def _ecrire(texte: str, sortie: str | None) -> None:
    if sortie:
        Path(sortie).write_text(texte, encoding="utf-8")
        print(f"scénario écrit: {sortie}", file=sys.stderr)
    else:
        print(texte, end="")


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    scenario = commands.add_parser(
        "scenario", help="scénarios: la vie d'un dossier en temps simulé (docs/scenarios.md)"
    )
    sub = scenario.add_subparsers(dest="scenario_command", required=True, metavar="COMMANDE")
    run = sub.add_parser(
        "run",
        help="joue des fichiers de scénario sur le serveur de test à saut de temps",
        description="Joue chaque fichier avec les vrais workflows et activités; une ligne "
        "PASS/FAIL par attente; code de sortie 1 au moindre échec.",
    )
    run.add_argument("fichiers", nargs="+", metavar="FICHIER")
    run.add_argument("--json", action="store_true", help="sortie JSON pour les machines")
    run.add_argument(
        "--record-histories",
        metavar="DOSSIER",
        help="écrit l'historique Temporal de chaque dossier (fixtures de rejeu, tests/replay)",
    )
    run.set_defaults(run=run_scenarios)
    record = sub.add_parser(
        "record",
        help="écrit un scénario depuis l'historique Temporal d'un dossier réel",
        description="CLE: l'identifiant du workflow, <type>:<clé>, p. ex. "
        "contrat-pro:OPCO-2024-000123. Sans -o, le scénario va sur la sortie standard.",
    )
    record.add_argument("cle", metavar="CLE")
    record.add_argument("-o", "--output", metavar="FICHIER")
    record.set_defaults(run=record_scenario)
