"""`guichet events ...`: play a partner, watch a topic, export the contracts."""

import argparse
import asyncio
import json
import sys
from pathlib import Path

from aiokafka import AIOKafkaConsumer, ConsumerRecord

from events import topics
from events.consumer import build_broker
from events.documentation import asyncapi, catalogue_markdown
from models.evenements import CloudEvent
from workers.runtime.connexions import options_kafka
from workers.runtime.services import started_publisher
from workers.runtime.settings import Settings

VERSION = "0.1.0"


def _publish(settings: Settings, args: argparse.Namespace) -> int:
    """Publish each line of a JSON Lines file (one CloudEvent per line), keyed by its subject.
    Lines are checked against the envelope first; a bad line stops before anything is sent."""
    lines = [line for line in Path(args.file).read_text().splitlines() if line.strip()]
    events = []
    for number, line in enumerate(lines, start=1):
        try:
            events.append(CloudEvent.model_validate_json(line))
        except ValueError as exc:
            print(f"{args.file}:{number}: enveloppe CloudEvents invalide: {exc}", file=sys.stderr)
            return 2
    asyncio.run(_send(settings, args.topic, events))
    print(f"{len(events)} événement(s) publié(s) sur {args.topic}")
    return 0


async def _send(settings: Settings, topic: str, events: list[CloudEvent]) -> None:
    publisher = await started_publisher(settings)
    try:
        for event in events:
            await publisher.publish(topic, event.subject, event.model_dump_json().encode())
    finally:
        await publisher.stop()


async def _tail(settings: Settings, args: argparse.Namespace) -> int:
    """Print a topic's records as JSON lines (with partition, offset, key, dead-letter headers)."""
    consumer = AIOKafkaConsumer(
        args.topic,
        **options_kafka(settings),
        auto_offset_reset="earliest" if args.from_beginning else "latest",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        count = 0
        async for record in consumer:
            value = (record.value or b"").decode(errors="replace")
            try:
                body = json.loads(value)
            except ValueError:
                body = value
            line = {
                "partition": record.partition,
                "offset": record.offset,
                "key": (record.key or b"").decode(errors="replace"),
                "headers": {k: v.decode(errors="replace") for k, v in record.headers},
                "value": body,
            }
            print(json.dumps(line, ensure_ascii=False), flush=True)
            count += 1
            if args.max and count >= args.max:
                break
    finally:
        await consumer.stop()
    return 0


def _asyncapi(settings: Settings, _args: argparse.Namespace) -> int:
    broker = build_broker(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        group_id=settings.kafka_group_id,
        traiter=_documentation_only,
    )
    print(json.dumps(asyncapi(broker, VERSION), ensure_ascii=False, indent=2))
    return 0


async def _documentation_only(_topic: str, _record: ConsumerRecord) -> None:
    raise RuntimeError("broker built to generate the AsyncAPI document, not to consume")


def _catalogue(_settings: Settings, _args: argparse.Namespace) -> int:
    print(catalogue_markdown())
    return 0


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    events = commands.add_parser("events", help="événements Kafka: publier, suivre, contrats")
    sub = events.add_subparsers(dest="events_command", required=True, metavar="ACTION")
    publish = sub.add_parser(
        "publish",
        help="publier un fichier JSON Lines d'événements (jouer un partenaire)",
        description="Publie chaque ligne (une enveloppe CloudEvents) sur le topic, avec la clé "
        "= subject. Le fichier entier est vérifié avant d'envoyer quoi que ce soit.",
    )
    publish.add_argument("--topic", required=True, choices=topics.TOUS)
    publish.add_argument("file", metavar="FICHIER.jsonl")
    publish.set_defaults(run=_publish)
    tail = sub.add_parser("tail", help="afficher les enregistrements d'un topic")
    tail.add_argument("topic", choices=topics.TOUS)
    tail.add_argument("--from-beginning", action="store_true", help="depuis le début du topic")
    tail.add_argument("--max", type=int, default=0, help="s'arrêter après N enregistrements")
    tail.set_defaults(run=_tail)
    doc = sub.add_parser("asyncapi", help="le document AsyncAPI 3.0 (JSON) des topics")
    doc.set_defaults(run=_asyncapi)
    catalogue = sub.add_parser("catalogue", help="le catalogue des événements (Markdown)")
    catalogue.set_defaults(run=_catalogue)
