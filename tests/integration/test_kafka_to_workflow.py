"""A partner event on real Kafka (Tansu) reaches its workflow on a real Temporal dev server
through the real consumer, and the workflow's outbound event comes back on Kafka."""

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Callable

import pytest
from aiokafka import ConsumerRecord

from events import topics
from events.publisher import KafkaPublisher
from models.contrat_pro import EtatContratPro, Statut
from tests.factories import contrat_enregistre
from tests.integration.kafka import read_until
from workers.services import run_consumer, run_worker
from workers.settings import Settings
from workers.temporal import connect

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
async def service(
    temporal_dev_server: str, kafka_broker: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Settings]:
    """The worker and the consumer, running in this process against the real servers."""
    settings = Settings(
        _env_file=None,
        database_url=f"sqlite:///{tmp_path_factory.mktemp('lecture') / 'guichet.db'}",
        temporal_address=temporal_dev_server,
        kafka_bootstrap_servers=kafka_broker,
        task_queue=f"it-{uuid.uuid4()}",
        kafka_group_id=f"it-{uuid.uuid4()}",
    )
    worker_ready, consumer_ready = asyncio.Event(), asyncio.Event()
    tasks = [
        asyncio.create_task(run_worker(settings, worker_ready)),
        asyncio.create_task(run_consumer(settings, consumer_ready)),
    ]
    async with asyncio.timeout(90):
        await worker_ready.wait()
        await consumer_ready.wait()
    yield settings
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


@pytest.fixture
async def publisher(kafka_broker: str) -> AsyncIterator[KafkaPublisher]:
    publisher = KafkaPublisher(kafka_broker)
    await publisher.start()
    yield publisher
    await publisher.stop()


def about(subject: str, type_: str) -> Callable[[ConsumerRecord], bool]:
    def matches(record: ConsumerRecord) -> bool:
        event = json.loads(record.value)
        return bool(event.get("subject") == subject and event.get("type") == type_)

    return matches


async def test_a_registration_on_kafka_opens_the_dossier_and_its_announcement_comes_back(
    service: Settings, publisher: KafkaPublisher
) -> None:
    numero = f"IT-{uuid.uuid4().hex[:8]}"
    event = contrat_enregistre(numero)

    await publisher.publish(topics.OPCO, numero, event.model_dump_json().encode())

    record = await read_until(
        service.kafka_bootstrap_servers, topics.DOSSIERS, about(numero, "guichet.dossier.ouvert.v1")
    )
    assert record.key == numero.encode()
    announced = json.loads(record.value)
    assert announced["data"]["date_limite_demande"] == "2024-12-02"
    client = await connect(service.temporal_address, service.temporal_namespace)
    handle = client.get_workflow_handle(f"contrat-pro:{numero}")
    state = await handle.query("etat", result_type=EtatContratPro)
    assert state.registre.evenements_appliques == [event.id]
    assert state.statut in {Statut.ATTENTE_DEMANDE, Statut.PRESCRIT}


async def test_a_malformed_record_is_dead_lettered_and_the_next_one_still_delivered(
    service: Settings, publisher: KafkaPublisher
) -> None:
    numero = f"IT-{uuid.uuid4().hex[:8]}"
    await publisher.publish(topics.OPCO, numero, b'{"id": "casse", "type": ')
    good = contrat_enregistre(numero)
    await publisher.publish(topics.OPCO, numero, good.model_dump_json().encode())

    dead = await read_until(
        service.kafka_bootstrap_servers, topics.REBUTS, lambda r: r.key == numero.encode()
    )
    headers = {name: value.decode() for name, value in dead.headers}
    assert dead.value == b'{"id": "casse", "type": '
    assert headers["rebut-topic"] == topics.OPCO
    assert headers["rebut-motif"].startswith("enveloppe CloudEvents invalide")
    assert int(headers["rebut-offset"]) >= 0
    await read_until(
        service.kafka_bootstrap_servers, topics.DOSSIERS, about(numero, "guichet.dossier.ouvert.v1")
    )
