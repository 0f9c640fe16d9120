"""The service (worker + consumer) running in the test process against the real servers."""

import asyncio
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pydantic import SecretStr
from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.workflowservice.v1 import DeleteWorkflowExecutionRequest
from temporalio.client import Client

from events.publisher import KafkaPublisher
from workers.runtime.codec import nouvelle_cle
from workers.runtime.services import run_consumer, run_worker
from workers.runtime.settings import Settings

PAYLOAD_KEYS = SecretStr(f"tests:{nouvelle_cle()}")
"""One payload key for every stack of the session: worker, consumer and test clients share it."""


RACINE = Path(__file__).resolve().parents[2]


def lancer_guichet(
    commande: str, env: dict[str, str], journal: Path, *args: str
) -> "subprocess.Popen[bytes]":
    """`guichet <commande> <args>` as a process of its own (the checkout's code), its output
    in `journal`."""
    with journal.open("wb") as sortie:
        return subprocess.Popen(
            [sys.executable, "-m", "workers.cli", commande, *args],
            env=env,
            stdout=sortie,
            stderr=subprocess.STDOUT,
            cwd=RACINE,
        )


def settings_for(temporal: str, kafka: str, database_url: str) -> Settings:
    """Settings with a task queue and consumer group of their own, and the session's payload
    key (so no dev key is written in the working directory)."""
    return Settings(
        _env_file=None,
        database_url=database_url,
        temporal_address=temporal,
        kafka_bootstrap_servers=kafka,
        task_queue=f"it-{uuid.uuid4()}",
        kafka_group_id=f"it-{uuid.uuid4()}",
        payload_keys=PAYLOAD_KEYS,
    )


async def start_services(
    settings: Settings, *, worker: bool = True, consumer: bool = True
) -> list[asyncio.Task[None]]:
    """Start the worker and/or the consumer; return once each is ready."""
    tasks, ready = [], []
    if worker:
        event = asyncio.Event()
        tasks.append(asyncio.create_task(run_worker(settings, event)))
        ready.append(event)
    if consumer:
        event = asyncio.Event()
        tasks.append(asyncio.create_task(run_consumer(settings, event)))
        ready.append(event)
    async with asyncio.timeout(90):
        for event in ready:
            await event.wait()
    return tasks


async def stop_services(tasks: list[asyncio.Task[None]]) -> None:
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def effacer_workflows(client: Client, task_queue: str) -> None:
    """Delete what a test's worker leaves on the session's shared server: a workflow with a
    fixed id (a school year's ARE campaign), running or closed, would stay there without a
    worker, and a later test's query of it would wait for a poller forever (a query is answered
    by a worker even for a closed workflow)."""
    async for execution in client.list_workflows(f'TaskQueue = "{task_queue}"'):
        await client.workflow_service.delete_workflow_execution(
            DeleteWorkflowExecutionRequest(
                namespace=client.namespace,
                workflow_execution=WorkflowExecution(
                    workflow_id=execution.id, run_id=execution.run_id
                ),
            )
        )


@pytest.fixture(scope="session")
async def service(
    temporal_dev_server: str, kafka_broker: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Settings]:
    settings = settings_for(
        temporal_dev_server,
        kafka_broker,
        f"sqlite:///{tmp_path_factory.mktemp('lecture') / 'guichet.db'}",
    )
    tasks = await start_services(settings)
    yield settings
    await stop_services(tasks)


@pytest.fixture
async def publisher(kafka_broker: str) -> AsyncIterator[KafkaPublisher]:
    publisher = KafkaPublisher(kafka_broker)
    await publisher.start()
    yield publisher
    await publisher.stop()
