"""The `guichet` command line."""

import argparse
import asyncio
import sys
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from workers.dev import run_dev
from workers.errors import ServiceUnreachable
from workers.logging import configure_logging
from workers.services import run_consumer, run_worker
from workers.settings import Settings

Command = Callable[[Settings, argparse.Namespace], Coroutine[Any, Any, None]]


async def _dev(settings: Settings, _args: argparse.Namespace) -> None:
    await run_dev(settings)


async def _worker(settings: Settings, _args: argparse.Namespace) -> None:
    await run_worker(settings)


async def _consume(settings: Settings, _args: argparse.Namespace) -> None:
    await run_consumer(settings)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="guichet",
        description="Instruction et paiement des dossiers d'aide. Réglages: variables "
        "GUICHET_* ou fichier .env (voir README).",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMANDE")
    dev = commands.add_parser(
        "dev",
        help="la pile embarquée complète: Temporal, Kafka (Tansu), worker et consommateur",
        description="Démarre Temporal (dev server, fichier SQLite dans le répertoire de "
        "données), le broker Tansu, crée les topics, puis le worker et le consommateur. "
        "Ctrl-C ou SIGTERM arrête tout.",
    )
    dev.set_defaults(run=_dev)
    worker = commands.add_parser(
        "worker",
        help="le worker Temporal (workflows et activités)",
        description="Exécute les workflows des dossiers et leurs activités sur la file de "
        "tâches configurée (GUICHET_TASK_QUEUE).",
    )
    worker.set_defaults(run=_worker)
    consume = commands.add_parser(
        "consume",
        help="le consommateur des événements partenaires (Kafka vers Temporal)",
        description="Lit les topics partenaires et livre chaque événement au workflow de son "
        "dossier; les événements invalides partent sur le topic des rebuts.",
    )
    consume.set_defaults(run=_consume)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = Settings()
    configure_logging(settings)
    command: Command = args.run
    try:
        asyncio.run(command(settings, args))
    except ServiceUnreachable as exc:
        print(f"guichet: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
