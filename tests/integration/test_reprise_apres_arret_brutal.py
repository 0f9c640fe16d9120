"""Recovery after `kill -9` of the worker, on the real stack: the session's Temporal dev server,
a Tansu broker of the test's own, `guichet worker` as a process, the consumer in the test
process, the read model in SQLite (issue 16: every dossier applies its next event within 15 s
of the worker's restart).

Twenty contrat-pro dossiers receive their registration and their aid request; the worker is
killed (SIGKILL: nothing acknowledged, nothing flushed) as soon as one dossier is instructed,
so steps are cut in the middle: a workflow task with its local activities (the read-model write,
the publication), or a regular activity (the rules' evaluation, `evaluer_contrat_pro`) started
on the dead worker. A lost workflow task costs its timeout (10 s); a lost activity its
start-to-close (`workflows.suivi.ACTIVITE_TIMEOUT`, 10 s, where it was a minute); a task sent to
the dead worker's sticky queue, its schedule-to-start.

Once the worker is restarted and says it is ready, each dossier gets its next event (a break in
the contract's first month, which the rules evaluate again: the aid is not due). Every dossier
applies it within 15 s of that readiness, and each event is applied exactly once; every
outbound event the steps audited is on its topic."""

import asyncio
import json
import os
import signal
import subprocess
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from aiokafka import ConsumerRecord
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError
from temporalio.api.enums.v1 import EventType, TimeoutType
from temporalio.client import Client

from events import topics
from events.publisher import KafkaPublisher
from models.contrat_pro import EtatContratPro, Statut
from models.evenements import CloudEvent
from rules.calendrier import PARIS
from tests.attente import attendre
from tests.factories import contrat_enregistre, demande_deposee, evenement
from tests.integration.conftest import (
    PAYLOAD_KEYS,
    effacer_workflows,
    lancer_guichet,
    settings_for,
    start_services,
    stop_services,
)
from tests.integration.kafka import read_many
from workers.runtime.database import engine_for, upgrade
from workers.runtime.settings import Settings
from workers.runtime.temporal import client_for

pytestmark = pytest.mark.integration

NOMBRE = 20
DELAI_REPRISE_S = 15.0
"""The target: from the restarted worker's readiness to the last dossier's next event applied."""
TOPICS = {"opco": topics.OPCO, "portail": topics.PORTAIL}


@dataclass
class Lot:
    """The dossiers and their three events: registration and request before the kill, a break
    in the first month after the restart."""

    numeros: list[str]
    enregistrements: list[CloudEvent]
    demandes: list[CloudEvent]
    ruptures: list[CloudEvent]

    @classmethod
    def nouveau(cls) -> "Lot":
        aujourdhui = datetime.now(PARIS).date()
        debut = aujourdhui - timedelta(days=10)  # the request in time, day 5 in month one
        rupture = {"date_fin_effective": (debut + timedelta(days=5)).isoformat()}
        serie = uuid.uuid4().hex[:6]
        numeros = [f"KILL9-{serie}-{rang:02d}" for rang in range(NOMBRE)]
        return cls(
            numeros,
            [contrat_enregistre(n, debut=debut, event_id=f"{n}/1") for n in numeros],
            [demande_deposee(n, aujourdhui).model_copy(update={"id": f"{n}/2"}) for n in numeros],
            [evenement("opco.contrat-pro.rompu.v1", n, rupture, f"{n}/3") for n in numeros],
        )

    @property
    def workflow_ids(self) -> list[str]:
        return [f"contrat-pro:{n}" for n in self.numeros]

    def instruits(self, appliques: Counter[str]) -> int:
        """How many dossiers applied both their registration and their request (the rules
        evaluated: in instruction)."""
        return sum(all(i in appliques for i in self.ids(rang)[:2]) for rang in range(NOMBRE))

    def ids(self, rang: int) -> list[str]:
        """The ids of dossier `rang`'s three events."""
        return [
            e.id for e in (self.enregistrements[rang], self.demandes[rang], self.ruptures[rang])
        ]


def _environnement(settings: Settings, donnees: Path) -> dict[str, str]:
    return {
        **os.environ,
        "GUICHET_TEMPORAL_ADDRESS": settings.temporal_address,
        "GUICHET_KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers,
        "GUICHET_KAFKA_GROUP_ID": settings.kafka_group_id,
        "GUICHET_TASK_QUEUE": settings.task_queue,
        "GUICHET_DATABASE_URL": settings.database_url,
        "GUICHET_DATA_DIR": str(donnees),
        "GUICHET_PAYLOAD_KEYS": PAYLOAD_KEYS.get_secret_value(),
        "GUICHET_LOG_FORMAT": "json",
    }


async def _pret(worker: "subprocess.Popen[bytes]", journal: Path) -> None:
    """Until the worker logs `worker_demarre` (fails at once if it dies)."""

    def lu() -> str:
        contenu = journal.read_text(errors="replace")
        if worker.poll() is not None:
            raise AssertionError(f"worker arrêté ({worker.returncode}): {contenu[-3000:]}")
        return contenu

    await attendre(
        lu, 90, f"{journal.name}: worker_demarre", jusqu_a=lambda t: "worker_demarre" in t
    )


async def _publier(bootstrap: str, events: list[CloudEvent]) -> None:
    publisher = KafkaPublisher(bootstrap)
    await publisher.start()
    try:
        await asyncio.gather(
            *(
                publisher.publish(
                    TOPICS[e.type.split(".", 1)[0]], e.subject, e.model_dump_json().encode()
                )
                for e in events
            )
        )
    finally:
        await publisher.stop()


def _appliques(engine: Engine) -> Counter[str]:
    """The applied partner events, by id: their audit lines (nature `evenement`), each written
    by the step that applied the event."""
    with engine.connect() as connexion:
        return Counter(
            connexion.execute(
                text("SELECT cle_unique FROM audit WHERE nature = 'evenement'")
            ).scalars()
        )


def _publications(engine: Engine) -> dict[str, str]:
    """The outbound events the steps audited: id -> topic."""
    with engine.connect() as connexion:
        lignes = connexion.execute(
            text("SELECT cle_unique, detail FROM audit WHERE nature = 'publication'")
        ).all()
    return {
        cle: (json.loads(detail) if isinstance(detail, str) else detail)["topic"]
        for cle, detail in lignes
    }


async def _coupures(client: Client, workflow_ids: list[str]) -> Counter[str]:
    """What the kill cut short, read in the histories: workflow tasks timed out (start-to-close:
    started on the dead worker; schedule-to-start: sent to its sticky queue), activities run
    again (an attempt after the first)."""
    coupures: Counter[str] = Counter()
    for workflow_id in workflow_ids:
        historique = await client.get_workflow_handle(workflow_id).fetch_history()
        for e in historique.events:
            if e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT:
                type_ = e.workflow_task_timed_out_event_attributes.timeout_type
                coupures[f"workflow task {TimeoutType.Name(type_)}"] += 1
            elif (
                e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED
                and e.activity_task_started_event_attributes.attempt > 1
            ):
                coupures["activity retried"] += 1
    return coupures


async def _rien_perdu_rien_en_double(
    client: Client, engine: Engine, lot: Lot, bootstrap: str
) -> None:
    """Each dossier applied each of its events once (its state's registry, its audit lines) and
    ended `non_due`; every outbound event its steps audited is on its topic (at least once)."""
    appliques = await asyncio.to_thread(_appliques, engine)
    attendues: set[str] = set()
    for rang, workflow_id in enumerate(lot.workflow_ids):
        handle = client.get_workflow_handle(workflow_id, result_type=EtatContratPro)
        etat = await asyncio.wait_for(handle.result(), 30)
        ids = lot.ids(rang)
        assert Counter(etat.registre.evenements_appliques) == Counter(ids), workflow_id
        assert [appliques[i] for i in ids] == [1, 1, 1], workflow_id
        assert (etat.statut, etat.anomalies) == (Statut.NON_DUE, []), workflow_id
        attendues |= {f"{workflow_id}/{n}" for n in range(1, etat.registre.publications + 1)}

    publiees = await asyncio.to_thread(_publications, engine)
    assert set(publiees) == attendues
    recus: Counter[str] = Counter()
    for topic in sorted(set(publiees.values())):
        sur_le_topic = {i for i, t in publiees.items() if t == topic}

        def garder(record: ConsumerRecord, ids: set[str] = sur_le_topic) -> bool:
            event_id = json.loads(record.value)["id"]
            recus[event_id] += 1
            return event_id in ids and recus[event_id] == 1

        await read_many(bootstrap, topic, garder, len(sur_le_topic), within_s=30)
    print(
        f"{len(attendues)} outbound events, none lost; "
        f"{sum(1 for i in attendues if recus[i] > 1)} seen twice or more "
        "(at least once: consumers deduplicate on the id)"
    )


async def test_after_kill_9_every_dossier_applies_its_next_event_within_15_s_of_the_restart(
    temporal_dev_server: str, fresh_kafka_broker: str, tmp_path: Path
) -> None:
    settings = settings_for(
        temporal_dev_server, fresh_kafka_broker, f"sqlite:///{tmp_path / 'lecture.db'}"
    )
    engine = engine_for(settings.database_url)
    await asyncio.to_thread(upgrade, engine)
    client = await client_for(settings)
    env = _environnement(settings, tmp_path / "donnees")
    lot = Lot.nouveau()
    tous = {i for rang in range(NOMBRE) for i in lot.ids(rang)}

    def appliques() -> Counter[str]:
        return _appliques(engine)

    workers: list[subprocess.Popen[bytes]] = []
    consommateur: list[asyncio.Task[None]] = []
    try:
        workers.append(lancer_guichet("worker", env, tmp_path / "worker-1.log"))
        await _pret(workers[0], tmp_path / "worker-1.log")
        consommateur = await start_services(settings, worker=False)
        await _publier(fresh_kafka_broker, [*lot.enregistrements, *lot.demandes])
        await attendre(
            lambda: asyncio.to_thread(appliques),
            60,
            "un dossier instruit",
            jusqu_a=lambda vus: lot.instruits(vus) > 0,
            ignorer=(OperationalError,),
        )
        workers[0].send_signal(signal.SIGKILL)
        tue = time.monotonic()
        workers[0].wait()
        avant = await asyncio.to_thread(appliques)

        workers.append(lancer_guichet("worker", env, tmp_path / "worker-2.log"))
        await _pret(workers[1], tmp_path / "worker-2.log")
        pret = time.monotonic()
        await _publier(fresh_kafka_broker, lot.ruptures)
        applique_apres: dict[str, float] = {}

        async def manquants() -> set[str]:
            vus = await asyncio.to_thread(appliques)
            for event_id in vus.keys() - applique_apres.keys():
                applique_apres[event_id] = time.monotonic() - pret
            return tous - vus.keys()

        await attendre(
            manquants,
            DELAI_REPRISE_S - (time.monotonic() - pret),
            f"tous les événements appliqués {DELAI_REPRISE_S:g} s après la reprise (manquants)",
            jusqu_a=lambda reste: not reste,
            ignorer=(OperationalError,),
        )
        suivants = [applique_apres[e.id] for e in lot.ruptures]
        coupures = await _coupures(client, lot.workflow_ids)
        print(
            f"\nkill -9 with {lot.instruits(avant)}/{NOMBRE} dossiers instructed, "
            f"{sum(avant.values())}/{len(tous) - NOMBRE} events applied; worker ready "
            f"{pret - tue:.1f} s after the kill; next event applied {min(suivants):.1f} s "
            f"(first dossier) to {max(suivants):.1f} s (last) after the restart; cut by the "
            f"kill: {dict(coupures) or 'nothing'}"
        )
        assert coupures, "the kill cut nothing in flight: the test would show nothing"
        await _rien_perdu_rien_en_double(client, engine, lot, fresh_kafka_broker)
    finally:
        await stop_services(consommateur)
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
        await effacer_workflows(client, settings.task_queue)
        engine.dispose()
