"""`GET /metrics` counts the dead letters from their store (the `rebut` table): kept ones by
code and status, and ever consigned by code, a counter that the retention purge does not lower.
No Kafka is asked: the scrape answers with no broker at all.

The API runs on a SQLite read model; Temporal is not needed (`/metrics` never asks it)."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine

from events import topics
from events.registre import CodeRejet, RebutRecu, origine_kafka
from workers.api.app import create_app
from workers.runtime import processes
from workers.runtime.database import engine_for, upgrade
from workers.runtime.settings import Settings
from workers.services.documents import StockageDisque
from workers.services.rebuts import FiltresRebuts, RegistreRebutsSql
from workers.services.utilisateurs import Identite, Role

ADMIN = Identite("adm", Role.ADMIN, ("*",), None)


@asynccontextmanager
async def api(tmp_path: Path) -> AsyncIterator[tuple[httpx.AsyncClient, RegistreRebutsSql]]:
    settings = Settings(
        _env_file=None,
        data_dir=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'lecture.db'}",
        temporal_address="127.0.0.1:1",
        kafka_bootstrap_servers=f"127.0.0.1:{processes.free_port()}",  # nothing listens
    )
    engine: Engine = engine_for(settings.effective_database_url)
    upgrade(engine)
    app = create_app(
        settings, engine=engine, stockage=StockageDisque(tmp_path / "documents"), migrer=False
    )
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://api"
        ) as http:
            yield http, RegistreRebutsSql.pour(settings, engine)
    finally:
        engine.dispose()


def echantillons(texte: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of the exposition text by name and labels."""
    return {
        (echantillon.name, tuple(sorted(echantillon.labels.items()))): echantillon.value
        for famille in text_string_to_metric_families(texte)
        for echantillon in famille.samples
    }


def familles(texte: str) -> set[str]:
    return {famille.name for famille in text_string_to_metric_families(texte)}


def rebut(offset: int, code: CodeRejet, quand: datetime) -> RebutRecu:
    return RebutRecu(
        origine=origine_kafka(topics.OPCO, 0, offset),
        topic=topics.OPCO,
        partition=0,
        offset=offset,
        cle="REBUT-1",
        code=code,
        motif="enveloppe CloudEvents invalide: id: champ obligatoire",
        type=None,
        recu_le=quand,
        valeur=b'{"pas": "un CloudEvent"}',
    )


async def test_dead_letters_are_counted_by_code_and_status_and_the_total_survives_the_purge(
    tmp_path: Path,
) -> None:
    maintenant = datetime.now(UTC)
    async with api(tmp_path) as (http, registre):
        avant = await http.get("/metrics")
        await registre.consigner(rebut(1, CodeRejet.ENVELOPPE, maintenant - timedelta(days=400)))
        await registre.consigner(rebut(2, CodeRejet.ENVELOPPE, maintenant))
        await registre.consigner(rebut(2, CodeRejet.ENVELOPPE, maintenant))  # once per origin
        await registre.consigner(rebut(3, CodeRejet.TYPE_INCONNU, maintenant))
        (inconnu,) = registre.lister(ADMIN, FiltresRebuts(code="type_inconnu")).rebuts
        registre.ignorer(inconnu.id, ADMIN, "envoyé par erreur")
        pendant = echantillons((await http.get("/metrics")).text)
        registre.purger(maintenant - timedelta(days=180), ADMIN)
        apres = echantillons((await http.get("/metrics")).text)

    assert avant.status_code == 200
    assert "guichet_rebuts" in familles(avant.text)
    assert not [nom for nom, _ in echantillons(avant.text) if nom.startswith("guichet_rebuts")]
    conserves = "guichet_rebuts_conserves"
    assert pendant[(conserves, (("code", "enveloppe"), ("statut", "nouveau")))] == 2
    assert pendant[(conserves, (("code", "type_inconnu"), ("statut", "ignore")))] == 1
    assert pendant[("guichet_rebuts_total", (("code", "enveloppe"),))] == 2
    assert apres[(conserves, (("code", "enveloppe"), ("statut", "nouveau")))] == 1
    assert apres[("guichet_rebuts_total", (("code", "enveloppe"),))] == 2  # never lowered
    assert apres[("guichet_rebuts_total", (("code", "type_inconnu"),))] == 1


async def test_the_metrics_answer_without_kafka(tmp_path: Path) -> None:
    async with api(tmp_path) as (http, _):
        reponse = await http.get("/metrics")

    assert reponse.status_code == 200
    assert "guichet_dossiers" in familles(reponse.text)
    assert "guichet_kafka_joignable" not in familles(reponse.text)
