"""A partner event on real Kafka (Tansu) reaches its workflow on a real Temporal dev server
through the real consumer, and the workflow's outbound event comes back on Kafka."""

import asyncio
import json
import os
import sys
import uuid
from datetime import datetime
from pathlib import Path

import pytest
from sqlmodel import Session

from events import topics
from events.publisher import KafkaPublisher
from models import depot
from models.contrat_pro import EtatContratPro, Statut
from models.evenements import CloudEvent
from rules.calendrier import PARIS
from tests.attente import attendre, etat_quand
from tests.factories import contrat_enregistre, demande_deposee
from tests.integration.kafka import about, read_until
from workers.runtime.database import engine_for
from workers.runtime.settings import Settings
from workers.runtime.temporal import client_for

pytestmark = pytest.mark.integration


async def test_a_registration_on_kafka_opens_the_dossier_and_its_announcement_comes_back(
    service: Settings, publisher: KafkaPublisher
) -> None:
    numero = f"IT-{uuid.uuid4().hex[:8]}"
    event = contrat_enregistre(numero)

    await publisher.publish(topics.OPCO, numero, event.model_dump_json().encode())

    record = await read_until(
        service.kafka_bootstrap_servers, topics.DOSSIERS, about(numero, "guichet.dossier.ouvert.v1")
    )
    assert record.key == numero.encode()
    announced = json.loads(record.value)
    assert announced["data"]["date_limite_demande"] == "2024-12-02"
    client = await client_for(service)
    handle = client.get_workflow_handle(f"contrat-pro:{numero}")
    state = await handle.query("etat", result_type=EtatContratPro)
    assert state.registre.evenements_appliques == [event.id]
    assert state.statut in {Statut.ATTENTE_DEMANDE, Statut.PRESCRIT}
    engine = engine_for(service.effective_database_url)

    def lignes_d_audit() -> int:
        with Session(engine) as session:
            return len(depot.lire_audit(session=session, dossier=f"contrat-pro:{numero}"))

    # The announcement is published before the step's read-model write: wait for both.
    await attendre(lignes_d_audit, 60, "two audit lines", jusqu_a=lambda n: n >= 2)
    with Session(engine) as session:
        row = depot.lire_dossier(session=session, cle=f"contrat-pro:{numero}")
        audit = depot.lire_audit(session=session, dossier=f"contrat-pro:{numero}")
    assert row is not None
    assert row.beneficiaire == event.data["siret_etablissement"]
    assert [(line.nature, line.type) for line in audit][:2] == [
        ("evenement", "opco.contrat-pro.enregistre.v1"),
        ("publication", "guichet.dossier.ouvert.v1"),
    ]


@pytest.mark.parametrize(
    ("name", "record", "reason"),
    [
        ("malformed JSON", b'{"id": "casse", "type": ', "JSON invalide"),
        (
            "unknown type",
            contrat_enregistre().model_copy(update={"type": "opco.inconnu.v1"}),
            "type: 'opco.inconnu.v1' n'est pas un type du catalogue",
        ),
        (
            "bad field",
            contrat_enregistre(code_postal_etablissement="4400"),
            "code_postal_etablissement: String should match pattern",
        ),
    ],
)
async def test_a_bad_record_is_dead_lettered_with_its_reason_and_the_next_one_still_delivered(
    service: Settings,
    publisher: KafkaPublisher,
    name: str,
    record: bytes | CloudEvent,
    reason: str,
) -> None:
    numero = f"IT-{uuid.uuid4().hex[:8]}"
    value = record if isinstance(record, bytes) else record.model_dump_json().encode()
    await publisher.publish(topics.OPCO, numero, value)
    good = contrat_enregistre(numero)
    await publisher.publish(topics.OPCO, numero, good.model_dump_json().encode())

    dead = await read_until(
        service.kafka_bootstrap_servers, topics.REBUTS, lambda r: r.key == numero.encode()
    )
    headers = {name: value.decode() for name, value in dead.headers}
    assert dead.value == value, name
    assert headers["rebut-topic"] == topics.OPCO
    assert reason in headers["rebut-motif"]
    assert int(headers["rebut-offset"]) >= 0
    assert int(headers["rebut-partition"]) >= 0
    await read_until(
        service.kafka_bootstrap_servers, topics.DOSSIERS, about(numero, "guichet.dossier.ouvert.v1")
    )


async def test_a_duplicate_on_kafka_is_applied_once(
    service: Settings, publisher: KafkaPublisher
) -> None:
    numero = f"IT-{uuid.uuid4().hex[:8]}"
    event = contrat_enregistre(numero, debut=datetime.now(PARIS).date())
    for _ in range(2):
        await publisher.publish(topics.OPCO, numero, event.model_dump_json().encode())
    later = contrat_enregistre(numero, debut=datetime.now(PARIS).date(), event_id=f"{numero}-later")
    await publisher.publish(topics.OPCO, numero, later.model_dump_json().encode())

    await read_until(
        service.kafka_bootstrap_servers,
        topics.DOSSIERS,
        about(numero, "guichet.dossier.anomalie.v1"),
    )
    client = await client_for(service)
    state = await client.get_workflow_handle(f"contrat-pro:{numero}").query(
        "etat", result_type=EtatContratPro
    )
    assert state.registre.evenements_appliques == [event.id, later.id]
    assert [a.evenement_id for a in state.anomalies] == [later.id]


async def test_an_event_for_a_closed_dossier_is_dead_lettered_naming_the_dossier(
    service: Settings, publisher: KafkaPublisher
) -> None:
    numero = f"IT-{uuid.uuid4().hex[:8]}"
    old = contrat_enregistre(numero)  # started in 2024: time-barred at once, workflow closed
    await publisher.publish(topics.OPCO, numero, old.model_dump_json().encode())
    await read_until(
        service.kafka_bootstrap_servers,
        topics.DOSSIERS,
        about(numero, "guichet.dossier.prescrit.v1"),
    )
    client = await client_for(service)
    handle = client.get_workflow_handle(f"contrat-pro:{numero}")
    await handle.result()

    late = contrat_enregistre(numero, event_id=f"{numero}-late")
    await publisher.publish(topics.OPCO, numero, late.model_dump_json().encode())

    dead = await read_until(
        service.kafka_bootstrap_servers, topics.REBUTS, lambda r: r.key == numero.encode()
    )
    motif = dict(dead.headers)["rebut-motif"].decode()
    assert motif == f"le dossier contrat-pro:{numero} est clos: l'événement n'est plus appliqué"
    state = await handle.query("etat", result_type=EtatContratPro)
    assert state.registre.evenements_appliques == [old.id]


async def test_dossiers_list_and_show_give_the_state_and_the_full_timeline(
    service: Settings, publisher: KafkaPublisher
) -> None:
    numero = f"IT-{uuid.uuid4().hex[:8]}"
    event = contrat_enregistre(numero, debut=datetime.now(PARIS).date())
    await publisher.publish(topics.OPCO, numero, event.model_dump_json().encode())
    await read_until(
        service.kafka_bootstrap_servers, topics.DOSSIERS, about(numero, "guichet.dossier.ouvert.v1")
    )
    env = {
        **os.environ,
        "GUICHET_DATABASE_URL": service.effective_database_url,
        "GUICHET_TEMPORAL_ADDRESS": service.temporal_address,
        "GUICHET_PAYLOAD_KEYS": service.payload_keys.get_secret_value(),
    }
    guichet = str(Path(sys.executable).parent / "guichet")

    async def cli(*args: str) -> str:
        proc = await asyncio.create_subprocess_exec(
            guichet, *args, env=env, stdout=asyncio.subprocess.PIPE
        )
        out, _ = await proc.communicate()
        assert proc.returncode == 0
        return out.decode()

    listed = json.loads(await cli("dossiers", "list", "--scheme", "contrat-pro", "--json"))
    assert f"contrat-pro:{numero}" in [row["cle"] for row in listed]
    shown = json.loads(await cli("dossiers", "show", numero, "--json"))
    assert shown["dossier"]["statut"] == "attente_demande"
    assert shown["source_etat"] == "workflow"
    assert shown["etat"]["registre"]["evenements_appliques"] == [event.id]
    assert [(line["nature"], line["type"]) for line in shown["historique"]] == [
        ("evenement", "opco.contrat-pro.enregistre.v1"),
        ("publication", "guichet.dossier.ouvert.v1"),
    ]
    text = await cli("dossiers", "show", numero)
    assert "prochaine échéance" in text
    assert "opco.contrat-pro.enregistre.v1 par /opco/akto" in text


async def test_an_event_for_a_dossier_not_started_yet_starts_it_and_is_applied(
    service: Settings, publisher: KafkaPublisher
) -> None:
    numero = f"IT-{uuid.uuid4().hex[:8]}"
    today = datetime.now(PARIS).date()
    demande = demande_deposee(numero, today)
    await publisher.publish(topics.PORTAIL, numero, demande.model_dump_json().encode())
    client = await client_for(service)
    handle = client.get_workflow_handle(f"contrat-pro:{numero}")
    await etat_quand(
        handle,
        EtatContratPro,
        lambda e: demande.id in e.registre.evenements_appliques,
        60,
        "the request applied",
    )

    registration = contrat_enregistre(numero, debut=today)
    await publisher.publish(topics.OPCO, numero, registration.model_dump_json().encode())

    await read_until(
        service.kafka_bootstrap_servers,
        topics.DOSSIERS,
        lambda r: (
            json.loads(r.value)["subject"] == numero
            and json.loads(r.value)["data"].get("statut") == "instruction"
        ),
    )
    state = await handle.query("etat", result_type=EtatContratPro)
    assert state.registre.evenements_appliques == [demande.id, registration.id]
    assert state.evaluation is not None
    assert state.evaluation.eligible
