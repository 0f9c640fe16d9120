"""The read-model database: engine and schema migrations (Alembic, `models/migrations`)."""

import contextlib
import fcntl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url

MIGRATIONS = "models:migrations"


def engine_for(url: str) -> Engine:
    """An engine for `url`; a SQLite file's directory is created if missing."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
    event.listen(engine, "connect", _sqlite_wal)
    return engine


def _sqlite_wal(connection: Any, _record: object) -> None:
    """WAL journal, fsync at checkpoints only: a write no longer waits for the disk twice
    (the read model can be rebuilt from Temporal, the source of truth)."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


MIGRATION_LOCK = 4_242_001
"""PostgreSQL advisory lock id: workers starting together migrate one after the other."""


def upgrade(engine: Engine) -> None:
    """Bring the schema to the latest revision (idempotent, safe from concurrent processes:
    the worker, the consumer and the API each migrate at start)."""
    with _verrou_sqlite(engine):
        _upgrade(engine)


@contextlib.contextmanager
def _verrou_sqlite(engine: Engine) -> Iterator[None]:
    """On a SQLite file, an exclusive lock on `<file>.migration.lock` (flock: across processes
    and threads); PostgreSQL serialises with an advisory lock inside the transaction."""
    base = engine.url.database
    if engine.dialect.name != "sqlite" or not base or base == ":memory:":
        yield
        return
    with open(f"{base}.migration.lock", "a+b") as verrou:
        fcntl.flock(verrou, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(verrou, fcntl.LOCK_UN)


def _upgrade(engine: Engine) -> None:
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK})
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
