"""Fuzzing the API from its own OpenAPI document (schemathesis) with every check (`--checks
all`: no 5xx, documented status codes and content types, responses conforming to their schema,
valid data accepted and invalid data rejected...), configured by the project's
`schemathesis.toml` (why 422 counts as a documented rejection of schema-valid data: there).
The API runs under uvicorn in a thread of its own (own event loop and Temporal client)
against the real Temporal dev server, a real Kafka (Tansu, so `/ready` is 200) and a SQLite
read model; requests carry an admin token
(the widest rights, so the fuzzer reaches past authentication). Bounded: a few examples per
operation."""

import asyncio
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest
import schemathesis
import schemathesis.specs.openapi.checks
import uvicorn
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import CHECKS, CheckFunction
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import FailureGroup
from schemathesis.core.result import Ok
from sqlmodel import Session

from tests.attente import attendre_bloquant
from workers.api.app import create_app
from workers.runtime import processes
from workers.runtime.database import engine_for, upgrade
from workers.runtime.settings import Settings
from workers.services.utilisateurs import creer_jeton, creer_utilisateur

RACINE = Path(__file__).resolve().parents[2]
TOUTES = cast("list[CheckFunction]", CHECKS.get_all())
"""Every registered check, as `--checks all` runs them (the registry also lists its
class-based checks, which `validate_response` accepts beside the functions)."""


class Serveur:
    def __init__(self, base: str, jeton: str, schema: schemathesis.BaseSchema) -> None:
        self.base, self.jeton, self.schema = base, jeton, schema


@pytest.fixture(scope="module")
def serveur(
    temporal_dev_server: str, kafka_broker: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Serveur]:
    tmp: Path = tmp_path_factory.mktemp("fuzz")
    reglages = Settings(
        _env_file=None,
        data_dir=tmp,
        temporal_address=temporal_dev_server,
        kafka_bootstrap_servers=kafka_broker,
        task_queue=f"fuzz-{uuid.uuid4()}",
    )
    engine = engine_for(reglages.effective_database_url)
    upgrade(engine)
    with Session(engine) as session:
        creer_utilisateur(session=session, nom="fuzz", role="admin", dispositifs=["*"])
        session.commit()
        jeton, _ = creer_jeton(session=session, nom="fuzz")
        session.commit()
    app = create_app(reglages, engine=engine, migrer=False)
    port = processes.free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False)
    )
    thread = threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True)
    thread.start()
    attendre_bloquant(lambda: server.started, 20, "uvicorn démarré")
    schema = schemathesis.openapi.from_dict(
        app.openapi(), config=SchemathesisConfig.from_path(RACINE / "schemathesis.toml")
    )
    yield Serveur(f"http://127.0.0.1:{port}", jeton, schema)
    server.should_exit = True
    thread.join(timeout=10)
    engine.dispose()


def test_the_api_obeys_its_openapi_document_under_every_check(serveur: Serveur) -> None:
    """Every operation of the OpenAPI document, a few generated requests each (valid and
    invalid: schemathesis' default modes), every check; every error is JSON with a `detail`.
    All the failures are collected, then reported together."""
    operations = []
    for resultat in serveur.schema.get_all_operations():
        assert isinstance(resultat, Ok), resultat
        operations.append(resultat.ok())
    assert len(operations) >= 8
    echecs: list[str] = []

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=6,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def essai(case: schemathesis.Case[Any]) -> None:
            response = case.call(
                base_url=serveur.base,
                headers={"Authorization": f"Bearer {serveur.jeton}"},
                timeout=30,
            )
            try:
                case.validate_response(response, checks=TOUTES)
                if response.status_code >= 400:
                    assert "detail" in response.json()
            except (AssertionError, FailureGroup) as exc:
                echecs.append(f"{case.method} {case.formatted_path}: {str(exc)[:1500]}")

        essai()
    assert echecs == [], "\n\n".join(echecs)
