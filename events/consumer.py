"""The partner event consumer: one FastStream router per partner topic.

Each record is parsed and checked (`events.delivery.parse`), then delivered to its dossier
workflow; a record that cannot be delivered goes to the dead-letter topic with its reason and
coordinates. Each partner topic has its own consumer group (`<group>.<topic>`), so one
partner's rebalance never pauses another's. The offset is committed (AckPolicy.ACK) only when
the handler returns, that is after Temporal accepted the event or the dead letter was
published. The handler never raises, so a failure cannot be acknowledged silently
(faststream #2618).
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import structlog
from aiokafka import ConsumerRecord
from faststream import AckPolicy
from faststream.kafka import KafkaBroker, KafkaMessage, KafkaRouter
from temporalio.client import Client

from events import topics
from events.delivery import Rejet, deliver, parse
from events.publisher import Publisher

FIRST_BACKOFF_S = 0.5
MAX_BACKOFF_S = 30.0

log = structlog.get_logger(__name__)

Handler = Callable[[str, KafkaMessage], Awaitable[None]]


@dataclass(frozen=True)
class Livraison:
    """What handling a record needs: Temporal to deliver to, Kafka to dead-letter to."""

    client: Client
    task_queue: str
    dead_letters: Publisher

    async def traiter(self, topic: str, msg: KafkaMessage) -> None:
        record = _record(msg)
        parsed = parse(topic, msg.body)
        outcome = (
            parsed
            if isinstance(parsed, Rejet)
            else await deliver(self.client, self.task_queue, parsed)
        )
        if isinstance(outcome, Rejet):
            await reject(self.dead_letters, record, outcome)


def build_broker(*, bootstrap_servers: str, group_id: str, traiter: Handler) -> KafkaBroker:
    """The broker with one router per partner topic, each record handled by `traiter`."""
    broker = KafkaBroker(bootstrap_servers, logger=logging.getLogger("faststream"))
    for topic in topics.PARTENAIRES:
        router = KafkaRouter()
        router.subscriber(
            topic,
            group_id=f"{group_id}.{topic}",
            ack_policy=AckPolicy.ACK,
            auto_offset_reset="earliest",
            title=topic,
            description=f"Événements reçus sur {topic}, livrés au workflow de leur dossier.",
        )(_retrying(topic, traiter))
        broker.include_router(router)
    return broker


def _retrying(topic: str, traiter: Handler) -> Callable[[KafkaMessage], Awaitable[None]]:
    async def handle(msg: KafkaMessage) -> None:
        """Deliver or dead-letter one record; on an unexpected error, retry the same record
        (never raise: FastStream would commit past it)."""
        backoff = FIRST_BACKOFF_S
        while True:
            try:
                await traiter(topic, msg)
                return
            except Exception:
                record = _record(msg)
                log.exception(
                    "traitement_en_echec",
                    topic=topic,
                    partition=record.partition,
                    offset=record.offset,
                    nouvel_essai_dans_s=backoff,
                )
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_S)

    return handle


def _record(msg: KafkaMessage) -> ConsumerRecord:
    record = msg.raw_message
    assert isinstance(record, ConsumerRecord), "subscribers here are not batch subscribers"
    return record


async def reject(dead_letters: Publisher, record: ConsumerRecord, rejet: Rejet) -> None:
    """Publish the original bytes on the dead-letter topic with the reason and coordinates."""
    await dead_letters.publish(
        topics.REBUTS,
        (record.key or b"").decode(errors="replace"),
        record.value or b"",
        headers=[
            ("rebut-motif", rejet.motif.encode()),
            ("rebut-topic", record.topic.encode()),
            ("rebut-partition", str(record.partition).encode()),
            ("rebut-offset", str(record.offset).encode()),
        ],
    )
    log.warning(
        "evenement_rejete",
        topic=record.topic,
        partition=record.partition,
        offset=record.offset,
        motif=rejet.motif,
    )
