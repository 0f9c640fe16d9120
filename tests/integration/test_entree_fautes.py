"""The fault family (issue 15): 1 000 good partner records interleaved with 60 bad ones, on two
partner topics, through the production topology: `guichet worker`, `guichet consume` and
`guichet api` as separate processes, Tansu, the Temporal dev server and PostgreSQL.

Expected: every good event applied exactly once; the 60 bad records in the dead-letter store,
each with its reason code and no personal value in any reason; the consumer groups' lag back to
0; the API answering throughout. Then one dead letter, corrected, is replayed and applied once.

The figures (drain time, rate, API latencies) are printed (`pytest -s`), never asserted.
"""

import asyncio
import contextlib
import functools
import json
import os
import random
import statistics
import subprocess
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from sqlalchemy import Engine
from sqlmodel import Session, select
from temporalio.client import Client
from temporalio.service import RPCError

from events import topics
from events.registre import CodeRejet
from models.contrat_pro import EtatContratPro
from models.evenements import CloudEvent
from models.tables import Rebut
from tests.attente import attendre
from tests.factories import VALEURS_PERSONNELLES, contrat_enregistre, evenement
from tests.integration.conftest import PAYLOAD_KEYS, lancer_guichet
from workers.runtime import processes
from workers.runtime.database import engine_for, upgrade
from workers.runtime.settings import Settings
from workers.runtime.temporal import client_for
from workers.services import utilisateurs

pytestmark = pytest.mark.integration

DOSSIERS = 100
"""Each dossier gets 5 OPCO events and 5 portal events: 1 000 good records."""
SOURCES = {topics.OPCO: ["/opco/"], topics.PORTAIL: ["/portail-aides/"]}
"""The sources each partner topic admits (`GUICHET_INTAKE_SOURCES`)."""
NAISSANCE_FAUSSE = "1985-14-03"
"""The personal value of the records that break their contract on it."""


@dataclass
class Enregistrement:
    topic: str
    cle: str
    valeur: bytes
    defaut: CodeRejet | None = None


def _bons(numero: str, debut: date) -> list[Enregistrement]:
    opco = [contrat_enregistre(numero, debut=debut, event_id=f"{numero}/opco/0")]
    opco += [
        evenement(
            "opco.contrat-pro.avenant.v1",
            numero,
            {
                "date_effet": (debut + timedelta(days=30 * rang)).isoformat(),
                "duree_hebdomadaire_heures": str(20 + rang),
            },
            event_id=f"{numero}/opco/{rang}",
        )
        for rang in range(1, 5)
    ]
    portail = [
        evenement(
            "portail.contrat-pro.document-ajoute.v1",
            numero,
            {"document": {"type": "autre", "reference": f"DOC-{numero}-{rang}"}},
            event_id=f"{numero}/portail/{rang}",
        )
        for rang in range(5)
    ]
    return [Enregistrement(topics.OPCO, numero, e.model_dump_json().encode()) for e in opco] + [
        Enregistrement(topics.PORTAIL, numero, e.model_dump_json().encode()) for e in portail
    ]


def _brut(event: CloudEvent, **changes: Any) -> bytes:
    raw = json.loads(event.model_dump_json())
    raw.update(changes)
    return json.dumps(raw).encode()


def _mauvais(debut: date) -> list[Enregistrement]:
    """60 bad records of nine kinds, each with the code the intake must give it: bad JSON, an
    unknown type, a 600 KB type, a 40 KB field, a 2 MB record, a 300-character source, a source
    the topic does not admit, a type on another partner's topic, and a personal value (a birth
    date) that breaks its contract."""

    def faute(rang: int, **overrides: Any) -> CloudEvent:
        return contrat_enregistre(
            f"FAUTE-{rang}", debut=debut, event_id=f"faute-{rang}", **overrides
        )

    mauvais: list[Enregistrement] = []
    rang = iter(range(1000))

    def ajouter(topic: str, valeur: bytes, defaut: CodeRejet) -> None:
        mauvais.append(Enregistrement(topic, f"FAUTE-{next(rang)}", valeur, defaut))

    for i in range(10):
        topic = topics.OPCO if i % 2 else topics.PORTAIL
        ajouter(topic, b'{"specversion": "1.0", "id": ', CodeRejet.JSON_INVALIDE)
    for i in range(8):
        valeur = _brut(faute(i), type="opco.contrat-pro.inexistant.v1")
        ajouter(topics.OPCO, valeur, CodeRejet.TYPE_INCONNU)
    for i in range(2):
        ajouter(topics.OPCO, _brut(faute(i), type="t" * 600_000), CodeRejet.ENVELOPPE)
    for i in range(8):
        valeur = faute(i, code_postal_etablissement="4" * 40_000).model_dump_json().encode()
        ajouter(topics.OPCO, valeur, CodeRejet.CONTRAT)
    for i in range(2):
        valeur = _brut(faute(i), data={"bourrage": "b" * 2_100_000})
        ajouter(topics.PORTAIL, valeur, CodeRejet.TROP_VOLUMINEUX)
    for i in range(6):
        ajouter(topics.OPCO, _brut(faute(i), source="/opco/" + "s" * 294), CodeRejet.ENVELOPPE)
    for i in range(6):  # an ASP system publishing an OPCO event
        ajouter(topics.OPCO, _brut(faute(i), source="/asp"), CodeRejet.MAUVAISE_SOURCE)
    for i in range(4):
        ajouter(topics.PORTAIL, faute(i).model_dump_json().encode(), CodeRejet.MAUVAIS_TOPIC)
    for i in range(14):  # keyed by their dossier: a corrected one is replayed there
        event = faute(100 + i, date_naissance_salarie=NAISSANCE_FAUSSE)
        valeur = event.model_dump_json().encode()
        mauvais.append(Enregistrement(topics.OPCO, event.subject, valeur, CodeRejet.CONTRAT))
    return mauvais


@dataclass
class Pile:
    """The three processes of the production topology, and what the test needs of them."""

    settings: Settings
    env: dict[str, str]
    journaux: Path
    api: str
    jeton: str
    engine: Engine
    processus: dict[str, "subprocess.Popen[bytes]"] = field(default_factory=dict)

    def lancer(self, nom: str, *args: str) -> None:
        self.processus[nom] = lancer_guichet(nom, self.env, self.journaux / f"{nom}.log", *args)

    def journal(self, nom: str) -> str:
        return (self.journaux / f"{nom}.log").read_text(errors="replace")

    def arreter(self) -> None:
        for proc in self.processus.values():
            proc.terminate()
        for proc in self.processus.values():
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def rebuts(self) -> list[Rebut]:
        with Session(self.engine) as session:
            return list(session.exec(select(Rebut).order_by(Rebut.id)))  # type: ignore[arg-type]


def _base(postgres_url: str) -> str:
    nom = f"fautes_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(postgres_url.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{nom}"')
    return postgres_url.rsplit("/", 1)[0] + f"/{nom}"


@pytest.fixture
def pile(
    temporal_dev_server: str, fresh_kafka_broker: str, postgres_url: str, tmp_path: Path
) -> Iterator[Pile]:
    database_url = _base(postgres_url)
    engine = engine_for(database_url)
    upgrade(engine)
    with Session(engine) as session:
        utilisateurs.creer_utilisateur(
            session=session,
            nom="superviseuse",
            role=utilisateurs.Role.SUPERVISEUR,
            dispositifs=["*"],
        )
        jeton, _ = utilisateurs.creer_jeton(session=session, nom="superviseuse")
        session.commit()
    port_api = processes.free_port()
    settings = Settings(
        _env_file=None,
        database_url=database_url,
        temporal_address=temporal_dev_server,
        kafka_bootstrap_servers=fresh_kafka_broker,
        task_queue=f"fautes-{uuid.uuid4()}",
        kafka_group_id=f"fautes-{uuid.uuid4()}",
        payload_keys=PAYLOAD_KEYS,
    )
    env = {
        **os.environ,
        "GUICHET_TEMPORAL_ADDRESS": settings.temporal_address,
        "GUICHET_KAFKA_BOOTSTRAP_SERVERS": fresh_kafka_broker,
        "GUICHET_KAFKA_GROUP_ID": settings.kafka_group_id,
        "GUICHET_TASK_QUEUE": settings.task_queue,
        "GUICHET_DATABASE_URL": database_url,
        "GUICHET_DATA_DIR": str(tmp_path / "donnees"),
        "GUICHET_PAYLOAD_KEYS": PAYLOAD_KEYS.get_secret_value(),
        "GUICHET_LOG_FORMAT": "json",
        "GUICHET_API_PORT": str(port_api),
        "GUICHET_INTAKE_SOURCES": json.dumps(SOURCES),
    }
    pile = Pile(settings, env, tmp_path, f"http://127.0.0.1:{port_api}", jeton, engine)
    try:
        pile.lancer("worker")
        pile.lancer("consume")
        pile.lancer("api")
        yield pile
    finally:
        pile.arreter()
        engine.dispose()


async def _publier(bootstrap: str, enregistrements: list[Enregistrement]) -> None:
    producteur = AIOKafkaProducer(
        bootstrap_servers=bootstrap, acks="all", max_request_size=4_000_000
    )
    await producteur.start()
    try:
        envois = [
            await producteur.send(e.topic, e.valeur, key=e.cle.encode()) for e in enregistrements
        ]
        await asyncio.gather(*envois)
    finally:
        await producteur.stop()


async def _retard(bootstrap: str, groupe: str) -> int:
    """Records of both partner topics after their consumer groups' committed offsets, read
    from there (Tansu's ListOffsets answers batch counts, not offsets: end offsets can't be
    trusted)."""
    total = 0
    for topic in (topics.OPCO, topics.PORTAIL):
        lecteur = AIOKafkaConsumer(
            bootstrap_servers=bootstrap,
            group_id=f"{groupe}.{topic}",
            enable_auto_commit=False,
            max_partition_fetch_bytes=4_000_000,
        )
        await lecteur.start()
        try:
            await lecteur.topics()
            partitions = [
                TopicPartition(topic, p) for p in sorted(lecteur.partitions_for_topic(topic) or ())
            ]
            lecteur.assign(partitions)
            for tp in partitions:
                lecteur.seek(tp, await lecteur.committed(tp) or 0)
            while lots := await lecteur.getmany(timeout_ms=1000):
                total += sum(len(records) for records in lots.values())
        finally:
            await lecteur.stop()
    return total


@dataclass
class Sondage:
    """GET /dossiers every half second while the records flow: answers and latencies."""

    latences: list[float] = field(default_factory=list)
    echecs: list[str] = field(default_factory=list)

    async def sonder(self, pile: Pile, arret: asyncio.Event) -> None:
        entetes = {"Authorization": f"Bearer {pile.jeton}"}
        async with httpx.AsyncClient(base_url=pile.api, timeout=10) as http:
            while not arret.is_set():
                debut = time.monotonic()
                try:
                    reponse = await http.get("/dossiers", params={"limite": 5}, headers=entetes)
                except httpx.HTTPError as exc:
                    self.echecs.append(f"{type(exc).__name__}: {exc}")
                else:
                    if reponse.status_code != 200:
                        self.echecs.append(f"{reponse.status_code}: {reponse.text[:200]}")
                    self.latences.append(time.monotonic() - debut)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(arret.wait(), 0.5)


def _contient(ligne: str, journal: str) -> bool:
    return ligne in journal


async def _pile_prete(pile: Pile) -> None:
    async def api_repond() -> bool:
        async with httpx.AsyncClient(base_url=pile.api, timeout=5) as http:
            return (await http.get("/health")).status_code == 200

    await attendre(api_repond, 120, "the API answering", ignorer=(httpx.HTTPError,))
    for processus, ligne in (("consume", "consommateur_demarre"), ("worker", "worker_demarre")):
        await attendre(
            functools.partial(pile.journal, processus),
            120,
            f"guichet {processus} started",
            jusqu_a=functools.partial(_contient, ligne),
        )


@dataclass
class Flux:
    """What the records became, and when."""

    appliques: Counter[str]
    rebuts: list[Rebut]
    retard: int
    sondage: Sondage
    publication_s: float
    application_s: float


async def _faire_circuler(
    pile: Pile, client: Client, enregistrements: list[Enregistrement], numeros: list[str]
) -> Flux:
    """Publish, then wait until the good events are applied, the dead letters consigned and the
    lag back to 0, while the API is polled."""
    attendus = sum(e.defaut is None for e in enregistrements)

    async def appliques() -> Counter[str]:
        vus: Counter[str] = Counter()
        for numero in numeros:
            handle = client.get_workflow_handle(f"contrat-pro:{numero}")
            etat = EtatContratPro.model_validate(await handle.query("etat"))
            vus.update(etat.registre.evenements_appliques)
        return vus

    sondage, arret = Sondage(), asyncio.Event()
    sonde = asyncio.create_task(sondage.sonder(pile, arret))
    depart = time.monotonic()
    try:
        await _publier(pile.settings.kafka_bootstrap_servers, enregistrements)
        publie = time.monotonic()
        vus = await attendre(
            appliques,
            900,
            "the good events applied",
            jusqu_a=lambda c: sum(c.values()) >= attendus,
            intervalle=2,
            ignorer=(RPCError,),  # a dossier whose first event is not delivered yet
        )
        applique = time.monotonic()
        rebuts = await attendre(
            pile.rebuts, 300, "60 dead letters in the store", jusqu_a=lambda r: len(r) >= 60
        )
        retard = await attendre(
            lambda: _retard(pile.settings.kafka_bootstrap_servers, pile.settings.kafka_group_id),
            120,
            "the consumer groups' lag back to 0",
            jusqu_a=lambda n: n == 0,
        )
    finally:
        arret.set()
        await sonde
    return Flux(vus, rebuts, retard, sondage, publie - depart, applique - depart)


async def _rejouer_corrige(pile: Pile, client: Client, rebut: Rebut, debut: date) -> str:
    """Correct the birth date of a dead letter and replay it through the API; return the
    corrected event's id once its dossier applied it."""
    assert rebut.cle is not None
    corrige = contrat_enregistre(
        rebut.cle, debut=debut, event_id=f"rejeu-{rebut.id}", date_naissance_salarie="1985-03-14"
    )
    entetes = {"Authorization": f"Bearer {pile.jeton}"}
    async with httpx.AsyncClient(base_url=pile.api, timeout=30) as http:
        reponse = await http.post(
            f"/rebuts/{rebut.id}/rejouer",
            content=corrige.model_dump_json(),
            headers={**entetes, "Content-Type": "application/json"},
        )
        assert reponse.status_code == 200, reponse.text
        encore = await http.post(f"/rebuts/{rebut.id}/rejouer", headers=entetes)
        assert encore.status_code == 409, encore.text
    handle = client.get_workflow_handle(f"contrat-pro:{rebut.cle}")

    async def appliques() -> list[str]:
        etat = EtatContratPro.model_validate(await handle.query("etat"))
        return etat.registre.evenements_appliques

    vus = await attendre(appliques, 60, "the replayed event applied", ignorer=(RPCError,))
    assert vus == [corrige.id]
    return corrige.id


async def test_a_thousand_good_records_and_sixty_bad_ones_on_the_production_topology(
    pile: Pile,
) -> None:
    await _pile_prete(pile)
    debut = datetime.now(UTC).date()
    numeros = [f"FLUX-{uuid.uuid4().hex[:6]}-{i:03d}" for i in range(DOSSIERS)]
    bons = [e for numero in numeros for e in _bons(numero, debut)]
    mauvais = _mauvais(debut)
    # interleaved: the bad records at random places, each dossier's good ones in their order
    melange = random.Random(15)
    enregistrements = list(bons)
    for enregistrement in mauvais:
        enregistrements.insert(melange.randrange(len(enregistrements) + 1), enregistrement)
    assert (len(bons), len(mauvais)) == (1000, 60)
    client = await client_for(pile.settings)

    flux = await _faire_circuler(pile, client, enregistrements, numeros)

    attendus = {f"{n}/{t}/{r}" for n in numeros for t in ("opco", "portail") for r in range(5)}
    assert set(flux.appliques) == attendus
    assert max(flux.appliques.values()) == 1, "an event applied twice"
    assert flux.retard == 0
    assert len(flux.rebuts) == 60, [r.motif[:100] for r in flux.rebuts[60:]]
    codes = Counter(r.code for r in flux.rebuts)
    assert codes == Counter(e.defaut.value for e in mauvais if e.defaut)
    for rebut in flux.rebuts:
        assert len(rebut.motif.encode()) <= 2048
        for valeur in [*VALEURS_PERSONNELLES, NAISSANCE_FAUSSE]:
            assert valeur not in rebut.motif, (rebut.code, rebut.motif)
        assert rebut.charge is not None
        assert NAISSANCE_FAUSSE.encode() not in rebut.charge, "the payload is encrypted"
    assert flux.sondage.echecs == []
    assert len(flux.sondage.latences) >= 2

    perso = next(r for r in flux.rebuts if "date_naissance_salarie" in r.motif)
    await _rejouer_corrige(pile, client, perso, debut)
    with Session(pile.engine) as session:
        ligne = session.get(Rebut, perso.id)
        assert ligne is not None
        assert (ligne.statut, ligne.traite_par) == ("rejoue", "superviseuse")

    latences = sorted(flux.sondage.latences)
    print(
        "\nfamille de fautes: 1 000 bons + 60 mauvais sur partenaires.opco et "
        "partenaires.portail (worker, consommateur et API en processus séparés, PostgreSQL)\n"
        f"  publication          {flux.publication_s:6.1f} s\n"
        f"  appliqués (1 000)    {flux.application_s:6.1f} s après le début de la publication, "
        f"{len(bons) / flux.application_s:5.1f} événements/s\n"
        f"  rebuts en base       {len(flux.rebuts)} {dict(codes)}\n"
        f"  API pendant le flux  {len(latences)} requêtes, 0 échec, médiane "
        f"{statistics.median(latences) * 1000:.0f} ms, max {latences[-1] * 1000:.0f} ms"
    )
