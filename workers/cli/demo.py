"""`guichet demo`: publish a realistic set of partner events for every scheme."""

import argparse
from datetime import datetime
from functools import partial

from models.evenements import CloudEvent
from rules.calendrier import PARIS
from workers.demo import DEMOS, Demo
from workers.demo import exapro as demo_exapro
from workers.runtime.services import started_publisher
from workers.runtime.settings import Settings


async def _demo(settings: Settings, _args: argparse.Namespace) -> int:
    publisher = await started_publisher(settings)
    try:
        today = datetime.now(PARIS).date()
        depots = settings.data_dir.resolve() / "exapro" / "depots"  # the worker's drop folder
        demos: dict[str, Demo] = {**DEMOS, "exapro": partial(demo_exapro.demo, depots=depots)}
        for scheme, demo in demos.items():
            records = demo(today)
            for topic, record in records:
                if isinstance(record, CloudEvent):
                    await publisher.publish(
                        topic, record.subject, record.model_dump_json().encode()
                    )
                else:
                    await publisher.publish(topic, "demo-invalide", record)
            print(f"{scheme}: {len(records)} enregistrement(s) publié(s)")
    finally:
        await publisher.stop()
    print("Suivre: guichet dossiers list ; guichet rebuts list")
    return 0


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    demo = commands.add_parser(
        "demo",
        help="publier des événements partenaires réalistes pour chaque dispositif",
        description="Publie sur Kafka un jeu d'événements de démonstration (doublon, anomalie, "
        "enregistrement invalide compris). Rejouable: les identifiants sont fixes.",
    )
    demo.set_defaults(run=_demo)
