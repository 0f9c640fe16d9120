"""The partner event consumer: one FastStream router per partner topic.

Each record is parsed and checked (`events.delivery.parse`), then delivered to its dossier
workflow; a record that cannot be delivered goes to the dead-letter topic with its reason and
coordinates. Each partner topic has its own consumer group (`<group>.<topic>`), so one
partner's rebalance never pauses another's.

Records are read in batches (up to `MAX_RECORDS`). Within a batch, the records of one dossier
(one Kafka key) are handled one after the other, in partition order; different dossiers are
handled concurrently. The offsets are committed (AckPolicy.ACK) only when the whole batch is
handled, that is after Temporal accepted each event or its dead letter was published. The
handler never raises, so a failure cannot be acknowledged silently (faststream #2618); if the
consumer stops mid-batch nothing is committed and the batch comes again, which the workflows'
deduplication makes harmless.
"""

import asyncio
import logging
from collections import defaultdict
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
MAX_RECORDS = 200
"""Records per batch; the dossiers of a batch are delivered concurrently."""

log = structlog.get_logger(__name__)

Handler = Callable[[str, ConsumerRecord], Awaitable[None]]


@dataclass(frozen=True)
class Livraison:
    """What handling a record needs: Temporal to deliver to, Kafka to dead-letter to."""

    client: Client
    task_queue: str
    dead_letters: Publisher

    async def traiter(self, topic: str, record: ConsumerRecord) -> None:
        parsed = parse(topic, record.value or b"")
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
            batch=True,
            max_records=MAX_RECORDS,
            title=topic,
            description=f"Événements reçus sur {topic}, livrés au workflow de leur dossier.",
        )(_retrying(topic, traiter))
        broker.include_router(router)
    return broker


def _retrying(topic: str, traiter: Handler) -> Callable[[KafkaMessage], Awaitable[None]]:
    async def handle(msg: KafkaMessage) -> None:
        """Deliver or dead-letter a batch: each dossier's records in order, dossiers
        concurrently."""
        records = msg.raw_message
        assert isinstance(records, tuple), "the partner subscribers are batch subscribers"
        par_dossier: dict[bytes | None, list[ConsumerRecord]] = defaultdict(list)
        for record in records:
            par_dossier[record.key].append(record)
        await asyncio.gather(*(_in_order(topic, traiter, suite) for suite in par_dossier.values()))

    return handle


async def _in_order(topic: str, traiter: Handler, records: list[ConsumerRecord]) -> None:
    for record in records:
        await _until_handled(topic, traiter, record)


async def _until_handled(topic: str, traiter: Handler, record: ConsumerRecord) -> None:
    """Handle one record; on an unexpected error, retry it (never skip it)."""
    backoff = FIRST_BACKOFF_S
    while True:
        try:
            await traiter(topic, record)
            return
        except Exception:
            log.exception(
                "traitement_en_echec",
                topic=topic,
                partition=record.partition,
                offset=record.offset,
                nouvel_essai_dans_s=backoff,
            )
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, MAX_BACKOFF_S)


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
