"""The two long-running services: the Temporal worker and the partner event consumer.

Each runs until cancelled, then stops cleanly (the worker finishes its in-flight tasks, the
consumer stops fetching and leaves its group without committing an undelivered record).
"""

import asyncio

import structlog
from aiokafka.errors import KafkaConnectionError

from events.consumer import Livraison, build_broker
from events.publisher import KafkaPublisher
from workers.runtime.cle_audit import signataire_pour
from workers.runtime.connexions import options_kafka, securite_kafka
from workers.runtime.database import engine_for, upgrade
from workers.runtime.errors import ServiceUnreachable
from workers.runtime.recherche import assurer_attributs_recherche
from workers.runtime.retention import assurer_planification
from workers.runtime.settings import Settings
from workers.runtime.temporal import build_worker, client_for
from workers.services.evenements import regles_entree
from workers.services.rebuts import RegistreRebutsSql

log = structlog.get_logger(__name__)


async def started_publisher(settings: Settings) -> KafkaPublisher:
    publisher = KafkaPublisher(**options_kafka(settings))
    try:
        await publisher.start()
    except KafkaConnectionError as exc:
        await publisher.stop()
        raise ServiceUnreachable(
            "Kafka",
            settings.kafka_bootstrap_servers,
            "GUICHET_KAFKA_BOOTSTRAP_SERVERS",
            str(exc),
        ) from exc
    return publisher


async def run_worker(settings: Settings, ready: asyncio.Event | None = None) -> None:
    signataire = signataire_pour(settings)  # production without the key: stop here
    client = await client_for(settings)
    await assurer_attributs_recherche(client)
    await assurer_planification(client, settings.task_queue)
    engine = engine_for(settings.effective_database_url)
    await asyncio.to_thread(upgrade, engine)
    publisher = await started_publisher(settings)
    try:
        worker = build_worker(
            client,
            settings.task_queue,
            publisher,
            engine,
            settings.data_dir.resolve(),
            documents=settings.effective_documents_dir.resolve(),
            conservation_rebuts=settings.rebuts_conservation_jours,
            signataire=signataire,
            workflows_en_cache=settings.worker_cached_workflows,
        )
        log.info("worker_demarre", task_queue=settings.task_queue)
        if ready:
            ready.set()
        await worker.run()
    finally:
        await publisher.stop()
        engine.dispose()


async def run_consumer(settings: Settings, ready: asyncio.Event | None = None) -> None:
    client = await client_for(settings)
    await assurer_attributs_recherche(client)  # the consumer starts workflows with them
    engine = engine_for(settings.effective_database_url)
    await asyncio.to_thread(upgrade, engine)  # the dead-letter store is in the read model
    dead_letters = await started_publisher(settings)
    livraison = Livraison(
        client,
        settings.task_queue,
        dead_letters,
        RegistreRebutsSql.pour(settings, engine),
        regles_entree(settings),
    )
    broker = build_broker(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        group_id=settings.kafka_group_id,
        traiter=livraison.traiter,
        rejeter=livraison.rejeter,
        essais_max=settings.intake_poison_attempts,
        securite=securite_kafka(settings),
    )
    try:
        try:
            await broker.start()
        except KafkaConnectionError as exc:
            raise ServiceUnreachable(
                "Kafka",
                settings.kafka_bootstrap_servers,
                "GUICHET_KAFKA_BOOTSTRAP_SERVERS",
                str(exc),
            ) from exc
        log.info("consommateur_demarre", group_id=settings.kafka_group_id)
        if ready:
            ready.set()
        await asyncio.Event().wait()
    finally:
        await broker.stop()
        await dead_letters.stop()
        engine.dispose()
