"""Reading topics in tests: a group-less consumer from the beginning of every partition."""

import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition

from tests.attente import attendre


@asynccontextmanager
async def _from_the_beginning(
    bootstrap_servers: str, topic: str
) -> AsyncIterator[AIOKafkaConsumer]:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap_servers, enable_auto_commit=False)
    await consumer.start()
    try:
        await consumer.topics()  # fetches the cluster metadata
        partitions = consumer.partitions_for_topic(topic) or set()
        assert partitions, f"topic {topic} has no partition"
        assigned = [TopicPartition(topic, p) for p in sorted(partitions)]
        consumer.assign(assigned)
        await consumer.seek_to_beginning(*assigned)
        yield consumer
    finally:
        await consumer.stop()


async def read_many(
    bootstrap_servers: str,
    topic: str,
    keep: Callable[[ConsumerRecord], bool],
    count: int,
    within_s: float = 60.0,
) -> list[ConsumerRecord]:
    """The records of `topic` that `keep` keeps, read until there are `count` of them (all those
    of the last batch read); fails after `within_s` seconds."""
    kept: list[ConsumerRecord] = []
    async with _from_the_beginning(bootstrap_servers, topic) as consumer:

        async def kept_so_far() -> int:
            for records in (await consumer.getmany(timeout_ms=500)).values():
                kept.extend(r for r in records if keep(r))
            return len(kept)

        # getmany already waits up to 500 ms for records: no pause between two reads
        await attendre(
            kept_so_far,
            within_s,
            f"{count} records kept on {topic}",
            jusqu_a=lambda n: n >= count,
            intervalle=0,
        )
    return kept


async def read_to_end(
    bootstrap_servers: str, topic: str, within_s: float = 30.0
) -> list[ConsumerRecord]:
    """Every record of `topic` up to its end when the reading starts."""
    records: list[ConsumerRecord] = []
    async with _from_the_beginning(bootstrap_servers, topic) as consumer:
        partitions = sorted(consumer.assignment())
        ends = await consumer.end_offsets(partitions)

        async def behind() -> list[TopicPartition]:
            for batch in (await consumer.getmany(timeout_ms=500)).values():
                records.extend(batch)
            return [p for p in partitions if await consumer.position(p) < ends[p]]

        await attendre(
            behind,
            within_s,
            f"{topic} read to its end",
            jusqu_a=lambda late: not late,
            intervalle=0,
        )
    return records


async def read_until(
    bootstrap_servers: str,
    topic: str,
    found: Callable[[ConsumerRecord], bool],
    within_s: float = 60.0,
) -> ConsumerRecord:
    """The first record of `topic` for which `found` is true; fails after `within_s` seconds."""
    return (await read_many(bootstrap_servers, topic, found, 1, within_s))[0]


def about(subject: str, type_: str) -> Callable[[ConsumerRecord], bool]:
    """Matches a CloudEvent record by subject and type."""

    def matches(record: ConsumerRecord) -> bool:
        event = json.loads(record.value)
        return bool(event.get("subject") == subject and event.get("type") == type_)

    return matches
