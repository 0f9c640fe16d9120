"""Reading topics in tests: a group-less consumer from the beginning of every partition."""

import asyncio
import json
from collections.abc import Awaitable, Callable

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition


async def read_until(
    bootstrap_servers: str,
    topic: str,
    found: Callable[[ConsumerRecord], bool],
    within_s: float = 60.0,
) -> ConsumerRecord:
    """The first record of `topic` for which `found` is true; fails after `within_s` seconds."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap_servers, enable_auto_commit=False)
    await consumer.start()
    try:
        await consumer.topics()  # fetches the cluster metadata
        partitions = consumer.partitions_for_topic(topic) or set()
        assert partitions, f"topic {topic} has no partition"
        assigned = [TopicPartition(topic, p) for p in sorted(partitions)]
        consumer.assign(assigned)
        await consumer.seek_to_beginning(*assigned)
        async with asyncio.timeout(within_s):
            while True:
                batches = await consumer.getmany(timeout_ms=500)
                for records in batches.values():
                    for record in records:
                        if found(record):
                            return record
    finally:
        await consumer.stop()


def about(subject: str, type_: str) -> Callable[[ConsumerRecord], bool]:
    """Matches a CloudEvent record by subject and type."""

    def matches(record: ConsumerRecord) -> bool:
        event = json.loads(record.value)
        return bool(event.get("subject") == subject and event.get("type") == type_)

    return matches


async def until(check: Callable[[], Awaitable[bool]], within_s: float = 60.0) -> None:
    """Poll `check` until it is true; fails after `within_s` seconds."""
    async with asyncio.timeout(within_s):
        while True:
            if await check():
                return
            await asyncio.sleep(0.3)
