"""The `guichet` command line.

Each group of commands lives in its own module exposing `register(commands)`, which adds its
sub-parsers with `set_defaults(run=...)`. A `run` function takes the settings and the parsed
arguments and returns an exit code (or None for 0); it may be a coroutine function.
"""

import argparse
import asyncio
import inspect
import logging
import os
import sys
from collections.abc import Sequence

from workers.cli import (
    api,
    audit,
    bench,
    cles,
    decide,
    demo,
    dossiers,
    events,
    exapro,
    rapports,
    rebuts,
    rgpd,
    scenario,
    services,
    simulate,
    utilisateurs,
)
from workers.runtime.codec import CleInvalide
from workers.runtime.errors import ServiceUnreachable
from workers.runtime.logging import configure_logging
from workers.runtime.settings import Settings

COMMAND_MODULES = [
    services,
    events,
    dossiers,
    demo,
    simulate,
    bench,
    exapro,
    api,
    utilisateurs,
    decide,
    cles,
    rgpd,
    rebuts,
    audit,
    rapports,
    scenario,
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="guichet",
        description="Instruction et paiement des dossiers d'aide. Réglages: variables "
        "GUICHET_* ou fichier .env (voir README).",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMANDE")
    for module in COMMAND_MODULES:
        module.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = Settings()
    configure_logging(settings)
    try:
        outcome = args.run(settings, args)
        if inspect.iscoroutine(outcome):
            outcome = asyncio.run(outcome)
    except (ServiceUnreachable, CleInvalide) as exc:
        print(f"guichet: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return int(outcome or 0)


def run() -> None:
    """The console entry point. Exits without interpreter finalization: the Temporal client's
    native threads can still be alive then, and finalizing under them has aborted the process
    (`PyGILState_Release` fatal error) after the command had succeeded."""
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    logging.shutdown()
    os._exit(code)
