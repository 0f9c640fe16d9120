"""`guichet bench ingest`: measured figures from one run (a command, never a timed test)."""

import argparse
import platform
from datetime import UTC, datetime

from workers.bench import run_ingest
from workers.settings import Settings


async def _ingest(_settings: Settings, args: argparse.Namespace) -> int:
    resultats = await run_ingest(args.dossiers, args.events)
    print(f"guichet bench ingest --dossiers {args.dossiers} --events {args.events}")
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.node()}, {platform.machine()}")
    for line in resultats.lignes():
        print(line)
    return 0


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    bench = commands.add_parser("bench", help="mesures de performance (une exécution)")
    sub = bench.add_subparsers(dest="bench_command", required=True, metavar="MESURE")
    ingest = sub.add_parser(
        "ingest",
        help="débit et latence de bout en bout des événements partenaires",
        description="Démarre une pile embarquée privée (répertoire temporaire, ports libres), "
        "publie DOSSIERS x EVENTS événements et attend qu'ils soient appliqués et projetés; "
        "affiche le débit, les latences p50/p99 et la référence signal-with-start sans Kafka.",
    )
    ingest.add_argument("--dossiers", type=int, default=200)
    ingest.add_argument("--events", type=int, default=5, help="événements par dossier")
    ingest.set_defaults(run=_ingest)
