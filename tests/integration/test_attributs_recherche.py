"""Search attributes on the dev server: operators list dossiers in the Temporal UI without
decrypting anything, and the attributes never carry a personal field."""

import uuid
from datetime import datetime, timedelta

import pytest
from temporalio.api.operatorservice.v1 import ListSearchAttributesRequest
from temporalio.client import Client, WorkflowExecution

from models.contrat_pro import WORKFLOW, EtatContratPro, Statut
from models.evenements import EntreeDossier
from models.recherche import (
    ATTRIBUTS,
    BENEFICIAIRE,
    DISPOSITIF,
    PROCHAINE_ECHEANCE,
    au_demarrage,
    jour,
)
from rules.calendrier import PARIS
from rules.contrat_pro import date_limite_demande
from tests.attente import attendre, etat_quand
from tests.factories import contrat_enregistre
from workers.runtime.settings import Settings
from workers.runtime.temporal import client_for

pytestmark = pytest.mark.integration


async def _lister(client: Client, requete: str, attendu: str) -> WorkflowExecution:
    """Visibility is eventually consistent: ask until the workflow shows up."""

    async def trouve() -> WorkflowExecution | None:
        return await anext(
            (e async for e in client.list_workflows(requete) if e.id == attendu), None
        )

    execution = await attendre(trouve, 30, f"{attendu} listé par « {requete} »")
    assert execution is not None
    return execution


async def test_a_dossier_is_listed_by_scheme_and_status_without_any_personal_field(
    service: Settings,
) -> None:
    numero = f"SA-{uuid.uuid4().hex[:8]}"
    debut = datetime.now(PARIS).date() - timedelta(days=10)
    client = await client_for(service)
    enregistre = contrat_enregistre(numero, debut=debut)
    # As the consumer starts a dossier on a server that knows the attributes.
    await client.start_workflow(
        WORKFLOW,
        EntreeDossier(cle=numero),
        id=f"{WORKFLOW}:{numero}",
        task_queue=service.task_queue,
        start_signal="evenement",
        start_signal_args=[enregistre],
        search_attributes=au_demarrage(WORKFLOW),
    )

    execution = await _lister(
        client,
        f'Dispositif = "contrat-pro" AND Statut = "{Statut.ATTENTE_DEMANDE}"',
        f"{WORKFLOW}:{numero}",
    )

    attributs = execution.typed_search_attributes
    siret = enregistre.data["siret_etablissement"]
    assert attributs.get(BENEFICIAIRE) == siret
    assert attributs.get(PROCHAINE_ECHEANCE) == jour(date_limite_demande(debut))
    ours = {cle.name for cle in ATTRIBUTS}
    enregistres = await client.operator_service.list_search_attributes(
        ListSearchAttributesRequest(namespace=client.namespace)
    )
    custom = {pair.key.name for pair in attributs} & set(enregistres.custom_attributes)
    assert custom == ours
    naissance = enregistre.data["date_naissance_salarie"]
    assert naissance not in " ".join(str(pair.value) for pair in attributs)


async def test_a_dossier_started_without_the_scheme_attribute_is_not_indexed(
    service: Settings,
) -> None:
    numero = f"SA-{uuid.uuid4().hex[:8]}"
    client = await client_for(service)
    handle = await client.start_workflow(
        WORKFLOW,
        EntreeDossier(cle=numero),
        id=f"{WORKFLOW}:{numero}",
        task_queue=service.task_queue,
        start_signal="evenement",
        start_signal_args=[contrat_enregistre(numero)],
    )
    await etat_quand(handle, EtatContratPro, lambda e: e.statut is not Statut.NOUVEAU, 30)
    description = await handle.describe()
    assert description.typed_search_attributes.get(DISPOSITIF) is None
    assert description.typed_search_attributes.get(BENEFICIAIRE) is None
