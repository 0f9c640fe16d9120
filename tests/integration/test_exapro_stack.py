"""A real EXAPRO file dropped by a school, announced on real Kafka (Tansu), delivered by the real
consumer to the import workflow on a real Temporal dev server, with the real activities: the
candidates come back on Kafka once each, the report lands in the storage directory, the read
model shows the import. The worker is built here (the shared `service` fixture's worker does
not know this workflow yet)."""

import asyncio
import hashlib
import json
import shutil
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from aiokafka import ConsumerRecord
from sqlalchemy import Engine
from sqlmodel import Session
from temporalio.client import Client
from temporalio.worker import Worker

from activities.exapro import ExaproActivities, id_candidat
from activities.projection import ProjectionActivities
from activities.publication import PublicationActivities
from events import topics
from events.publisher import KafkaPublisher
from models import depot
from models.evenements import CloudEvent
from models.exapro import TYPE_CANDIDAT, TYPE_FICHIER_DEPOSE, EtatImportExapro, Statut
from rules.calendrier import PARIS
from tests.factories import BCP
from tests.integration.conftest import settings_for
from tests.integration.kafka import read_to_end, read_until
from workers.runtime.database import engine_for, upgrade
from workers.runtime.services import run_consumer
from workers.runtime.settings import Settings
from workers.runtime.temporal import client_for
from workflows.exapro_import import ExaproImportWorkflow

pytestmark = pytest.mark.integration


def _donnees(record: ConsumerRecord) -> dict[str, Any]:
    contenu: dict[str, Any] = json.loads(record.value)
    return contenu


@dataclass
class Pile:
    """The running stack of the test: its settings, clients and storage directory."""

    settings: Settings
    engine: Engine
    client: Client
    publisher: KafkaPublisher
    stockage: Path


@asynccontextmanager
async def pile(temporal: str, kafka: str, tmp_path: Path) -> AsyncIterator[Pile]:
    """The import workflow and the real activities in a worker, and the real consumer."""
    settings = settings_for(temporal, kafka, f"sqlite:///{tmp_path / 'lecture.db'}")
    engine = engine_for(settings.effective_database_url)
    await asyncio.to_thread(upgrade, engine)
    client = await client_for(settings)
    publisher = KafkaPublisher(kafka)
    await publisher.start()
    stockage = tmp_path / "exapro"
    worker = Worker(
        client,
        task_queue=settings.task_queue,
        workflows=[ExaproImportWorkflow],
        activities=[
            PublicationActivities(publisher).publier_evenement,
            ProjectionActivities(engine, publisher).enregistrer_dossier,
            *ExaproActivities(
                publisher, stockage, taille_lot=4, topic_candidats=topics.CANDIDATURES
            ).all(),
        ],
    )
    pret = asyncio.Event()
    async with worker:
        consommateur = asyncio.create_task(run_consumer(settings, pret))
        try:
            async with asyncio.timeout(90):
                await pret.wait()
            yield Pile(settings, engine, client, publisher, stockage)
        finally:
            consommateur.cancel()
            await asyncio.gather(consommateur, return_exceptions=True)
            await publisher.stop()
            engine.dispose()


async def test_a_dropped_file_is_imported_through_kafka_and_its_candidates_published_once(
    temporal_dev_server: str,
    fresh_kafka_broker: str,
    tmp_path: Path,
) -> None:
    etablissement = f"{uuid.uuid4().int % 10**7:07d}B"
    cle = f"{etablissement}/{BCP.name}"

    def depose() -> CloudEvent:
        return CloudEvent(
            id=f"depot-{uuid.uuid4().hex[:8]}",
            source="/etablissements/cyclades",
            type=TYPE_FICHIER_DEPOSE,
            subject=cle,
            time=datetime.now(PARIS),
            data={"chemin": cle, "nom_fichier": BCP.name, "etablissement": etablissement},
        )

    async with pile(temporal_dev_server, fresh_kafka_broker, tmp_path) as p:
        (p.stockage / "depots" / etablissement).mkdir(parents=True)
        shutil.copy(BCP, p.stockage / "depots" / cle)
        premier = depose()
        await p.publisher.publish(topics.ETABLISSEMENTS, cle, premier.model_dump_json().encode())
        await read_until(
            fresh_kafka_broker,
            topics.DOSSIERS,
            lambda r: (
                _donnees(r)["subject"] == cle and _donnees(r)["data"].get("statut") == "accepte"
            ),
        )
        # once the import is over (the status above is published before the candidates and
        # the workflow's end): delivered again, and dropped again later, nothing is imported
        # twice, both go to the dead letters as addressed to a closed dossier
        handle = p.client.get_workflow_handle(f"exapro-import:{cle}", result_type=EtatImportExapro)
        async with asyncio.timeout(120):
            await handle.result()
        second = depose()
        for event in (premier, second):
            await p.publisher.publish(topics.ETABLISSEMENTS, cle, event.model_dump_json().encode())
        rebuts: set[str] = set()

        def deux_rebuts(record: ConsumerRecord) -> bool:
            if record.key == cle.encode():
                rebuts.add(_donnees(record)["id"])
            return rebuts == {premier.id, second.id}

        rebut = await read_until(fresh_kafka_broker, topics.REBUTS, deux_rebuts, within_s=120)
        assert (
            f"le dossier exapro-import:{cle} est clos"
            in dict(rebut.headers)["rebut-motif"].decode()
        )
        etat = await handle.result()
        with Session(p.engine) as session:
            ligne = depot.lire_dossier(session=session, cle=f"exapro-import:{cle}")
            audit = depot.lire_audit(session=session, dossier=f"exapro-import:{cle}")

    candidats = [
        r
        for r in await read_to_end(fresh_kafka_broker, topics.CANDIDATURES)
        if _donnees(r)["type"] == TYPE_CANDIDAT
    ]
    sha = hashlib.sha256(BCP.read_bytes()).hexdigest()
    assert sorted(_donnees(r)["id"] for r in candidats) == sorted(
        id_candidat(sha, n) for n in range(2, 11)
    )
    assert {r.key for r in candidats} == {cle.encode()}
    assert (etat.statut, etat.publies, etat.registre.evenements_appliques) == (
        Statut.ACCEPTE,
        9,
        [premier.id],
    )
    assert etat.rapport is not None
    rapport = json.loads((p.stockage / etat.rapport).read_text(encoding="utf-8"))
    assert (rapport["lignes"], rapport["erreurs"], rapport["import"]["sha256"]) == (9, [], sha)
    assert ligne is not None
    assert (ligne.statut, ligne.beneficiaire) == ("accepte", etablissement)
    [resultat] = [a for a in audit if a.type == "import_exapro"]
    assert (resultat.detail["lignes"], resultat.detail["candidats_publies"]) == (9, 9)
