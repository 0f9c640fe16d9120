"""Nothing lost, nothing applied twice, in partition order: the consumer and the workflows on
real servers (Tansu, Temporal dev server), each test with a Kafka broker of its own."""

import asyncio
import uuid
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest
import structlog
from aiokafka import ConsumerRecord
from structlog.testing import capture_logs
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHandle
from temporalio.service import RPCError

from events import delivery, topics
from events.consumer import Livraison, build_broker
from events.publisher import KafkaPublisher
from models.contrat_pro import EtatContratPro, Statut
from models.evenements import CloudEvent
from rules.calendrier import PARIS
from tests.attente import attendre, etat_quand
from tests.conftest import start_temporal_dev_server
from tests.factories import contrat_enregistre
from tests.integration.conftest import settings_for, start_services, stop_services
from workers.runtime import processes
from workers.runtime.database import engine_for, upgrade
from workers.runtime.errors import ServiceUnreachable
from workers.runtime.services import started_publisher
from workers.runtime.settings import Settings
from workers.runtime.temporal import client_for
from workers.services.rebuts import RegistreRebutsSql

pytestmark = pytest.mark.integration


def today() -> datetime:
    return datetime.now(PARIS)


async def publish(bootstrap: str, *events: CloudEvent) -> None:
    publisher = KafkaPublisher(bootstrap)
    await publisher.start()
    try:
        for event in events:
            await publisher.publish(topics.OPCO, event.subject, event.model_dump_json().encode())
    finally:
        await publisher.stop()


async def connected_once_healthy(settings: Settings) -> Client:
    """A restarted dev server opens its port before its frontend is healthy: retry a while."""
    return await attendre(
        lambda: client_for(settings),
        60,
        "a client of the restarted Temporal server",
        intervalle=0.5,
        ignorer=(ServiceUnreachable,),
    )


async def test_a_consumer_stopped_after_delivery_before_commit_redelivers_and_it_applies_once(
    temporal_dev_server: str, fresh_kafka_broker: str, tmp_path: Path
) -> None:
    settings = settings_for(temporal_dev_server, fresh_kafka_broker, f"sqlite:///{tmp_path}/l.db")
    worker = await start_services(settings, consumer=False)
    client = await client_for(settings)
    dead_letters = await started_publisher(settings)
    engine = engine_for(settings.effective_database_url)
    upgrade(engine)
    real = Livraison(
        client, settings.task_queue, dead_letters, RegistreRebutsSql.pour(settings, engine)
    )
    delivered: Counter[int] = Counter()
    first_delivery, redelivery = asyncio.Event(), asyncio.Event()

    async def deliver_then_hang(topic: str, record: ConsumerRecord) -> None:
        await real.traiter(topic, record)
        first_delivery.set()
        await asyncio.Event().wait()  # stopped here: Temporal has it, Kafka has no commit

    async def deliver_and_count(topic: str, record: ConsumerRecord) -> None:
        await real.traiter(topic, record)
        delivered[record.offset] += 1
        redelivery.set()

    numero = f"CRASH-{uuid.uuid4().hex[:8]}"
    event = contrat_enregistre(numero, debut=today().date())
    try:
        crashing = build_broker(
            bootstrap_servers=fresh_kafka_broker,
            group_id=settings.kafka_group_id,
            traiter=deliver_then_hang,
        )
        await crashing.start()
        await publish(fresh_kafka_broker, event)
        await asyncio.wait_for(first_delivery.wait(), 60)
        await asyncio.wait_for(crashing.stop(), 30)

        restarted = build_broker(
            bootstrap_servers=fresh_kafka_broker,
            group_id=settings.kafka_group_id,
            traiter=deliver_and_count,
        )
        await restarted.start()
        await asyncio.wait_for(redelivery.wait(), 60)
        await restarted.stop()

        handle = client.get_workflow_handle(f"contrat-pro:{numero}")
        state = await etat_quand(
            handle, EtatContratPro, lambda s: s.statut is Statut.ATTENTE_DEMANDE, 60
        )
        assert delivered == Counter({0: 1}), "the uncommitted record was delivered again"
        assert state.registre.evenements_appliques == [event.id]
        assert state.registre.publications == 1
    finally:
        await dead_letters.stop()
        engine.dispose()
        await stop_services(worker)


async def test_events_arriving_while_the_worker_is_down_are_applied_in_order_once_it_is_back(
    temporal_dev_server: str, fresh_kafka_broker: str, tmp_path: Path
) -> None:
    settings = settings_for(temporal_dev_server, fresh_kafka_broker, f"sqlite:///{tmp_path}/l.db")
    consumer = await start_services(settings, worker=False)
    numero = f"DOWN-{uuid.uuid4().hex[:8]}"
    first = contrat_enregistre(numero, debut=today().date(), event_id=f"{numero}-1")
    second = contrat_enregistre(numero, debut=today().date(), event_id=f"{numero}-2")
    client = await client_for(settings)
    handle = client.get_workflow_handle(f"contrat-pro:{numero}")
    try:
        await publish(fresh_kafka_broker, first, second)
        await _until_signalled(handle, 2)

        worker = await start_services(settings, consumer=False)
        try:
            state = await etat_quand(
                handle, EtatContratPro, lambda s: len(s.registre.evenements_appliques) == 2, 60
            )
        finally:
            await stop_services(worker)
    finally:
        await stop_services(consumer)
    assert state.registre.evenements_appliques == [first.id, second.id]
    assert state.statut is Statut.ATTENTE_DEMANDE
    assert [a.evenement_id for a in state.anomalies] == [second.id]


async def _until_signalled(handle: WorkflowHandle[object, object], count: int) -> None:
    """Wait until the workflow's history holds `count` signals (accepted by Temporal)."""

    async def signals() -> int:
        history = await handle.fetch_history()
        return sum(
            event.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED
            for event in history.events
        )

    await attendre(
        signals,
        60,
        f"{count} signals in the history",
        jusqu_a=lambda n: n >= count,
        ignorer=(RPCError,),  # not started yet
    )


async def test_while_temporal_is_unreachable_the_consumer_retries_and_loses_nothing(
    fresh_kafka_broker: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = processes.free_port()
    temporal = start_temporal_dev_server(tmp_path, port)
    settings: Settings = settings_for(
        f"127.0.0.1:{port}", fresh_kafka_broker, f"sqlite:///{tmp_path}/l.db"
    )
    services = await start_services(settings)
    numero = f"OUTAGE-{uuid.uuid4().hex[:8]}"
    event = contrat_enregistre(numero, debut=today().date())
    # A logger of this test's own: one cached under an earlier test's logging configuration
    # would not reach `capture_logs`.
    monkeypatch.setattr(delivery, "log", structlog.get_logger(delivery.__name__))
    try:
        temporal.stop()
        with capture_logs() as lignes:
            await publish(fresh_kafka_broker, event)

            def echecs() -> int:
                return sum(
                    ligne["event"] == "temporal_indisponible" and ligne.get("dossier") == numero
                    for ligne in lignes
                )

            # the delivery failed against the server that is down, then its retry failed too
            await attendre(
                echecs, 60, "two failed deliveries of the event", jusqu_a=lambda n: n >= 2
            )
        temporal = start_temporal_dev_server(tmp_path, port)
        client = await connected_once_healthy(settings)
        handle = client.get_workflow_handle(f"contrat-pro:{numero}")
        state = await etat_quand(
            handle, EtatContratPro, lambda s: s.statut is Statut.ATTENTE_DEMANDE, 120
        )
        assert state.registre.evenements_appliques == [event.id]
    finally:
        await stop_services(services)
        temporal.stop()
