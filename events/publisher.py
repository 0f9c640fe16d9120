"""Publishing records on Kafka: outbound events from activities, dead letters from the consumer."""

from collections.abc import Sequence
from typing import Any, Protocol

from aiokafka import AIOKafkaProducer

from models.evenements import CloudEvent

Headers = Sequence[tuple[str, bytes]]


class Publisher(Protocol):
    async def publish(self, topic: str, key: str, value: bytes, headers: Headers = ()) -> None: ...


def encode(event: CloudEvent) -> bytes:
    return event.model_dump_json().encode()


class KafkaPublisher:
    """An aiokafka producer; `publish` returns once every in-sync replica has the record.

    Not the idempotent producer: Tansu does not implement InitProducerId. Duplicates from a
    producer retry are harmless anyway, since every consumer deduplicates on the event id.
    """

    def __init__(self, bootstrap_servers: str, **connexion: Any) -> None:
        """`connexion`: aiokafka's security arguments (`workers.runtime.connexions`)."""
        self._producer = AIOKafkaProducer(
            bootstrap_servers=bootstrap_servers, acks="all", **connexion
        )

    async def start(self) -> None:
        await self._producer.start()

    async def stop(self) -> None:
        await self._producer.stop()

    async def publish(self, topic: str, key: str, value: bytes, headers: Headers = ()) -> None:
        await self._producer.send_and_wait(topic, value, key=key.encode(), headers=list(headers))
