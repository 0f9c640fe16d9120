"""`guichet bench ingest`: end-to-end ingestion figures on a private embedded stack.

Starts its own Temporal dev server and Tansu broker (temporary directory, free ports), the
worker and the consumer, then publishes `dossiers x events` contrat-pro events on Kafka and
waits until every one is applied by its workflow and projected into the read model. Prints,
from this one run: events/s end to end, p50/p99 latency (publish -> applied, from the audit
log), the history events per partner event (the dossiers' histories, `describe`), the CPU
seconds per 1 000 events of the guichet process (worker, consumer and the bench's publisher),
the Temporal server and the broker (Linux `/proc`), and two references on the same server,
without Kafka, with guichet's ratio to each: the raw signal-with-start rate (no worker on that
task queue: the server's acceptance cost only) and the rate of the same signals applied by a
workflow that only counts them (`workers/bench/sans_effet.py`: the floor cost of one workflow
task per event on a Python worker).
"""

import asyncio
import dataclasses
import functools
import os
import resource
import statistics
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func
from sqlmodel import Session, col, select
from temporalio.worker import Worker

from events import topics
from events.admin import ensure_topics
from events.catalogue import CATALOGUE
from events.delivery import Livrable, deliver
from events.publisher import KafkaPublisher
from models.evenements import CloudEvent
from models.tables import Audit, Dossier
from rules.calendrier import PARIS
from rules.contrat_pro import add_months
from workers.bench.sans_effet import WORKFLOW_SANS_EFFET, SansEffetWorkflow
from workers.runtime import processes
from workers.runtime.database import engine_for
from workers.runtime.dev import start_servers, stop_servers
from workers.runtime.services import run_consumer, run_worker
from workers.runtime.settings import Settings
from workers.runtime.temporal import client_for

TYPE = "opco.contrat-pro.enregistre.v1"


@dataclass(frozen=True)
class Passe:
    """One run of events through the stack: a burst (as fast as published) or an open loop
    (published at a fixed rate)."""

    nom: str
    evenements: int
    duree_s: float
    evenements_par_s: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    historique_par_evenement: float
    cpu_par_1000: dict[str, float]
    """CPU seconds per 1 000 events, by process (guichet, temporal, tansu)."""

    def lignes(self) -> list[str]:
        return [
            f"{self.nom}: {self.evenements} événements, bout en bout (Kafka -> workflow -> base "
            f"de lecture) {self.evenements_par_s:.1f} événements/s en {self.duree_s:.1f} s",
            f"  latence publication -> application: p50 {self.p50_ms:.0f} ms, "
            f"p95 {self.p95_ms:.0f} ms, p99 {self.p99_ms:.0f} ms",
            f"  événements d'historique par événement partenaire: "
            f"{self.historique_par_evenement:.1f}",
            "  CPU par 1 000 événements: "
            + ", ".join(f"{nom} {s:.1f} s" for nom, s in self.cpu_par_1000.items()),
        ]


@dataclass(frozen=True)
class Resultats:
    dossiers: int
    evenements_par_dossier: int
    passes: list[Passe]
    """The burst first when there is one (its rate is the maximum the ratios use)."""
    signal_with_start_par_s: float
    sans_effet_par_s: float

    def lignes(self) -> list[str]:
        maximum = self.passes[0].evenements_par_s
        return [
            f"dossiers x événements par passe  {self.dossiers} x {self.evenements_par_dossier}",
            *(ligne for passe in self.passes for ligne in passe.lignes()),
            f"référence: signal-with-start Temporal seul (sans Kafka, sans worker): "
            f"{self.signal_with_start_par_s:.1f} /s",
            f"rapport bout en bout / référence: {maximum / self.signal_with_start_par_s:.2f}",
            f"référence: mêmes signaux appliqués par un workflow sans effet (worker Python): "
            f"{self.sans_effet_par_s:.1f} /s",
            f"rapport bout en bout / workflow sans effet: {maximum / self.sans_effet_par_s:.2f}",
        ]


def evenement_contrat(numero: str, n: int, debut: date) -> CloudEvent:
    """A contract's registration (`TYPE`, event `n` of its dossier) that started on `debut`."""
    data = dict(CATALOGUE[TYPE].exemple)
    data["numero_contrat"] = numero
    data["date_debut"] = debut.isoformat()
    data["date_fin"] = (add_months(debut, 12) - timedelta(days=1)).isoformat()
    return CloudEvent(
        id=f"{numero}-{n}",
        source="/bench",
        type=TYPE,
        subject=numero,
        time=datetime.now(UTC),
        data=data,
    )


async def _raw_signal_rate(settings: Settings, count: int, concurrency: int = 20) -> float:
    """signal-with-start calls per second on a task queue no worker polls."""
    client = await client_for(settings)
    debut = datetime.now(PARIS).date()
    spec = CATALOGUE[TYPE]
    run = uuid.uuid4().hex[:6]
    events = [
        evenement_contrat(f"RAW-{run}-{i % max(count // 4, 1)}", i, debut) for i in range(count)
    ]
    queue: asyncio.Queue[CloudEvent] = asyncio.Queue()
    for event in events:
        queue.put_nowait(event)

    async def sender() -> None:
        while not queue.empty():
            event = queue.get_nowait()
            await deliver(client, f"bench-sans-worker-{run}", Livrable(event, spec))

    started = time.perf_counter()
    await asyncio.gather(*(sender() for _ in range(concurrency)))
    return count / (time.perf_counter() - started)


def cpu_s(pid: int | None = None) -> float:
    """CPU seconds (user + system) used so far by this process, or by process `pid` (Linux
    `/proc/<pid>/stat`, fields 14 and 15 in clock ticks)."""
    if pid is None:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime
    champs = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(champs[11]) + int(champs[12])) / os.sysconf("SC_CLK_TCK")


async def _historique(settings: Settings, dossiers: list[str]) -> int:
    """The history events of the dossiers' workflows (their current run)."""
    client = await client_for(settings)
    total = 0
    for numero in dossiers:
        description = await client.get_workflow_handle(f"contrat-pro:{numero}").describe()
        total += description.history_length
    return total


async def _sans_effet_rate(settings: Settings, count: int, concurrency: int = 20) -> float:
    """Signals per second applied (signal-with-start accepted, then counted by the workflow)
    by `SansEffetWorkflow` on a worker of its own, `count // 4` workflows."""
    client = await client_for(settings)
    debut = datetime.now(PARIS).date()
    run = uuid.uuid4().hex[:6]
    spec = dataclasses.replace(CATALOGUE[TYPE], workflow=WORKFLOW_SANS_EFFET)
    cles = [f"NOOP-{run}-{i}" for i in range(max(count // 4, 1))]
    queue: asyncio.Queue[CloudEvent] = asyncio.Queue()
    for i in range(count):
        queue.put_nowait(evenement_contrat(cles[i % len(cles)], i, debut))
    task_queue = f"bench-sans-effet-{run}"

    async def sender() -> None:
        while not queue.empty():
            await deliver(client, task_queue, Livrable(queue.get_nowait(), spec))

    async with Worker(client, task_queue=task_queue, workflows=[SansEffetWorkflow]):
        started = time.perf_counter()
        await asyncio.gather(*(sender() for _ in range(concurrency)))
        while True:
            recus = 0
            for cle in cles:
                handle = client.get_workflow_handle(f"{WORKFLOW_SANS_EFFET}:{cle}")
                recus += await handle.query("recus", result_type=int)
            if recus >= count:
                break
            await asyncio.sleep(0.2)
        duree = time.perf_counter() - started
        for cle in cles:
            await client.get_workflow_handle(f"{WORKFLOW_SANS_EFFET}:{cle}").terminate("banc")
    return count / duree


async def _wait_applied(settings: Settings, prefixe: str, expected: int, within_s: float) -> None:
    """Until the `expected` events of the dossiers `<prefixe>-...` are applied and projected."""
    engine = engine_for(settings.effective_database_url)
    deadline = time.monotonic() + within_s
    while True:
        with Session(engine) as session:
            applied = session.exec(
                select(func.count())
                .select_from(Audit)
                .where(col(Audit.nature) == "evenement", col(Audit.cle_unique).startswith(prefixe))
            ).one()
            projected = (
                session.exec(
                    select(func.sum(Dossier.version)).where(
                        col(Dossier.reference).startswith(prefixe)
                    )
                ).one()
                or 0
            )
        if applied >= expected and projected >= expected:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"{applied}/{expected} événements appliqués après {within_s:.0f} s")
        await asyncio.sleep(0.5)


async def run_ingest(
    dossiers: int, evenements: int, debit: float | None = None, timeout_s: float = 1800
) -> Resultats:
    """`debit` None: a burst (the maximum rate), then an open loop at half of it, each on
    dossiers of its own; else one open loop at `debit` events/s."""
    with tempfile.TemporaryDirectory(prefix="guichet-bench-") as tmp:
        settings = Settings(
            _env_file=None,
            data_dir=Path(tmp),
            temporal_address=f"127.0.0.1:{processes.free_port()}",
            temporal_ui_port=processes.free_port(),
            kafka_bootstrap_servers=f"127.0.0.1:{processes.free_port()}",
            task_queue="bench",
            kafka_group_id="bench",
        )
        servers = start_servers(settings)
        tasks: list[asyncio.Task[None]] = []
        try:
            await _connect_when_ready(settings)
            await ensure_topics(settings.kafka_bootstrap_servers)
            ready = [asyncio.Event(), asyncio.Event()]
            tasks = [
                asyncio.create_task(run_worker(settings, ready[0])),
                asyncio.create_task(run_consumer(settings, ready[1])),
            ]
            for event in ready:
                await event.wait()
            pids = {"guichet": None, **{s.name: s.pid for s in servers}}
            mesurer = functools.partial(
                _passe,
                settings,
                dossiers=dossiers,
                evenements=evenements,
                pids=pids,
                timeout_s=timeout_s,
            )
            passes: list[Passe] = []
            if debit is None:
                passes.append(await mesurer("rafale", debit=None))
                debit = passes[0].evenements_par_s / 2
            passes.append(await mesurer(f"débit ouvert {debit:.1f}/s", debit=debit))
            total = min(dossiers * evenements, 2000)
            return Resultats(
                dossiers=dossiers,
                evenements_par_dossier=evenements,
                passes=passes,
                signal_with_start_par_s=await _raw_signal_rate(settings, total),
                sans_effet_par_s=await _sans_effet_rate(settings, total),
            )
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            stop_servers(servers)


async def _connect_when_ready(settings: Settings) -> None:
    for _ in range(120):
        try:
            await client_for(settings)
            return
        except Exception:
            await asyncio.sleep(0.5)
    await client_for(settings)


async def _passe(
    settings: Settings,
    nom: str,
    *,
    dossiers: int,
    evenements: int,
    debit: float | None,
    pids: dict[str, int | None],
    timeout_s: float,
) -> Passe:
    """Publish `dossiers x evenements` events on new dossiers, as fast as possible or at
    `debit` events/s, and measure until every one is applied and projected."""
    debut = datetime.now(PARIS).date()
    prefixe = f"BENCH{uuid.uuid4().hex[:6]}"
    cpu_avant = {nom_: cpu_s(pid) for nom_, pid in pids.items()}
    events = [
        evenement_contrat(f"{prefixe}-{d:06d}", n, debut)
        for n in range(evenements)
        for d in range(dossiers)
    ]
    publisher = KafkaPublisher(settings.kafka_bootstrap_servers)
    await publisher.start()
    published_at: dict[str, datetime] = {}
    started = time.perf_counter()
    try:
        for rang, event in enumerate(events):
            if debit is not None:
                await asyncio.sleep(max(0.0, started + rang / debit - time.perf_counter()))
            published_at[event.id] = datetime.now(UTC)
            await publisher.publish(topics.OPCO, event.subject, event.model_dump_json().encode())
    finally:
        await publisher.stop()
    await _wait_applied(settings, prefixe, len(events), timeout_s)
    duree = time.perf_counter() - started
    cpu = {nom_: cpu_s(pid) - cpu_avant[nom_] for nom_, pid in pids.items()}
    historique = await _historique(settings, sorted({e.subject for e in events}))

    engine = engine_for(settings.effective_database_url)
    with Session(engine) as session:
        lines = session.exec(
            select(Audit).where(
                col(Audit.nature) == "evenement", col(Audit.cle_unique).startswith(prefixe)
            )
        ).all()
    latencies = sorted(
        (
            line.horodatage.replace(tzinfo=line.horodatage.tzinfo or UTC)
            - published_at[line.cle_unique]
        ).total_seconds()
        * 1000
        for line in lines
        if line.cle_unique in published_at
    )
    quantiles = statistics.quantiles(latencies, n=100, method="inclusive")
    return Passe(
        nom=nom,
        evenements=len(events),
        duree_s=duree,
        evenements_par_s=len(events) / duree,
        p50_ms=quantiles[49],
        p95_ms=quantiles[94],
        p99_ms=quantiles[98],
        historique_par_evenement=historique / len(events),
        cpu_par_1000={nom_: s * 1000 / len(events) for nom_, s in cpu.items()},
    )
