"""Reading the dead-letter topic `guichet.rebuts`: the one place that asks Kafka about it.

Dead letters are not in the read model: the consumer publishes them on `guichet.rebuts`
(`events.consumer.reject`, headers `rebut-motif`, `rebut-topic`, `rebut-partition`,
`rebut-offset`). `lire_rebuts` asks the broker, within `delai_s`, for:

- `publies`: how many dead letters were ever published, the sum of the partitions' end offsets;
  it only grows (retention does not lower it), so `GET /metrics` exposes it as a counter, true
  across every consumer process since the broker counts;
- `total`: how many the topic still holds (end minus beginning offsets), for the dashboard;
- `derniers`: the last `nombre` records, newest first (none read when `nombre` is 0).

When Kafka does not answer in time the result says `disponible=False` with the reason, never a
count of zero. The source topic is only in each record's headers, so a count per source topic
would mean reading every record: only the total is counted.

The reasons and extracts are returned as read, **unredacted** (a reason may quote a field of
the refused event): whoever shows them masks them first
(`workers.runtime.redaction.redact_text`, see `workers.console.tableau_de_bord.lire_rebuts`).
"""

import asyncio
import contextlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition

from events import topics

EXTRAIT = 300
"""Characters of a dead letter's value kept as its extract."""


@dataclass(frozen=True)
class Rebut:
    topic: str
    partition: int
    offset: int
    horodatage: datetime | None
    motif: str
    origine: str
    """`topic/partition/offset` of the partner record that was refused."""
    extrait: str


@dataclass(frozen=True)
class Rebuts:
    disponible: bool
    total: int | None = None
    """Dead letters the topic holds (end minus beginning offsets)."""
    publies: int | None = None
    """Dead letters ever published on the topic (sum of the end offsets)."""
    derniers: list[Rebut] = field(default_factory=list)
    erreur: str | None = None


async def lire_rebuts(bootstrap_servers: str, *, nombre: int = 0, delai_s: float = 3.0) -> Rebuts:
    """What `guichet.rebuts` holds, and its last `nombre` records newest first;
    `disponible=False` (with the reason) when Kafka does not answer within `delai_s`."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap_servers,
        enable_auto_commit=False,
        request_timeout_ms=int(delai_s * 1000) + 1000,
        connections_max_idle_ms=60_000,
    )
    try:
        async with asyncio.timeout(delai_s):
            await consumer.start()
            resultat = await _lire(consumer, nombre)
    except Exception as exc:
        texte = str(exc).splitlines()[0] if str(exc) else ""
        if isinstance(exc, TimeoutError) and not texte:
            texte = f"pas de réponse en {delai_s:g} s"
        return Rebuts(disponible=False, erreur=f"{type(exc).__name__}: {texte}".rstrip(": "))
    finally:
        with contextlib.suppress(Exception):
            async with asyncio.timeout(2):
                await consumer.stop()
    return resultat


async def _lire(consumer: AIOKafkaConsumer, nombre: int) -> Rebuts:
    await consumer.topics()
    partitions = sorted(consumer.partitions_for_topic(topics.REBUTS) or set())
    assignees = [TopicPartition(topics.REBUTS, p) for p in partitions]
    if not assignees:
        return Rebuts(disponible=True, total=0, publies=0)
    debuts = await consumer.beginning_offsets(assignees)
    fins = await consumer.end_offsets(assignees)
    total = sum(fins[tp] - debuts[tp] for tp in assignees)
    publies = sum(fins.values())
    if nombre <= 0:
        return Rebuts(disponible=True, total=total, publies=publies)
    consumer.assign(assignees)
    attendus: dict[TopicPartition, int] = {}
    for tp in assignees:
        depart = max(debuts[tp], fins[tp] - nombre)
        if depart < fins[tp]:
            consumer.seek(tp, depart)
            attendus[tp] = fins[tp]
    lus: list[Rebut] = []
    while attendus:
        lots = await consumer.getmany(*attendus, timeout_ms=200)
        for tp, records in lots.items():
            for record in records:
                lus.append(rebut(record))
                if record.offset + 1 >= attendus.get(tp, 0):
                    attendus.pop(tp, None)
    lus.sort(key=lambda r: r.horodatage or datetime.min.replace(tzinfo=UTC), reverse=True)
    return Rebuts(disponible=True, total=total, publies=publies, derniers=lus[:nombre])


def en_tete(headers: Sequence[tuple[str, bytes]], nom: str) -> str:
    for cle, valeur in headers:
        if cle == nom:
            return valeur.decode("utf-8", "replace")
    return ""


def rebut(record: ConsumerRecord[bytes, bytes]) -> Rebut:
    """A dead-letter record as read (unredacted)."""
    headers = list(record.headers or ())
    horodatage = (
        datetime.fromtimestamp(record.timestamp / 1000, tz=UTC)
        if record.timestamp is not None
        else None
    )
    return Rebut(
        topic=record.topic,
        partition=record.partition,
        offset=record.offset,
        horodatage=horodatage,
        motif=en_tete(headers, "rebut-motif"),
        origine="/".join(
            en_tete(headers, nom) for nom in ("rebut-topic", "rebut-partition", "rebut-offset")
        ),
        extrait=(record.value or b"").decode("utf-8", "replace")[:EXTRAIT],
    )
