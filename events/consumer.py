"""The partner event consumer: one FastStream router per partner topic.

Each record is parsed and checked (`events.delivery.parse`), then delivered to its dossier
workflow; a record that cannot be delivered is a dead letter: consigned in the store
(`events.registre.RegistreRebuts`, the `rebut` table) with its reason and coordinates, then
published on the dead-letter topic. Each partner topic has its own consumer group
(`<group>.<topic>`), so one partner's rebalance never pauses another's.

Records are read in batches (up to `MAX_RECORDS`). Within a batch, the records of one dossier
(one Kafka key) are handled one after the other, in partition order; different dossiers are
handled concurrently. The offsets are committed (AckPolicy.ACK) only when the whole batch is
handled, that is after Temporal accepted each event or its dead letter was consigned. The
handler never raises, so a failure cannot be acknowledged silently (faststream #2618).

**Poison versus outage** (`_until_handled`). An error handling a record is either
- an *outage* (`est_une_panne`: Temporal, the database or Kafka unreachable or timing out):
  the record is retried with backoff, forever, and never skipped; or
- anything else: after `essais_max` failures (`GUICHET_INTAKE_POISON_ATTEMPTS`) the record is a
  *poison* record, dead-lettered with code `echecs_repetes`, and the topic moves on.

**Stopping.** SIGTERM cancels the service: the broker waits `ARRET_GRACIEUX_S` for the batches
in hand, then cancels them wherever they are (a backoff sleep, a Temporal call). A cancelled
batch is not acknowledged (faststream leaves a CancelledError unacknowledged), so nothing it
had not handled is committed; it comes again after the restart, which the workflows'
deduplication and the store's idempotency make harmless.
"""

import asyncio
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import structlog
from aiokafka import ConsumerRecord
from aiokafka.errors import KafkaConnectionError, KafkaError, KafkaTimeoutError
from faststream import AckPolicy
from faststream.kafka import KafkaBroker, KafkaMessage, KafkaRouter
from faststream.security import BaseSecurity
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from temporalio.client import Client
from temporalio.service import RPCError

from events import topics
from events.delivery import (
    REGLES_PAR_DEFAUT,
    RETRYABLE,
    ReglesEntree,
    Rejet,
    deliver,
    parse,
    taille,
)
from events.publisher import Publisher
from events.registre import CodeRejet, RebutRecu, RegistreRebuts, origine_kafka

FIRST_BACKOFF_S = 0.5
MAX_BACKOFF_S = 30.0
MAX_RECORDS = 200
"""Records per batch; the dossiers of a batch are delivered concurrently."""
ESSAIS_MAX = 5
"""Failures of one record, not outages, before it is dead-lettered (default of
`GUICHET_INTAKE_POISON_ATTEMPTS`)."""
ARRET_GRACIEUX_S = 3.0
"""On stop, how long the batches in hand may finish before they are cancelled."""
PUBLICATION_MAX_OCTETS = 1_000_000
"""A dead letter on `guichet.rebuts` at most (the producer refuses a request over 1 MiB): a
larger record goes with an empty value and the header `rebut-valeur-omise`; the store keeps it
whole."""

log = structlog.get_logger(__name__)

Handler = Callable[[str, ConsumerRecord], Awaitable[None]]
Rejeteur = Callable[[ConsumerRecord, Rejet], Awaitable[None]]


def est_une_panne(exc: BaseException) -> bool:
    """True when `exc` says a service is unreachable or slow, not that the record is bad."""
    if isinstance(exc, KafkaConnectionError | KafkaTimeoutError):
        return True
    if isinstance(exc, KafkaError):
        return bool(exc.retriable)
    if isinstance(exc, RPCError):
        return exc.status in RETRYABLE
    return isinstance(
        exc,
        OperationalError
        | InterfaceError
        | DisconnectionError
        | PoolTimeoutError
        | ConnectionError
        | TimeoutError,
    )


@dataclass(frozen=True)
class Livraison:
    """What handling a record needs: Temporal to deliver to, the store and Kafka for the dead
    letters, the intake's rules (size, sources)."""

    client: Client
    task_queue: str
    dead_letters: Publisher
    registre: RegistreRebuts
    regles: ReglesEntree = REGLES_PAR_DEFAUT

    async def traiter(self, topic: str, record: ConsumerRecord) -> None:
        parsed = parse(topic, record.value or b"", _entetes(record), self.regles)
        outcome = (
            parsed
            if isinstance(parsed, Rejet)
            else await deliver(self.client, self.task_queue, parsed)
        )
        if isinstance(outcome, Rejet):
            await self.rejeter(record, outcome)

    async def rejeter(self, record: ConsumerRecord, rejet: Rejet) -> None:
        """Consign the dead letter in the store, then publish it on `guichet.rebuts`."""
        await self.registre.consigner(
            RebutRecu(
                origine=origine_kafka(record.topic, record.partition, record.offset),
                topic=record.topic,
                partition=record.partition,
                offset=record.offset,
                cle=_cle(record),
                code=rejet.code,
                motif=rejet.motif,
                type=rejet.type,
                recu_le=_recu_le(record),
                valeur=record.value or b"",
                entetes=_entetes(record),
            )
        )
        await reject(self.dead_letters, record, rejet)


def _entetes(record: ConsumerRecord) -> list[tuple[str, bytes]]:
    return [(nom, valeur or b"") for nom, valeur in record.headers or ()]


def _cle(record: ConsumerRecord) -> str | None:
    if record.key is None:
        return None
    return bytes(record.key)[:200].decode("utf-8", errors="replace")


def _recu_le(record: ConsumerRecord) -> datetime:
    if record.timestamp is None or record.timestamp < 0:
        return datetime.now(UTC)
    return datetime.fromtimestamp(record.timestamp / 1000, tz=UTC)


def build_broker(
    *,
    bootstrap_servers: str,
    group_id: str,
    traiter: Handler,
    rejeter: Rejeteur | None = None,
    essais_max: int = ESSAIS_MAX,
    securite: BaseSecurity | None = None,
) -> KafkaBroker:
    """The broker with one router per partner topic, each record handled by `traiter`; a
    record failing `essais_max` times (outages apart) is given to `rejeter` as a poison record
    (None: retried forever, for a broker built only to document the topics)."""
    broker = KafkaBroker(
        bootstrap_servers,
        logger=logging.getLogger("faststream"),
        graceful_timeout=ARRET_GRACIEUX_S,
        security=securite,
    )
    politique = _Politique(traiter, rejeter, essais_max)
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
        )(_retrying(topic, politique))
        broker.include_router(router)
    return broker


@dataclass(frozen=True)
class _Politique:
    traiter: Handler
    rejeter: Rejeteur | None
    essais_max: int


def _retrying(topic: str, politique: _Politique) -> Callable[[KafkaMessage], Awaitable[None]]:
    async def handle(msg: KafkaMessage) -> None:
        """Deliver or dead-letter a batch: each dossier's records in order, dossiers
        concurrently."""
        records = msg.raw_message
        assert isinstance(records, tuple), "the partner subscribers are batch subscribers"
        par_dossier: dict[bytes | None, list[ConsumerRecord]] = defaultdict(list)
        for record in records:
            par_dossier[record.key].append(record)
        await asyncio.gather(
            *(_in_order(topic, politique, suite) for suite in par_dossier.values())
        )

    return handle


async def _in_order(topic: str, politique: _Politique, records: list[ConsumerRecord]) -> None:
    for record in records:
        await _until_handled(topic, politique, record)


async def _until_handled(topic: str, politique: _Politique, record: ConsumerRecord) -> None:
    """Handle one record. An outage is retried with backoff, forever; any other failure is
    retried too, and after `essais_max` of them the record is dead-lettered as poison (if
    dead-lettering fails in turn, it is retried like the rest: never skipped)."""
    backoff = FIRST_BACKOFF_S
    echecs = 0
    poison: Rejet | None = None
    while True:
        try:
            if poison is not None and politique.rejeter is not None:
                await politique.rejeter(record, poison)
            else:
                await politique.traiter(topic, record)
            return
        except Exception as exc:
            panne = est_une_panne(exc)
            if not panne and poison is None:
                echecs += 1
                if echecs >= politique.essais_max:
                    poison = Rejet(
                        CodeRejet.ECHECS_REPETES,
                        f"le traitement a échoué {echecs} fois de suite ({type(exc).__name__}, "
                        "détail dans les journaux du consommateur); enregistrement écarté pour "
                        "que le topic avance",
                    )
            log.warning(
                "traitement_en_echec",
                topic=topic,
                partition=record.partition,
                offset=record.offset,
                panne=panne,
                echecs=echecs,
                erreur=type(exc).__name__,
                nouvel_essai_dans_s=backoff,
                exc_info=not panne,
            )
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, MAX_BACKOFF_S)


async def reject(dead_letters: Publisher, record: ConsumerRecord, rejet: Rejet) -> None:
    """Publish the dead letter on `guichet.rebuts`: the original bytes (or none, with
    `rebut-valeur-omise`, when they would exceed `PUBLICATION_MAX_OCTETS`), the reason code and
    text and the coordinates."""
    valeur = record.value or b""
    entetes = [
        ("rebut-code", rejet.code.value.encode()),
        ("rebut-motif", rejet.motif.encode()),
        ("rebut-topic", record.topic.encode()),
        ("rebut-partition", str(record.partition).encode()),
        ("rebut-offset", str(record.offset).encode()),
    ]
    cle = _cle(record) or ""
    if taille(valeur, entetes) + len(cle) > PUBLICATION_MAX_OCTETS:
        entetes.append(("rebut-valeur-omise", str(len(valeur)).encode()))
        valeur = b""
    await dead_letters.publish(topics.REBUTS, cle, valeur, headers=entetes)
    log.warning(
        "evenement_rejete",
        topic=record.topic,
        partition=record.partition,
        offset=record.offset,
        code=rejet.code.value,
        motif=rejet.motif,
    )
