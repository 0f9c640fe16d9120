"""One contrat-pro dossier driven through real Kafka events and a real instructor decision
(a Temporal update) on the real servers, from registration to payment."""

import json
import uuid
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from events import topics
from events.publisher import KafkaPublisher
from models.contrat_pro import Decision, EtatContratPro, Statut, TypeDecision
from models.evenements import CloudEvent
from rules.calendrier import PARIS
from tests.factories import contrat_enregistre, demande_deposee, evenement
from tests.integration.kafka import about, read_until
from workers.runtime.settings import Settings
from workers.runtime.temporal import client_for

pytestmark = pytest.mark.integration


async def test_a_dossier_from_registration_to_payment_through_kafka(
    service: Settings, publisher: KafkaPublisher
) -> None:
    numero = f"LIFE-{uuid.uuid4().hex[:8]}"
    today = datetime.now(PARIS).date()
    debut = today - timedelta(days=45)  # a break yesterday falls in month 2: payment due today
    client = await client_for(service)
    handle = client.get_workflow_handle(f"contrat-pro:{numero}")

    async def send(event: CloudEvent) -> None:
        topic = {"opco": topics.OPCO, "portail": topics.PORTAIL, "asp": topics.ASP}[
            event.type.split(".", 1)[0]
        ]
        await publisher.publish(topic, numero, event.model_dump_json().encode())

    async def statut(expected: Statut) -> None:
        await read_until(
            service.kafka_bootstrap_servers,
            topics.DOSSIERS,
            lambda r: (
                json.loads(r.value)["subject"] == numero
                and json.loads(r.value)["data"].get("statut") == expected
            ),
        )

    await send(contrat_enregistre(numero, debut=debut))
    await send(demande_deposee(numero, today))
    await statut(Statut.INSTRUCTION)

    decision = Decision(type=TypeDecision.ACCEPTER, auteur="instructeur.integration")
    assert await handle.execute_update("decider", decision, result_type=Statut) is Statut.EN_COURS

    fin = today - timedelta(days=1)
    await send(
        evenement("opco.contrat-pro.rompu.v1", numero, {"date_fin_effective": fin.isoformat()})
    )
    await statut(Statut.ATTENTE_DEMANDE_PAIEMENT)
    await send(
        evenement(
            "portail.contrat-pro.demande-paiement-deposee.v1",
            numero,
            {"date_demande_paiement": today.isoformat(), "rib_reference": "RIB-IT"},
        )
    )
    await statut(Statut.INSTRUCTION_PAIEMENT)
    validation = Decision(type=TypeDecision.VALIDER_PAIEMENT, auteur="instructeur.integration")
    assert (
        await handle.execute_update("decider", validation, result_type=Statut)
        is Statut.PAIEMENT_EMIS
    )
    record = await read_until(
        service.kafka_bootstrap_servers,
        topics.PAIEMENTS,
        about(numero, "guichet.paiement.ordre.v1"),
    )
    ordre = json.loads(record.value)["data"]
    assert (ordre["montant"], ordre["rib_reference"]) == ("1000.00", "RIB-IT")

    await send(
        evenement(
            "asp.contrat-pro.paiement-execute.v1",
            numero,
            {"ordre_id": ordre["ordre_id"], "date_execution": today.isoformat()},
        )
    )
    await statut(Statut.PAYE)
    state = await handle.query("etat", result_type=EtatContratPro)
    assert state.montant_verse == Decimal("1000.00")
    assert state.anomalies == []
