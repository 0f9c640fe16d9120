"""The time-skipping test server a scenario runs on, started at the scenario's first date
(under libfaketime for a date already past: Debian package `faketime`; a date in the future
needs nothing), the in-memory publisher that captures outbound events, and whether a workflow
still has work under way (`en_cours`, read from its history).
"""

import functools
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from temporalio.api.enums.v1 import EventType, IndexedValueType, WorkflowExecutionStatus
from temporalio.api.history.v1 import HistoryEvent
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.client import WorkflowHandle
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.runtime import LoggingConfig, Runtime, TelemetryConfig, TelemetryFilter
from temporalio.testing import WorkflowEnvironment

from events.publisher import Headers
from models.evenements import CloudEvent
from models.recherche import ATTRIBUTS
from workers.runtime import processes
from workers.scenarios.format import ErreurScenario

RUNNING = WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING
FIN_TACHE = frozenset(
    {
        EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
        EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED,
        EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT,
    }
)
FIN_ACTIVITE = frozenset(
    {
        EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED,
        EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED,
        EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT,
        EventType.EVENT_TYPE_ACTIVITY_TASK_CANCELED,
    }
)
LIBFAKETIME = "GUICHET_LIBFAKETIME"


class PublicateurMemoire:
    """A `Publisher` that keeps every outbound event in memory, in publication order."""

    def __init__(self) -> None:
        self.evenements: list[tuple[str, CloudEvent]] = []

    async def publish(self, topic: str, key: str, value: bytes, headers: Headers = ()) -> None:
        self.evenements.append((topic, CloudEvent.model_validate_json(value)))

    def sur(self, sujet: str, type_: str | None = None) -> list[CloudEvent]:
        return [
            e
            for _, e in self.evenements
            if e.subject == sujet and (type_ is None or e.type == type_)
        ]


# --- the test server, started at the scenario's date -----------------------------------------


def _libfaketime() -> str:
    explicite = os.environ.get(LIBFAKETIME)
    candidats = [Path(explicite)] if explicite else []
    candidats += sorted(Path("/usr/lib").glob("*/faketime/libfaketime.so.1"))
    for candidat in candidats:
        if candidat.is_file():
            return str(candidat)
    raise ErreurScenario(
        "libfaketime introuvable: un scénario qui commence dans le passé démarre le serveur de "
        "test à sa première date sous libfaketime; installez le paquet Debian « faketime » "
        f"(apt-get install faketime) ou indiquez son chemin dans {LIBFAKETIME}"
    )


@contextmanager
def _environnement_faketime(depart: datetime) -> Iterator[None]:
    """Environment variables for the child process only: restored right after its start."""
    valeurs = {
        "LD_PRELOAD": _libfaketime(),
        "FAKETIME": depart.astimezone(UTC).strftime("@%Y-%m-%d %H:%M:%S"),
        "FAKETIME_DONT_FAKE_MONOTONIC": "1",
        "TZ": "UTC",
    }
    avant = {nom: os.environ.get(nom) for nom in valeurs}
    os.environ.update(valeurs)
    try:
        yield
    finally:
        for nom, valeur in avant.items():
            if valeur is None:
                os.environ.pop(nom, None)
            else:
                os.environ[nom] = valeur


@functools.cache
def runtime_silencieux() -> Runtime:
    """A Temporal runtime whose native core logs errors only: its warnings (written straight to
    the process's standard output) would break `scenario run --json`."""
    filtre = TelemetryFilter(core_level="ERROR", other_level="ERROR")
    return Runtime(telemetry=TelemetryConfig(logging=LoggingConfig(filter=filtre)))


async def demarrer_serveur(depart: datetime) -> WorkflowEnvironment:
    """A time-skipping test server whose clock reads `depart` (or later), with the dossiers'
    search attributes registered (`models.recherche`)."""
    chemin = processes.temporal_test_server()
    if depart > datetime.now(UTC) + timedelta(minutes=1):
        env = await WorkflowEnvironment.start_time_skipping(
            test_server_existing_path=chemin,
            data_converter=pydantic_data_converter,
            runtime=runtime_silencieux(),
        )
        await env.sleep(depart - await env.get_current_time())
    else:
        with _environnement_faketime(depart):
            env = await WorkflowEnvironment.start_time_skipping(
                test_server_existing_path=chemin,
                data_converter=pydantic_data_converter,
                runtime=runtime_silencieux(),
            )
    await env.client.operator_service.add_search_attributes(
        AddSearchAttributesRequest(
            namespace=env.client.namespace,
            search_attributes={
                cle.name: IndexedValueType.ValueType(cle.indexed_value_type) for cle in ATTRIBUTS
            },
        )
    )
    return env


# --- what the server is doing ----------------------------------------------------------------


async def en_cours(handle: WorkflowHandle[Any, Any]) -> bool:
    """Whether the workflow's current run has a workflow task, an activity or a signal to
    another workflow without outcome."""
    tache = False
    attendus: set[int] = set()
    async for event in handle.fetch_history_events():
        genre = event.event_type
        if genre == EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED:
            tache = True
        elif genre in FIN_TACHE:
            tache = False
        elif genre in (
            EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED,
            EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED,
        ):
            attendus.add(event.event_id)
        elif genre in FIN_ACTIVITE:
            attendus.discard(_activite_planifiee(event))
        elif genre == EventType.EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_SIGNALED:
            attendus.discard(
                event.external_workflow_execution_signaled_event_attributes.initiated_event_id
            )
        elif genre == EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED:
            attendus.discard(
                event.signal_external_workflow_execution_failed_event_attributes.initiated_event_id
            )
    return tache or bool(attendus)


def _activite_planifiee(event: HistoryEvent) -> int:
    for nom in (
        "activity_task_completed_event_attributes",
        "activity_task_failed_event_attributes",
        "activity_task_timed_out_event_attributes",
        "activity_task_canceled_event_attributes",
    ):
        if event.HasField(nom):
            return int(getattr(event, nom).scheduled_event_id)
    return -1
