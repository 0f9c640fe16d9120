"""Temporal client and worker, built the one way the whole service uses."""

import dataclasses
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine
from temporalio import activity, workflow
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter, DefaultFailureConverterWithEncodedAttributes
from temporalio.service import TLSConfig
from temporalio.worker import Worker

from activities.are import (
    AreActivities,
    evaluer_complement_are,
    prochaine_session_are,
    signaler_dossiers_are,
    verifier_bilan_are,
    verifier_conditions_complement_are,
)
from activities.cumul_contrat_pro import ACTIVITES_CUMUL
from activities.exapro import ExaproActivities
from activities.projection import ProjectionActivities
from activities.publication import PublicationActivities
from activities.regles import evaluer_contrat_pro
from activities.regles_cae_dom import (
    calculer_echeancier_cae_dom,
    evaluer_convention_cae_dom,
    liquider_trimestres_cae_dom,
)
from activities.retention import CONSERVATION_REBUTS_JOURS
from events import topics
from events.publisher import Publisher
from models.chaine_audit import Signataire
from workers.runtime.codec import codec_pour
from workers.runtime.connexions import cle_api_temporal, tls_temporal
from workers.runtime.errors import ServiceUnreachable
from workers.runtime.retention import EffaceurStockage, RetentionWorkflow, activites_retention
from workers.runtime.settings import Settings
from workers.services.documents import StockageDisque
from workflows.are import WORKFLOWS_ARE
from workflows.cae_dom import CaeDomWorkflow
from workflows.contrat_pro import ContratProWorkflow, CumulContratProWorkflow
from workflows.exapro_import import ExaproImportWorkflow

WORKFLOWS = [
    ContratProWorkflow,
    CumulContratProWorkflow,
    CaeDomWorkflow,
    ExaproImportWorkflow,
    *WORKFLOWS_ARE,
    RetentionWorkflow,
]

# Workflow and activity log lines are structured: the ids go in fields (temporal_workflow,
# temporal_activity), not appended to the message.
workflow.logger.workflow_info_on_message = False
activity.logger.activity_info_on_message = False
GRACEFUL_SHUTDOWN = timedelta(seconds=20)
"""On stop, running activities get this long to finish (within compose's 30 s grace)."""


async def connect(
    address: str,
    namespace: str,
    data_converter: DataConverter = pydantic_data_converter,
    *,
    tls: TLSConfig | bool = False,
    api_key: str | None = None,
) -> Client:
    """Connect with the pydantic data converter (dates, Decimals, models) or say why not.

    Without `data_converter`, the client has no payload codec: it reads histories as Temporal
    stores them (encrypted) and writes payloads in clear. Services and commands use
    `client_for`."""
    try:
        return await Client.connect(
            address, namespace=namespace, data_converter=data_converter, tls=tls, api_key=api_key
        )
    except RuntimeError as exc:
        raise ServiceUnreachable("Temporal", address, "GUICHET_TEMPORAL_ADDRESS", str(exc)) from exc


def data_converter_for(settings: Settings) -> DataConverter:
    """The pydantic converter with the payload codec of the settings (AES-256-GCM,
    `workers/runtime/codec.py`); failure messages and stack traces are encoded too, so an exception
    text that quotes a personal value is encrypted in the history like any payload."""
    return dataclasses.replace(
        pydantic_data_converter,
        payload_codec=codec_pour(settings),
        failure_converter_class=DefaultFailureConverterWithEncodedAttributes,
    )


async def client_for(settings: Settings) -> Client:
    """The client every service process and command uses: address, namespace and payload codec
    from the settings. Prefer this to `connect` wherever settings are at hand."""
    return await connect(
        settings.temporal_address,
        settings.temporal_namespace,
        data_converter_for(settings),
        tls=tls_temporal(settings),
        api_key=cle_api_temporal(settings),
    )


def build_worker(
    client: Client,
    task_queue: str,
    publisher: Publisher,
    engine: Engine,
    stockage: Path,
    *,
    documents: Path | None = None,
    conservation_rebuts: int = CONSERVATION_REBUTS_JOURS,
    signataire: Signataire | None = None,
    workflows_en_cache: int = 1000,
) -> Worker:
    """`stockage`: where files live (EXAPRO drops, reports); shared by every worker.
    `documents`: the supporting documents' store (default `stockage/documents`), which the
    retention job purges, like the dead letters older than `conservation_rebuts` days.
    `signataire`: the key of the audit log's daily digest (None: no digest).
    `workflows_en_cache`: the sticky cache's size (`GUICHET_WORKER_CACHED_WORKFLOWS`)."""
    effaceur = EffaceurStockage(StockageDisque(documents or stockage / "documents"), engine)
    publication = PublicationActivities(publisher)
    projection = ProjectionActivities(engine, publisher)
    exapro = ExaproActivities(publisher, stockage / "exapro", topic_candidats=topics.CANDIDATURES)
    are = AreActivities(stockage / "are", publisher)
    return Worker(
        client,
        task_queue=task_queue,
        workflows=WORKFLOWS,
        graceful_shutdown_timeout=GRACEFUL_SHUTDOWN,
        max_cached_workflows=workflows_en_cache,
        activities=[
            publication.publier_evenement,
            projection.enregistrer_dossier,
            evaluer_contrat_pro,
            *ACTIVITES_CUMUL,
            evaluer_convention_cae_dom,
            calculer_echeancier_cae_dom,
            liquider_trimestres_cae_dom,
            *exapro.all(),
            are.importer_effectifs,
            are.calculer_dotations,
            are.produire_table_commission,
            are.publier_lot,
            signaler_dossiers_are,
            evaluer_complement_are,
            verifier_conditions_complement_are,
            prochaine_session_are,
            verifier_bilan_are,
            *activites_retention(
                engine,
                effaceur,
                conservation_rebuts=conservation_rebuts,
                signataire=signataire,
                publisher=publisher,
            ),
        ],
    )
