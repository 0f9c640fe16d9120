"""Poison versus outage, and stopping: the consumer on real servers (Tansu, Temporal dev
server), each test with a Kafka broker of its own.

- a record that fails the same way `essais_max` times is dead-lettered and the topic moves on;
- an outage (database, Kafka, Temporal) is retried as long as it lasts and never skipped;
- SIGTERM stops `guichet consume` within seconds while it retries, committing nothing."""

import os
import signal
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
from aiokafka import ConsumerRecord
from sqlalchemy.exc import OperationalError
from temporalio.client import Client

from events import consumer, topics
from events.consumer import build_broker
from events.delivery import Rejet
from events.publisher import KafkaPublisher
from events.registre import CodeRejet
from models.contrat_pro import EtatContratPro
from tests.attente import attendre, etat_quand
from tests.conftest import start_temporal_dev_server
from tests.factories import contrat_enregistre
from tests.integration.conftest import (
    PAYLOAD_KEYS,
    lancer_guichet,
    settings_for,
    start_services,
    stop_services,
)
from workers.runtime import processes
from workers.runtime.errors import ServiceUnreachable
from workers.runtime.temporal import client_for

pytestmark = pytest.mark.integration


async def _publier(bootstrap: str, cle: str, nombre: int) -> None:
    publisher = KafkaPublisher(bootstrap)
    await publisher.start()
    try:
        for rang in range(nombre):
            await publisher.publish(topics.OPCO, cle, f"record-{rang}".encode())
    finally:
        await publisher.stop()


@pytest.fixture(autouse=True)
def _backoff_court(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(consumer, "FIRST_BACKOFF_S", 0.01)
    monkeypatch.setattr(consumer, "MAX_BACKOFF_S", 0.05)


async def test_a_record_failing_the_same_way_n_times_is_dead_lettered_and_the_topic_moves_on(
    fresh_kafka_broker: str,
) -> None:
    essais: Counter[int] = Counter()
    traites: list[int] = []
    rejetes: list[tuple[int, Rejet]] = []

    async def traiter(_topic: str, record: ConsumerRecord) -> None:
        essais[record.offset] += 1
        if record.offset == 1:
            raise ValueError("a bug this record triggers every time")
        traites.append(record.offset)

    async def rejeter(record: ConsumerRecord, rejet: Rejet) -> None:
        rejetes.append((record.offset, rejet))

    broker = build_broker(
        bootstrap_servers=fresh_kafka_broker,
        group_id=f"poison-{uuid.uuid4()}",
        traiter=traiter,
        rejeter=rejeter,
        essais_max=3,
    )
    await broker.start()
    try:
        await _publier(fresh_kafka_broker, "UN-DOSSIER", 3)
        await attendre(lambda: list(traites), 60, "records 0 and 2 handled", jusqu_a=[0, 2].__eq__)
    finally:
        await broker.stop()

    assert essais[1] == 3
    assert [(offset, rejet.code) for offset, rejet in rejetes] == [(1, CodeRejet.ECHECS_REPETES)]
    assert "3 fois de suite (ValueError" in rejetes[0][1].motif
    assert "a bug" not in rejetes[0][1].motif, "an exception text may quote the record"


@pytest.mark.parametrize(
    "panne",
    [
        OperationalError("INSERT", {}, ConnectionRefusedError("database down")),
        ConnectionRefusedError("kafka down"),
        TimeoutError(),
    ],
    ids=["base", "reseau", "delai"],
)
async def test_an_outage_is_retried_as_long_as_it_lasts_and_never_dead_lettered(
    fresh_kafka_broker: str, panne: Exception
) -> None:
    essais: Counter[int] = Counter()
    traites: list[int] = []
    rejetes: list[int] = []

    async def traiter(_topic: str, record: ConsumerRecord) -> None:
        essais[record.offset] += 1
        if essais[record.offset] <= 8:  # longer than essais_max
            raise panne
        traites.append(record.offset)

    async def rejeter(record: ConsumerRecord, _rejet: Rejet) -> None:
        rejetes.append(record.offset)

    broker = build_broker(
        bootstrap_servers=fresh_kafka_broker,
        group_id=f"panne-{uuid.uuid4()}",
        traiter=traiter,
        rejeter=rejeter,
        essais_max=3,
    )
    await broker.start()
    try:
        await _publier(fresh_kafka_broker, "UN-DOSSIER", 2)
        await attendre(lambda: list(traites), 60, "both records handled", jusqu_a=[0, 1].__eq__)
    finally:
        await broker.stop()

    assert rejetes == []
    assert essais == Counter({0: 9, 1: 9})


async def test_sigterm_stops_the_consumer_within_seconds_while_it_retries_and_commits_nothing(
    fresh_kafka_broker: str, tmp_path: Path
) -> None:
    """`guichet consume` retries an event while Temporal is down; SIGTERM stops it within
    seconds (exit 0); the event, never committed, is applied once the service is back."""
    port = processes.free_port()
    temporal = start_temporal_dev_server(tmp_path, port)
    settings = settings_for(f"127.0.0.1:{port}", fresh_kafka_broker, f"sqlite:///{tmp_path}/l.db")
    journal = tmp_path / "consume.log"
    env = {
        **os.environ,
        "GUICHET_TEMPORAL_ADDRESS": settings.temporal_address,
        "GUICHET_KAFKA_BOOTSTRAP_SERVERS": fresh_kafka_broker,
        "GUICHET_KAFKA_GROUP_ID": settings.kafka_group_id,
        "GUICHET_TASK_QUEUE": settings.task_queue,
        "GUICHET_DATABASE_URL": settings.database_url,
        "GUICHET_DATA_DIR": str(tmp_path / "donnees"),
        "GUICHET_PAYLOAD_KEYS": PAYLOAD_KEYS.get_secret_value(),
        "GUICHET_LOG_FORMAT": "json",
    }
    consommateur = lancer_guichet("consume", env, journal)
    numero = f"SIGTERM-{uuid.uuid4().hex[:8]}"
    event = contrat_enregistre(numero, event_id=f"{numero}/1")

    def lu() -> str:
        return journal.read_text(errors="replace")

    try:
        await attendre(
            lu, 90, "the consumer started", jusqu_a=lambda t: "consommateur_demarre" in t
        )
        temporal.stop()
        publisher = KafkaPublisher(fresh_kafka_broker)
        await publisher.start()
        try:
            await publisher.publish(topics.OPCO, numero, event.model_dump_json().encode())
        finally:
            await publisher.stop()
        await attendre(
            lu, 60, "the consumer retrying", jusqu_a=lambda t: t.count("temporal_indisponible") >= 2
        )

        consommateur.send_signal(signal.SIGTERM)
        debut = time.monotonic()
        code = await attendre(
            consommateur.poll,
            10,
            "the consumer stopped after SIGTERM",
            jusqu_a=lambda c: c is not None,
        )
        print(f"guichet consume stopped {time.monotonic() - debut:.1f} s after SIGTERM")
        assert code == 0, lu()[-3000:]
    finally:
        if consommateur.poll() is None:
            consommateur.kill()
            consommateur.wait()

    temporal = start_temporal_dev_server(tmp_path, port)
    try:
        client: Client = await attendre(
            lambda: client_for(settings),
            60,
            "a client of the restarted Temporal server",
            intervalle=0.5,
            ignorer=(ServiceUnreachable,),
        )
        services = await start_services(settings)
        try:
            handle = client.get_workflow_handle(f"contrat-pro:{numero}")
            etat = await etat_quand(
                handle, EtatContratPro, lambda s: bool(s.registre.evenements_appliques), 120
            )
        finally:
            await stop_services(services)
        assert etat.registre.evenements_appliques == [event.id]
    finally:
        temporal.stop()
