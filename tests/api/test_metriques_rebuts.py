"""`GET /metrics` counts the dead letters on Kafka: against a real Tansu broker, records
dead-lettered the way the consumer does it (`events.consumer.reject`); and, when Kafka is not
there or does not answer, the metrics say so instead of counting zero.

The API runs on a SQLite read model; Temporal is not needed (`/metrics` never asks it)."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from aiokafka import ConsumerRecord
from prometheus_client.parser import text_string_to_metric_families

from events import topics
from events.consumer import reject
from events.delivery import Rejet
from events.publisher import KafkaPublisher
from workers.api.app import create_app
from workers.runtime import processes
from workers.runtime.database import engine_for, upgrade
from workers.runtime.settings import Settings
from workers.services.documents import StockageDisque


@asynccontextmanager
async def api(tmp_path: Path, kafka: str) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(
        _env_file=None,
        data_dir=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'lecture.db'}",
        temporal_address="127.0.0.1:1",
        kafka_bootstrap_servers=kafka,
    )
    engine = engine_for(settings.effective_database_url)
    upgrade(engine)
    app = create_app(
        settings, engine=engine, stockage=StockageDisque(tmp_path / "documents"), migrer=False
    )
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://api"
        ) as http:
            yield http
    finally:
        engine.dispose()


def echantillons(texte: str) -> dict[str, float]:
    """Every sample of the exposition text by name (label-less samples only)."""
    return {
        echantillon.name: echantillon.value
        for famille in text_string_to_metric_families(texte)
        for echantillon in famille.samples
        if not echantillon.labels
    }


def familles(texte: str) -> set[str]:
    return {famille.name for famille in text_string_to_metric_families(texte)}


def record_partenaire(topic: str, partition: int, offset: int, cle: str) -> ConsumerRecord:
    valeur = b'{"pas": "un CloudEvent"}'
    return ConsumerRecord(
        topic=topic,
        partition=partition,
        offset=offset,
        timestamp=0,
        timestamp_type=0,
        key=cle.encode(),
        value=valeur,
        checksum=None,
        serialized_key_size=len(cle),
        serialized_value_size=len(valeur),
        headers=[],
    )


async def test_two_dead_lettered_records_show_as_two_in_the_metrics(
    fresh_kafka_broker: str, tmp_path: Path
) -> None:
    async with api(tmp_path, fresh_kafka_broker) as http:
        avant = echantillons((await http.get("/metrics")).text)
        publicateur = KafkaPublisher(fresh_kafka_broker)
        await publicateur.start()
        try:
            # two dossiers' keys: the dead letters may land on different partitions
            await reject(
                publicateur,
                record_partenaire(topics.OPCO, 0, 11, "contrat-pro:REBUT-1"),
                Rejet("enveloppe CloudEvent invalide: champ « id » manquant"),
            )
            await reject(
                publicateur,
                record_partenaire(topics.ASP, 2, 4, "cae-dom:REBUT-2"),
                Rejet("type d'événement inconnu"),
            )
        finally:
            await publicateur.stop()
        reponse = await http.get("/metrics")

    apres = echantillons(reponse.text)
    assert reponse.status_code == 200
    assert (avant["guichet_kafka_joignable"], avant["guichet_rebuts_total"]) == (1, 0)
    assert (apres["guichet_kafka_joignable"], apres["guichet_rebuts_total"]) == (1, 2)
    assert "guichet_dossiers" in familles(reponse.text)  # the read-model metrics still there


async def test_without_a_broker_the_metrics_say_kafka_is_unreachable_rather_than_zero(
    tmp_path: Path,
) -> None:
    async with api(tmp_path, f"127.0.0.1:{processes.free_port()}") as http:
        reponse = await http.get("/metrics")

    assert reponse.status_code == 200
    assert echantillons(reponse.text)["guichet_kafka_joignable"] == 0
    assert "guichet_rebuts" not in familles(reponse.text)
    assert "guichet_dossiers" in familles(reponse.text)


@asynccontextmanager
async def broker_muet() -> AsyncIterator[str]:
    """A TCP server that accepts connections and never answers a Kafka request."""
    ouvertes: list[asyncio.StreamWriter] = []

    async def accepter(_lecteur: asyncio.StreamReader, ecrivain: asyncio.StreamWriter) -> None:
        ouvertes.append(ecrivain)

    serveur = await asyncio.start_server(accepter, "127.0.0.1", 0)
    port = serveur.sockets[0].getsockname()[1]
    try:
        yield f"127.0.0.1:{port}"
    finally:
        for ecrivain in ouvertes:
            ecrivain.close()
        serveur.close()
        await serveur.wait_closed()


async def test_a_broker_that_does_not_answer_in_time_is_reported_unreachable(
    tmp_path: Path,
) -> None:
    async with broker_muet() as adresse, api(tmp_path, adresse) as http:
        reponse = await http.get("/metrics")

    assert reponse.status_code == 200
    assert echantillons(reponse.text)["guichet_kafka_joignable"] == 0
    assert "guichet_rebuts" not in familles(reponse.text)
