"""`guichet dev`, `guichet worker`, `guichet consume`: the long-running services."""

import argparse
import asyncio
import contextlib
import signal
from collections.abc import Coroutine
from typing import Any

from workers.runtime.dev import run_dev
from workers.runtime.services import run_consumer, run_worker
from workers.runtime.settings import Settings


async def _dev(settings: Settings, _args: argparse.Namespace) -> None:
    await run_dev(settings)


async def _until_stopped(service: Coroutine[Any, Any, None]) -> None:
    """Run a service until it ends or SIGINT/SIGTERM cancels it (a clean stop: exit 0)."""
    task = asyncio.ensure_future(service)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, task.cancel)
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def _worker(settings: Settings, _args: argparse.Namespace) -> None:
    await _until_stopped(run_worker(settings))


async def _consume(settings: Settings, _args: argparse.Namespace) -> None:
    await _until_stopped(run_consumer(settings))


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
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
