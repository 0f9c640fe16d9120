"""The console served for real: a Temporal dev server of this package's own, a worker running
the real workflows and activities on a real SQLite read model, the API app with the console
router, served by uvicorn on a free port in the test process, and users with tokens.

A dev server of its own (not the session's `temporal_dev_server`): the ARE campaign's workflow
id is the school year (`are-campagne:2023-2024`), which other integration tests also start on
the shared server with their own task queue.

Kafka is not needed: events reach the workflows the way the API's partner endpoint sends them
(`workers.services.evenements.soumettre_evenement`, signal-with-start), and the worker publishes
to a recording publisher. The dashboard's dead letters come from their store (the `rebut` table),
not from Kafka."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from sqlalchemy import Engine
from sqlmodel import Session, select
from temporalio.client import Client

from models.contrat_pro import Decision, Statut, TypeDecision
from models.evenements import CloudEvent
from models.tables import Dossier
from rules.calendrier import PARIS
from tests.attente import attendre
from tests.conftest import start_temporal_dev_server
from tests.factories import contrat_enregistre, demande_deposee
from tests.fakes import FakePublisher
from workers.api.app import create_app
from workers.console.routes import routeur_console
from workers.demo.are import demo as demo_are
from workers.demo.cae_dom import demo as demo_cae_dom
from workers.demo.exapro import demo as demo_exapro
from workers.runtime import processes
from workers.runtime.database import engine_for, upgrade
from workers.runtime.settings import Settings
from workers.runtime.temporal import build_worker, connect
from workers.services import evenements
from workers.services.documents import StockageDisque
from workers.services.utilisateurs import creer_jeton, creer_utilisateur
from workers.services.validation import EntreeInvalide

SECRET = b"secret-de-test-de-la-console-32o"
ATTENDUS = {
    "exapro-import:0691234U/CAP2024DEMO_1.0_2024-06_180120240800.csv": "accepte_partiellement",
    "exapro-import:0442345B/BP2024DEMO_1.0_2024-06_160120240915.csv": "rejete",
    "are-complement:DEMO-ARE-DC-0001": "instruction|conditions_non_remplies",
    "are-bilan:0930002B:2022-2023": "a_corriger",
}
"""Demo dossiers the pages show, in the state they reach (workers/demo)."""


@dataclass
class Pile:
    url: str
    settings: Settings
    engine: Engine
    client: Client
    jetons: dict[str, str]
    aujourd_hui: date
    dossiers: dict[str, str]
    """Role in the scenario -> business key."""

    def statut(self, cle: str) -> str | None:
        with Session(self.engine) as session:
            row = session.get(Dossier, cle)
            return row.statut if row else None

    def cle(self, dispositif: str, fin: str) -> str:
        """The key of the one dossier of `dispositif` whose reference ends with `fin`."""
        with Session(self.engine) as session:
            cles = [
                d.cle
                for d in session.exec(select(Dossier).where(Dossier.dispositif == dispositif))
                if d.reference.endswith(fin)
            ]
        assert len(cles) == 1, (dispositif, fin, cles)
        return cles[0]

    async def attendre_statut(self, cle: str, statut: str, delai_s: float = 60) -> None:
        """Until the read model shows the dossier with `statut` (`a|b`: either)."""
        await attendre(
            lambda: self.statut(cle),
            delai_s,
            f"{cle} au statut {statut}",
            jusqu_a=lambda lu: lu in statut.split("|"),
        )


async def _envoyer(client: Client, task_queue: str, event: CloudEvent) -> None:
    async def connecte() -> Client:
        return client

    await evenements.soumettre_evenement(
        connecte, task_queue, event.model_dump_json().encode(), None
    )


def _utilisateurs(engine: Engine) -> dict[str, str]:
    comptes: list[tuple[str, str, list[str]]] = [
        ("claire.instructrice", "instructeur", ["contrat-pro", "are-*"]),
        ("louis.lecteur", "lecteur", ["contrat-pro"]),
        ("sophie.superviseure", "superviseur", ["*"]),
    ]
    jetons = {}
    with Session(engine) as session:
        for nom, role, dispositifs in comptes:
            creer_utilisateur(session=session, nom=nom, role=role, dispositifs=dispositifs)
            session.flush()
            jetons[nom], _ = creer_jeton(session=session, nom=nom)
        session.commit()
    return jetons


def _demos(jour: date, depots: Path) -> list[CloudEvent]:
    """`guichet demo`'s events for ARE (campaign 2023-2024 on the sample files of
    tests/data/are, complementary requests, spending reports), CAE-DOM and EXAPRO (its files
    written in the worker's drop folder): the CloudEvents, each once."""
    vus: set[str] = set()
    events = []
    for _, event in [*demo_are(jour), *demo_cae_dom(jour), *demo_exapro(jour, depots)]:
        if isinstance(event, CloudEvent) and event.id not in vus:
            vus.add(event.id)
            events.append(event)
    return events


async def _dossiers(pile: Pile, task_queue: str) -> None:
    """A dossier waiting for documents due in 5 days, one in instruction, one waiting for the
    request with an anomaly; the demo's ARE 2023-2024 campaign with its commission table, its
    complementary requests and spending reports, its CAE-DOM conventions and EXAPRO imports."""
    client, jour = pile.client, pile.aujourd_hui
    suffixe = uuid.uuid4().hex[:6].upper()
    pieces, instruit, attente = (f"CONS-{n}-{suffixe}" for n in ("PIECES", "INSTR", "ATTENTE"))
    pile.dossiers.update(pieces=pieces, instruit=instruit, attente=attente)
    cerfa_seul = [{"type": "cerfa", "reference": "PORTAIL-DOC-CERFA"}]
    for event in (
        contrat_enregistre(pieces, debut=jour - timedelta(days=30)),
        demande_deposee(pieces, jour - timedelta(days=2), documents=cerfa_seul),
        contrat_enregistre(instruit, debut=jour - timedelta(days=20)),
        demande_deposee(instruit, jour - timedelta(days=1)),
        contrat_enregistre(attente, debut=jour - timedelta(days=80)),
        contrat_enregistre(attente, debut=jour - timedelta(days=10)),  # anomaly
    ):
        await _envoyer(client, task_queue, event)
    for event in _demos(jour, pile.settings.data_dir.resolve() / "exapro" / "depots"):
        try:
            await _envoyer(client, task_queue, event)
        except EntreeInvalide:
            continue  # the demo's events its contract refuses (dead-lettered by the intake)
    await pile.attendre_statut(f"contrat-pro:{pieces}", Statut.INSTRUCTION)
    handle = client.get_workflow_handle(f"contrat-pro:{pieces}")
    await handle.execute_update(
        "decider",
        Decision(
            type=TypeDecision.DEMANDER_PIECES,
            auteur="preparation.test",
            motif="décision de prise en charge de l'OPCO manquante",
            date_limite_reponse=jour + timedelta(days=5),
        ),
    )
    await pile.attendre_statut(f"contrat-pro:{pieces}", Statut.ATTENTE_PIECES)
    await pile.attendre_statut(f"contrat-pro:{instruit}", Statut.INSTRUCTION)
    await pile.attendre_statut(f"contrat-pro:{attente}", Statut.ATTENTE_DEMANDE)
    await pile.attendre_statut("are-campagne:2023-2024", "table_produite", 90)
    for cle, statut in ATTENDUS.items():
        await pile.attendre_statut(cle, statut, 90)


@pytest.fixture(scope="session")
async def pile_console(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Pile]:
    dossier = tmp_path_factory.mktemp("console")
    port_temporal = processes.free_port()
    serveur_temporal = start_temporal_dev_server(dossier, port_temporal)
    taches: list[asyncio.Task[Any]] = []
    engine = engine_for(f"sqlite:///{dossier / 'guichet.db'}")
    try:
        upgrade(engine)
        settings = Settings(
            _env_file=None,
            data_dir=dossier,
            database_url=f"sqlite:///{dossier / 'guichet.db'}",
            temporal_address=f"127.0.0.1:{port_temporal}",
            kafka_bootstrap_servers="127.0.0.1:9",  # nothing listens: dead letters unavailable
            task_queue=f"console-{uuid.uuid4()}",
        )
        client = await connect(settings.temporal_address, settings.temporal_namespace)
        worker = build_worker(
            client, settings.task_queue, FakePublisher(), engine, dossier.resolve()
        )
        taches.append(asyncio.create_task(worker.run()))
        app = create_app(
            settings,
            engine=engine,
            client=client,
            stockage=StockageDisque(dossier / "documents"),
            migrer=False,
        )
        app.include_router(routeur_console(settings, secret=SECRET))
        port = processes.free_port()
        serveur = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
        )
        taches.append(asyncio.create_task(serveur.serve()))
        await attendre(lambda: serveur.started, 30, "uvicorn démarré")
        pile = Pile(
            url=f"http://127.0.0.1:{port}",
            settings=settings,
            engine=engine,
            client=client,
            jetons=_utilisateurs(engine),
            aujourd_hui=datetime.now(PARIS).date(),
            dossiers={},
        )
        await _dossiers(pile, settings.task_queue)
        yield pile
        serveur.should_exit = True
        await asyncio.wait([taches[-1]], timeout=10)
    finally:
        for tache in reversed(taches):
            if not tache.done():
                tache.cancel()
        await asyncio.gather(*taches, return_exceptions=True)
        engine.dispose()
        serveur_temporal.stop()
