"""Fixtures shared by the workflow tests."""

import uuid
from collections.abc import AsyncIterator

import pytest
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from tests.fakes import FakeActivities
from tests.workflows.test_cae_dom import ACTIVITES, Convention
from workflows.cae_dom import CaeDomWorkflow


@pytest.fixture
async def convention(fresh_time_skipping_env: WorkflowEnvironment) -> AsyncIterator[Convention]:
    """A CAE-DOM worker (the rules for real, recording fakes for Kafka and the database) on a
    server of the test's own, and the dossier of the convention `CLE`."""
    captured = FakeActivities()
    task_queue = f"test-{uuid.uuid4()}"
    async with Worker(
        fresh_time_skipping_env.client,
        task_queue=task_queue,
        workflows=[CaeDomWorkflow],
        activities=[*captured.all(), *ACTIVITES],
    ):
        yield Convention(fresh_time_skipping_env, task_queue, captured)
