"""The API against real servers: a Temporal dev server with the real worker (real projection
into the read model, a publisher that records instead of Kafka), SQLite and PostgreSQL."""

import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from sqlalchemy import Engine
from sqlmodel import Session
from temporalio.client import Client

from events.catalogue import CATALOGUE
from events.delivery import Livrable, deliver
from models import depot
from models.evenements import CloudEvent
from models.tables import Dossier
from tests.attente import attendre
from tests.factories import contrat_enregistre, demande_deposee
from tests.fakes import FakePublisher
from workers.api.app import create_app
from workers.runtime.database import engine_for, upgrade
from workers.runtime.settings import Settings
from workers.runtime.temporal import build_worker, client_for
from workers.services.documents import StockageDisque
from workers.services.utilisateurs import creer_jeton, creer_utilisateur

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


UTILISATEURS: dict[str, dict[str, Any]] = {
    "admin": {"role": "admin", "dispositifs": ["*"]},
    "instructeur": {"role": "instructeur", "dispositifs": ["contrat-pro"]},
    "superviseur": {"role": "superviseur", "dispositifs": ["*"]},
    "lecteur": {"role": "lecteur", "dispositifs": ["contrat-pro", "are-*"]},
    "partenaire": {"role": "partenaire", "dispositifs": ["*"], "partenaire": "opco"},
    "portail": {"role": "partenaire", "dispositifs": ["contrat-pro"], "partenaire": "portail"},
    "instructeur-cae": {"role": "instructeur", "dispositifs": ["cae-dom"]},
    "admin-cae": {"role": "admin", "dispositifs": ["cae-dom"]},
    "superviseur-cae": {"role": "superviseur", "dispositifs": ["cae-dom"]},
    "lecteur-cae": {"role": "lecteur", "dispositifs": ["cae-dom"]},
    "partenaire-cae": {"role": "partenaire", "dispositifs": ["cae-dom"], "partenaire": "opco"},
    "ancien": {"role": "instructeur", "dispositifs": ["*"]},
}


@dataclass
class Pile:
    settings: Settings
    engine: Engine
    client: Client
    http: httpx.AsyncClient
    jetons: dict[str, str] = field(default_factory=dict)
    base: str = ""

    def entetes(self, nom: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.jetons[nom]}"}

    async def envoyer(self, event: CloudEvent) -> None:
        rejet = await deliver(
            self.client, self.settings.task_queue, Livrable(event, CATALOGUE[event.type])
        )
        assert rejet is None

    def ligne(self, cle: str) -> Dossier | None:
        with Session(self.engine) as session:
            return depot.lire_dossier(session=session, cle=cle)

    async def attendre(self, cle: str, condition: Callable[[Dossier], bool]) -> Dossier:
        """The dossier's row once `condition` holds for it."""
        row = await attendre(
            lambda: self.ligne(cle),
            30,
            f"la ligne du dossier {cle}",
            jusqu_a=lambda r: r is not None and condition(r),
        )
        assert row is not None
        return row

    async def dossier_en_instruction(self) -> str:
        """A fresh contrat-pro dossier, registered and requested: status `instruction`."""
        numero = f"API-{uuid.uuid4().hex[:8]}"
        debut = datetime.now(UTC).date()
        await self.envoyer(contrat_enregistre(numero, debut=debut, event_id=f"{numero}/reg"))
        await self.envoyer(demande_deposee(numero, debut + timedelta(days=1)))
        cle = f"contrat-pro:{numero}"
        await self.attendre(cle, lambda r: r.statut == "instruction")
        return cle

    async def dossier_enregistre(self) -> str:
        """A fresh contrat-pro dossier waiting for the employer's request."""
        numero = f"API-{uuid.uuid4().hex[:8]}"
        await self.envoyer(
            contrat_enregistre(numero, debut=datetime.now(UTC).date(), event_id=f"{numero}/r")
        )
        cle = f"contrat-pro:{numero}"
        await self.attendre(cle, lambda r: r.statut == "attente_demande")
        return cle


def _base_pour(param: str, tmp: Path, request: pytest.FixtureRequest) -> str:
    if param == "sqlite":
        return f"sqlite:///{tmp / 'lecture.db'}"
    server: str = request.getfixturevalue("postgres_url")
    name = f"api_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return server.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
async def pile(
    request: pytest.FixtureRequest,
    temporal_dev_server: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[Pile]:
    tmp = tmp_path_factory.mktemp("api")
    settings = Settings(
        _env_file=None,
        data_dir=tmp,
        database_url=_base_pour(request.param, tmp, request),
        temporal_address=temporal_dev_server,
        kafka_bootstrap_servers="127.0.0.1:1",
        task_queue=f"api-{uuid.uuid4()}",
    )
    engine = engine_for(settings.effective_database_url)
    upgrade(engine)
    client = await client_for(settings)
    worker = build_worker(client, settings.task_queue, FakePublisher(), engine, tmp / "stockage")
    app = create_app(
        settings,
        engine=engine,
        client=client,
        stockage=StockageDisque(tmp / "documents"),
        migrer=False,
    )
    jetons = {}
    with Session(engine) as session:
        for nom, champs in UTILISATEURS.items():
            creer_utilisateur(session=session, nom=nom, **champs)
        session.commit()
        for nom in UTILISATEURS:
            jetons[nom], _ = creer_jeton(session=session, nom=nom)
        jetons["expire"], _ = creer_jeton(
            session=session,
            nom="instructeur",
            duree=timedelta(hours=1),
            maintenant=datetime.now(UTC) - timedelta(days=2),
        )
        session.commit()
    transport = httpx.ASGITransport(app=app)
    async with (
        worker,
        httpx.AsyncClient(transport=transport, base_url="http://api") as http,
    ):
        yield Pile(settings, engine, client, http, jetons, request.param)
    engine.dispose()
