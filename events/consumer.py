"""The partner event consumer: one FastStream router per partner topic.

Each record is parsed and checked (`events.delivery.parse`), then delivered to its dossier
workflow; a record that cannot be delivered goes to the dead-letter topic with its reason and
coordinates. Each partner topic has its own consumer group (`<group>.<topic>`), so one
partner's rebalance never pauses another's. The offset is committed (AckPolicy.ACK) only when the handler returns, that is
after Temporal accepted the event or the dead letter was published. The handler never raises
for a bad record, so a failure cannot be acknowledged silently (faststream #2618).
"""

import structlog
from faststream import AckPolicy
from faststream.kafka import KafkaBroker, KafkaMessage, KafkaRouter
from temporalio.client import Client

from events import topics
from events.delivery import Rejet, deliver, parse
from events.publisher import Publisher

log = structlog.get_logger(__name__)


def build_routers(
    *, client: Client, task_queue: str, dead_letters: Publisher, group_id: str
) -> list[KafkaRouter]:
    routers = []
    for topic in topics.PARTENAIRES:
        router = KafkaRouter()

        @router.subscriber(
            topic,
            group_id=f"{group_id}.{topic}",
            ack_policy=AckPolicy.ACK,
            auto_offset_reset="earliest",
        )
        async def handle(body: bytes, msg: KafkaMessage, topic: str = topic) -> None:
            record = msg.raw_message
            parsed = parse(topic, body)
            outcome = (
                parsed if isinstance(parsed, Rejet) else await deliver(client, task_queue, parsed)
            )
            if isinstance(outcome, Rejet):
                await reject(dead_letters, topic, record, body, outcome)

        routers.append(router)
    return routers


async def reject(
    dead_letters: Publisher, topic: str, record: object, body: bytes, rejet: Rejet
) -> None:
    partition = getattr(record, "partition", -1)
    offset = getattr(record, "offset", -1)
    key = getattr(record, "key", None) or b""
    await dead_letters.publish(
        topics.REBUTS,
        key.decode(errors="replace"),
        body,
        headers=[
            ("rebut-motif", rejet.motif.encode()),
            ("rebut-topic", topic.encode()),
            ("rebut-partition", str(partition).encode()),
            ("rebut-offset", str(offset).encode()),
        ],
    )
    log.warning(
        "evenement_rejete",
        topic=topic,
        partition=partition,
        offset=offset,
        motif=rejet.motif,
    )


def build_broker(
    *,
    bootstrap_servers: str,
    client: Client,
    task_queue: str,
    dead_letters: Publisher,
    group_id: str,
) -> KafkaBroker:
    broker = KafkaBroker(bootstrap_servers, logger=None)
    for router in build_routers(
        client=client, task_queue=task_queue, dead_letters=dead_letters, group_id=group_id
    ):
        broker.include_router(router)
    return broker
