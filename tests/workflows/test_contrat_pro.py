"""The contrat-pro workflow on the time-skipping test server, outbound events captured."""

import uuid
from collections.abc import AsyncIterator
from datetime import date, timedelta
from typing import Any

import pytest
from temporalio.client import WorkflowExecutionStatus, WorkflowHandle
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from events import topics
from events.catalogue import CATALOGUE
from events.delivery import Livrable, deliver
from models.contrat_pro import EtatContratPro, Statut
from models.evenements import CloudEvent
from rules.calendrier import PARIS
from rules.contrat_pro import add_months
from tests.factories import contrat_enregistre
from tests.fakes import FakeActivities
from workers.temporal import WORKFLOWS


@pytest.fixture(scope="module")
async def running(
    time_skipping_env: WorkflowEnvironment,
) -> AsyncIterator[tuple[str, FakeActivities]]:
    """One worker for the whole module: the time-skipping server stops skipping time while a
    workflow task waits for a worker, so every workflow started here must keep one."""
    captured = FakeActivities()
    task_queue = f"test-{uuid.uuid4()}"
    async with Worker(
        time_skipping_env.client,
        task_queue=task_queue,
        workflows=WORKFLOWS,
        activities=captured.all(),
    ):
        yield task_queue, captured


async def send(
    env: WorkflowEnvironment, task_queue: str, event: CloudEvent
) -> WorkflowHandle[Any, Any]:
    spec = CATALOGUE[event.type]
    assert await deliver(env.client, task_queue, Livrable(event, spec)) is None
    return env.client.get_workflow_handle(spec.workflow_id(event.subject))


async def today(env: WorkflowEnvironment) -> date:
    return (await env.get_current_time()).astimezone(PARIS).date()


async def etat(handle: WorkflowHandle[Any, Any]) -> EtatContratPro:
    state: EtatContratPro = await handle.query("etat", result_type=EtatContratPro)
    return state


async def test_registration_opens_the_dossier_with_the_three_month_request_deadline(
    time_skipping_env: WorkflowEnvironment, running: tuple[str, FakeActivities]
) -> None:
    task_queue, captured = running
    debut = await today(time_skipping_env)
    event = contrat_enregistre(f"C-{uuid.uuid4().hex[:8]}", debut=debut)

    handle = await send(time_skipping_env, task_queue, event)
    await time_skipping_env.sleep(timedelta(seconds=1))

    state = await etat(handle)
    assert state.statut is Statut.ATTENTE_DEMANDE
    assert state.date_limite_demande == add_months(debut, 3)
    assert state.registre.evenements_appliques == [event.id]
    assert captured.types(event.subject) == ["guichet.dossier.ouvert.v1"]
    ouvert = captured.about(event.subject)[0]
    assert ouvert.topic == topics.DOSSIERS
    assert ouvert.subject == event.subject
    assert ouvert.data["date_limite_demande"] == add_months(debut, 3).isoformat()


async def test_the_same_event_delivered_twice_is_applied_once(
    time_skipping_env: WorkflowEnvironment, running: tuple[str, FakeActivities]
) -> None:
    task_queue, captured = running
    debut = await today(time_skipping_env)
    event = contrat_enregistre(f"C-{uuid.uuid4().hex[:8]}", debut=debut)

    await send(time_skipping_env, task_queue, event)
    handle = await send(time_skipping_env, task_queue, event)
    await time_skipping_env.sleep(timedelta(seconds=1))

    state = await etat(handle)
    assert state.registre.evenements_appliques == [event.id]
    assert state.anomalies == []
    assert captured.types(event.subject) == ["guichet.dossier.ouvert.v1"]


async def test_a_second_registration_for_an_open_dossier_is_an_anomaly_not_a_change(
    time_skipping_env: WorkflowEnvironment, running: tuple[str, FakeActivities]
) -> None:
    task_queue, _ = running
    debut = await today(time_skipping_env)
    numero = f"C-{uuid.uuid4().hex[:8]}"
    first = contrat_enregistre(numero, debut=debut)
    second = contrat_enregistre(numero, debut=debut + timedelta(days=30))

    await send(time_skipping_env, task_queue, first)
    handle = await send(time_skipping_env, task_queue, second)
    await time_skipping_env.sleep(timedelta(seconds=1))

    state = await etat(handle)
    assert state.date_limite_demande == add_months(debut, 3)
    assert [anomalie.evenement_id for anomalie in state.anomalies] == [second.id]
    assert "inattendu" in state.anomalies[0].motif


async def test_no_request_by_the_end_of_the_deadline_day_time_bars_the_dossier(
    time_skipping_env: WorkflowEnvironment, running: tuple[str, FakeActivities]
) -> None:
    task_queue, captured = running
    debut = await today(time_skipping_env)
    event = contrat_enregistre(f"C-{uuid.uuid4().hex[:8]}", debut=debut)
    limite = add_months(debut, 3)

    handle = await send(time_skipping_env, task_queue, event)
    await time_skipping_env.sleep(timedelta(seconds=1))
    days_to_deadline = (limite - debut).days
    await time_skipping_env.sleep(timedelta(days=days_to_deadline - 1))
    assert (await etat(handle)).statut is Statut.ATTENTE_DEMANDE

    await time_skipping_env.sleep(timedelta(days=2))

    assert (await etat(handle)).statut is Statut.PRESCRIT
    assert (await handle.describe()).status == WorkflowExecutionStatus.COMPLETED
    assert captured.types(event.subject) == [
        "guichet.dossier.ouvert.v1",
        "guichet.dossier.prescrit.v1",
    ]
    prescrit = captured.about(event.subject)[1]
    assert prescrit.time.astimezone(PARIS).date() == limite + timedelta(days=1)
    assert prescrit.data["motif"] == "DEMANDE_HORS_DELAI"
