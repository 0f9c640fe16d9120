"""The Temporal history holds no personal data in clear text (issue 11, item 1).

A contrat-pro dossier (employee's birth date, an instructor's decision by update) and a CAE-DOM
convention (the employee's names, NIR, birth date and place, address; the employer's e-mail)
run through the real consumer and worker, which encrypt payloads with the codec. The raw history
is then read through the Temporal API by a client WITHOUT the codec, as anyone with access to
the Temporal UI or the server's database would see it: no personal value appears in any byte of
any event. A client with the codec still reads the dossiers' state.
"""

import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest
from temporalio.api.common.v1 import Payload
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import Client, WorkflowHandle

from events import topics
from events.publisher import KafkaPublisher
from models.cae_dom import EtatCaeDom
from models.contrat_pro import Decision, EtatContratPro, Statut, TypeDecision
from rules import cae_dom
from rules.calendrier import PARIS
from tests.attente import etat_quand
from tests.factories import (
    NAISSANCE_CONTRAT_PRO,
    NIR,
    NOM,
    VALEURS_PERSONNELLES,
    contrat_enregistre,
    convention_enregistree,
    convention_personnelle,
    demande_deposee,
    numero_cae_dom,
)
from workers.runtime.codec import ENCODING
from workers.runtime.settings import Settings
from workers.runtime.temporal import client_for, connect

pytestmark = pytest.mark.integration

PERSONNEL = VALEURS_PERSONNELLES


def _fuites(evenements: list[HistoryEvent]) -> list[tuple[int, str, str]]:
    """(event id, event type, value) for every personal value found in an event's bytes."""
    return [
        (event.event_id, str(event.WhichOneof("attributes")), valeur)
        for event in evenements
        for valeur in PERSONNEL
        if valeur.encode() in event.SerializeToString()
    ]


def _payloads(evenements: list[HistoryEvent]) -> list[Payload]:
    """Every payload of the signals and updates the workflow received."""
    found: list[Payload] = []
    for event in evenements:
        if event.HasField("workflow_execution_signaled_event_attributes"):
            found += event.workflow_execution_signaled_event_attributes.input.payloads
        if event.HasField("workflow_execution_update_accepted_event_attributes"):
            attrs = event.workflow_execution_update_accepted_event_attributes
            found += attrs.accepted_request.input.args.payloads
    return found


async def _contrat_pro(service: Settings, publisher: KafkaPublisher, client: Client) -> str:
    numero = f"CHIFFRE-{uuid.uuid4().hex[:8]}"
    today = datetime.now(PARIS).date()
    for event in (
        contrat_enregistre(
            numero, debut=today - timedelta(days=45), date_naissance_salarie=NAISSANCE_CONTRAT_PRO
        ),
        demande_deposee(numero, today),
    ):
        topic = topics.OPCO if event.type.startswith("opco.") else topics.PORTAIL
        await publisher.publish(topic, numero, event.model_dump_json().encode())
    handle: WorkflowHandle[Any, Any] = client.get_workflow_handle(f"contrat-pro:{numero}")

    await etat_quand(
        handle, EtatContratPro, lambda e: e.statut is Statut.INSTRUCTION, 60, "in instruction"
    )
    decision = Decision(type=TypeDecision.ACCEPTER, auteur="instructeur.chiffrement")
    assert await handle.execute_update("decider", decision, result_type=Statut) is Statut.EN_COURS
    return handle.id


async def _cae_dom(service: Settings, publisher: KafkaPublisher, client: Client) -> str:
    fuseau = cae_dom.fuseau_horaire("971")
    today = datetime.now(fuseau).date()
    embauche = today - timedelta(days=20)
    cle = numero_cae_dom(embauche)
    fin = cae_dom.ajouter_mois(embauche, 12) - timedelta(days=1)
    event = convention_enregistree(cle, convention_personnelle(cle, embauche, fin))
    await publisher.publish(topics.ASP, cle, event.model_dump_json().encode())
    handle: WorkflowHandle[Any, Any] = client.get_workflow_handle(f"cae-dom:{cle}")

    await etat_quand(
        handle, EtatCaeDom, lambda e: e.evaluation is not None, 60, "the convention evaluated"
    )
    return handle.id


async def test_the_raw_history_of_running_dossiers_shows_no_personal_data(
    service: Settings, publisher: KafkaPublisher
) -> None:
    chiffrant = await client_for(service)
    workflow_ids = [
        await _contrat_pro(service, publisher, chiffrant),
        await _cae_dom(service, publisher, chiffrant),
    ]

    brut = await connect(service.temporal_address, service.temporal_namespace)
    for workflow_id in workflow_ids:
        history = await brut.get_workflow_handle(workflow_id).fetch_history()
        evenements = list(history.events)
        assert len(evenements) > 10, f"{workflow_id}: the dossier ran activities"
        assert _fuites(evenements) == [], workflow_id
        recus = _payloads(evenements)
        assert recus, f"{workflow_id}: the signals and updates are in the history"
        assert {p.metadata["encoding"] for p in recus} == {ENCODING}
        # the codec server's scope check reads which workflow a payload belongs to
        assert {p.metadata["guichet-workflow-id"] for p in recus} == {workflow_id.encode()}

    etat = await chiffrant.get_workflow_handle(workflow_ids[1]).query(
        "etat", result_type=EtatCaeDom
    )
    assert etat.convention is not None
    assert (etat.convention.salarie.nom, etat.convention.salarie.nir) == (NOM, NIR)
    contrat = await chiffrant.get_workflow_handle(workflow_ids[0]).query(
        "etat", result_type=EtatContratPro
    )
    assert contrat.statut is Statut.EN_COURS


async def test_a_client_without_the_keys_cannot_read_a_dossier_state(
    service: Settings, publisher: KafkaPublisher
) -> None:
    chiffrant = await client_for(service)
    workflow_id = await _cae_dom(service, publisher, chiffrant)
    brut = await connect(service.temporal_address, service.temporal_namespace)
    with pytest.raises(KeyError, match="Unknown payload encoding binary/encrypted"):
        await brut.get_workflow_handle(workflow_id).query("etat")
