"""One CAE-DOM convention driven through real Kafka events on the real servers: registered
with a coverage that started two quarters ago (so its first quarter is due at once), its
attendance statement, the payment order read back from `guichet.paiements`, the ASP's
execution, and the quarter paid in the workflow and in the read model.

The worker is built here (the shared `service` fixture only knows the registered workflows)
with the real activities: Kafka publication, read-model projection, the CAE-DOM rules.
"""

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session
from temporalio.worker import Worker

from activities.projection import ProjectionActivities
from activities.publication import PublicationActivities
from activities.regles_cae_dom import (
    calculer_echeancier_cae_dom,
    evaluer_convention_cae_dom,
    liquider_trimestres_cae_dom,
)
from events import topics
from events.publisher import KafkaPublisher
from models import depot
from models.cae_dom import EtatCaeDom, StatutTrimestre
from models.evenements import CloudEvent
from rules import cae_dom
from tests.attente import attendre, etat_quand
from tests.integration.conftest import settings_for
from tests.integration.kafka import about, read_until
from workers.demo.cae_dom import convention
from workers.runtime.database import engine_for, upgrade
from workers.runtime.services import run_consumer
from workers.runtime.settings import Settings
from workers.runtime.temporal import client_for
from workflows.cae_dom import CaeDomWorkflow

pytestmark = pytest.mark.integration

GUADELOUPE = cae_dom.fuseau_horaire("971")


@pytest.fixture
def settings(temporal_dev_server: str, fresh_kafka_broker: str, tmp_path: Path) -> Settings:
    return settings_for(
        temporal_dev_server, fresh_kafka_broker, f"sqlite:///{tmp_path / 'lecture.db'}"
    )


@pytest.fixture
async def stack(settings: Settings) -> AsyncIterator[Settings]:
    """The CAE-DOM worker (real activities) and the real consumer, on the real servers."""
    engine = engine_for(settings.effective_database_url)
    await asyncio.to_thread(upgrade, engine)
    publisher = KafkaPublisher(settings.kafka_bootstrap_servers)
    await publisher.start()
    client = await client_for(settings)
    worker = Worker(
        client,
        task_queue=settings.task_queue,
        workflows=[CaeDomWorkflow],
        activities=[
            PublicationActivities(publisher).publier_evenement,
            ProjectionActivities(engine, publisher).enregistrer_dossier,
            evaluer_convention_cae_dom,
            calculer_echeancier_cae_dom,
            liquider_trimestres_cae_dom,
        ],
    )
    ready = asyncio.Event()
    consumer = asyncio.create_task(run_consumer(settings, ready))
    try:
        async with worker:
            async with asyncio.timeout(90):
                await ready.wait()
            yield settings
    finally:
        consumer.cancel()
        await asyncio.gather(consumer, return_exceptions=True)
        await publisher.stop()
        engine.dispose()


def _precedent(trimestre: cae_dom.Trimestre) -> cae_dom.Trimestre:
    return cae_dom.Trimestre.de_date(trimestre.premier_jour - timedelta(days=1))


async def test_a_due_quarter_is_paid_through_kafka_from_statement_to_asp_execution(
    stack: Settings,
) -> None:
    today = datetime.now(GUADELOUPE).date()
    premier = _precedent(_precedent(cae_dom.Trimestre.de_date(today)))
    embauche = premier.premier_jour + timedelta(days=9)
    cle = f"971-{embauche.year % 100:02d}-{uuid.uuid4().int % 90000 + 10000:05d}"
    fin = cae_dom.ajouter_mois(embauche, 24) - timedelta(days=1)
    attendu = cae_dom.echeance_trimestre(
        cae_dom.ParametresAide(
            debut=embauche,
            fin=fin,
            niveau_prime_mensuel=Decimal("1000.00"),
            duree_hebdomadaire=Fraction(26),
            duree_collective=Fraction(35),
        ),
        premier,
    )
    assert attendu is not None
    producer = KafkaPublisher(stack.kafka_bootstrap_servers)
    await producer.start()
    client = await client_for(stack)
    handle = client.get_workflow_handle(f"cae-dom:{cle}")

    async def send(quoi: str, data: dict[str, Any]) -> None:
        event = CloudEvent(
            id=f"it-{uuid.uuid4()}",
            source="/asp",
            type=f"asp.cae-dom.{quoi}.v1",
            subject=cle,
            time=datetime.now(UTC),
            data=data,
        )
        await producer.publish(topics.ASP, cle, event.model_dump_json().encode())

    try:
        await send("convention-enregistree", convention(cle, embauche, fin))
        demande = await read_until(
            stack.kafka_bootstrap_servers,
            topics.NOTIFICATIONS,
            lambda r: (
                json.loads(r.value)["subject"] == cle
                and premier.libelle in json.loads(r.value)["data"]["message"]
            ),
        )
        assert json.loads(demande.value)["data"]["objet"] == "ETAT_PRESENCE_ATTENDU"

        await send("etat-presence", {"trimestre": premier.libelle})
        record = await read_until(
            stack.kafka_bootstrap_servers,
            topics.PAIEMENTS,
            about(cle, "guichet.paiement.ordre.v1"),
        )
        ordre = json.loads(record.value)["data"]
        assert record.key == cle.encode()
        assert ordre["ordre_id"] == f"cae-dom:{cle}/paiement/{premier.libelle}"
        assert (ordre["montant"], ordre["beneficiaire"]) == (
            f"{attendu.montant:.2f}",
            "73282932000074",
        )

        await send(
            "paiement-execute",
            {"ordre_id": ordre["ordre_id"], "date_execution": today.isoformat()},
        )

        def paye(state: EtatCaeDom) -> bool:
            trimestre = state.trimestre(premier.libelle)
            return trimestre is not None and trimestre.statut is StatutTrimestre.PAYE

        state = await etat_quand(handle, EtatCaeDom, paye, 60, "the first quarter paid")
        assert state.montant_verse == attendu.montant
        assert state.anomalies == []
        second = state.trimestre(_precedent(cae_dom.Trimestre.de_date(today)).libelle)
        assert second is not None
        assert second.statut is StatutTrimestre.ATTENTE_ETAT

        def montant_projete() -> Decimal | None:
            with Session(engine_for(stack.effective_database_url)) as session:
                row = depot.lire_dossier(session=session, cle=f"cae-dom:{cle}")
            return None if row is None else row.montant_verse

        await attendre(
            montant_projete,
            60,
            "the payment in the read model",
            jusqu_a=lambda montant: montant == attendu.montant,
        )
        with Session(engine_for(stack.effective_database_url)) as session:
            ordres = depot.lire_ordres(session=session, dossier=f"cae-dom:{cle}")
        assert [(o.id, o.periode, o.montant, o.statut) for o in ordres] == [
            (ordre["ordre_id"], premier.libelle, attendu.montant, "execute")
        ]
    finally:
        await producer.stop()
