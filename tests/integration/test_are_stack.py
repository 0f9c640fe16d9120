"""A 700-school ARE campaign on the real servers: the enrolment file is generated here, the
opening event goes through Kafka and the real consumer, the real worker imports, computes and
writes the commission table, and the vote sends every notification and payment order to Kafka
in batches. Totals are checked against a direct computation with the rules, and the campaign's
history stays small.

The worker is built here: the ARE workflows, with activities that write under the test's own
folder."""

import asyncio
import json
import random
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from temporalio.client import Client
from temporalio.worker import Worker

from activities.are import (
    AreActivities,
    evaluer_complement_are,
    prochaine_session_are,
    signaler_dossiers_are,
    verifier_bilan_are,
    verifier_conditions_complement_are,
)
from activities.projection import ProjectionActivities
from activities.publication import PublicationActivities
from events import topics
from events.publisher import KafkaPublisher
from models.are import (
    DecisionCampagne,
    EtatCampagne,
    Montants,
    StatutCampagne,
    TypeDecisionCampagne,
)
from models.evenements import CloudEvent
from rules import are
from rules.are import LigneEffectif
from rules.calendrier import PARIS
from tests.attente import etat_quand
from tests.integration.conftest import effacer_workflows, settings_for
from tests.integration.kafka import read_many
from workers.runtime.database import engine_for, upgrade
from workers.runtime.services import run_consumer
from workers.runtime.settings import Settings
from workers.runtime.temporal import client_for
from workflows.are import WORKFLOWS_ARE

pytestmark = pytest.mark.integration

ANNEE = "2023-2024"
ETABLISSEMENTS = 700
DEPARTEMENTS = {
    "PARIS": ("075",),
    "CRETEIL": ("077", "093", "094"),
    "VERSAILLES": ("078", "091", "092", "095"),
}
NON_LISTEES = ("32031404", "43010001", "40020099")
"""Codes absent from the annex: an ineligible specialty, a general bac, an eligible unlisted one."""


@dataclass(frozen=True)
class Ecole:
    uai: str
    academie: str
    taux: Decimal
    enquete: bool
    lignes: tuple[tuple[str, int, int], ...]


def ecoles(nombre: int) -> list[Ecole]:
    """Reproducible schools: 2 to 8 formations each, some apprentices, 5 % without survey."""
    hasard = random.Random(20232024)
    codes = sorted(are.formations(ANNEE)) + list(NON_LISTEES)
    resultat = []
    for i in range(nombre):
        academie = list(DEPARTEMENTS)[i % 3]
        departement = DEPARTEMENTS[academie][i % len(DEPARTEMENTS[academie])]
        lignes = []
        for code in hasard.sample(codes, hasard.randint(2, 8)):
            effectif = hasard.randint(0, 40)
            lignes.append((code, effectif, hasard.randint(0, min(effectif, 5))))
        resultat.append(
            Ecole(
                uai=f"{departement}{i:04d}{chr(65 + i % 26)}",
                academie=academie,
                taux=Decimal(hasard.randint(0, 60)) / 100,
                enquete=hasard.random() > 0.05,
                lignes=tuple(lignes),
            )
        )
    return resultat


def ecrire_fichiers(dossier: Path, liste: list[Ecole]) -> tuple[Path, Path]:
    effectifs = ["academie;uai;code_diplome;libelle_formation;effectif;apprentis"]
    etablissements = ["uai;nom;taux_boursiers_post_bac;a_repondu_enquete"]
    for e in liste:
        etablissements.append(
            f"{e.uai};LYCEE {e.uai};{str(e.taux).replace('.', ',')};{'oui' if e.enquete else 'non'}"
        )
        for code, effectif, apprentis in e.lignes:
            effectifs.append(f"{e.academie};{e.uai};{code};FORMATION {code};{effectif};{apprentis}")
    chemin_effectifs, chemin_etablissements = (
        dossier / "effectifs.csv",
        dossier / "etablissements.csv",
    )
    chemin_effectifs.write_text("\n".join(effectifs) + "\n", encoding="utf-8")
    chemin_etablissements.write_text("\n".join(etablissements) + "\n", encoding="utf-8")
    return chemin_effectifs, chemin_etablissements


def calcul_direct(liste: list[Ecole]) -> dict[str, Montants]:
    return {
        e.uai: Montants.depuis(
            {
                k: v.dotation
                for k, v in are.calculer_dotation(
                    ANNEE,
                    a_repondu_enquete=e.enquete,
                    effectifs=[LigneEffectif(*ligne) for ligne in e.lignes],
                    taux_boursiers_post_bac=e.taux,
                    reliquats={},
                ).enveloppes.items()
            }
        )
        for e in liste
    }


@pytest.fixture
async def pile(
    temporal_dev_server: str,
    fresh_kafka_broker: str,
    tmp_path: Path,
) -> AsyncIterator[tuple[Settings, Client, Path]]:
    """The real worker (ARE workflows, real activities) and the real consumer."""
    settings = settings_for(
        temporal_dev_server, fresh_kafka_broker, f"sqlite:///{tmp_path / 'lecture.db'}"
    )
    engine = engine_for(settings.database_url)
    await asyncio.to_thread(upgrade, engine)
    client = await client_for(settings)
    publisher = KafkaPublisher(settings.kafka_bootstrap_servers)
    await publisher.start()
    sorties = tmp_path / "sorties"
    activites = AreActivities(sorties, publisher)
    pret = asyncio.Event()
    consommateur = asyncio.create_task(run_consumer(settings, pret))
    try:
        async with Worker(
            client,
            task_queue=settings.task_queue,
            workflows=WORKFLOWS_ARE,
            activities=[
                PublicationActivities(publisher).publier_evenement,
                ProjectionActivities(engine, publisher).enregistrer_dossier,
                activites.importer_effectifs,
                activites.calculer_dotations,
                activites.produire_table_commission,
                activites.publier_lot,
                signaler_dossiers_are,
                evaluer_complement_are,
                verifier_conditions_complement_are,
                prochaine_session_are,
                verifier_bilan_are,
            ],
        ):
            async with asyncio.timeout(90):
                await pret.wait()
            yield settings, client, sorties
    finally:
        consommateur.cancel()
        await asyncio.gather(consommateur, return_exceptions=True)
        await publisher.stop()
        await effacer_workflows(client, settings.task_queue)
        engine.dispose()


async def test_a_700_school_campaign_is_computed_voted_and_paid_through_the_real_stack(
    pile: tuple[Settings, Client, Path], tmp_path: Path
) -> None:
    settings, client, sorties = pile
    liste = ecoles(ETABLISSEMENTS)
    effectifs, etablissements = await asyncio.to_thread(ecrire_fichiers, tmp_path, liste)
    attendues = calcul_direct(liste)
    total = sum((m.total for m in attendues.values()), Decimal(0))
    handle = client.get_workflow_handle(f"are-campagne:{ANNEE}")

    publisher = KafkaPublisher(settings.kafka_bootstrap_servers)
    await publisher.start()
    try:
        ouverture = CloudEvent(
            id=f"it-are-{uuid.uuid4()}",
            source="/region-ile-de-france/lycees",
            type="etablissements.are.campagne-ouverte.v1",
            subject=ANNEE,
            time=datetime.now(UTC),
            data={
                "annee_scolaire": ANNEE,
                "fichier_effectifs": str(effectifs),
                "fichier_etablissements": str(etablissements),
                # the reports of 2023-2024 would be asked at once (1 July 2024 is past): later
                "date_demande_bilans": (
                    datetime.now(PARIS).date() + timedelta(days=30)
                ).isoformat(),
            },
        )
        await publisher.publish(topics.ETABLISSEMENTS, ANNEE, ouverture.model_dump_json().encode())
    finally:
        await publisher.stop()

    async def jusqu_a(statut: StatutCampagne) -> EtatCampagne:
        return await etat_quand(handle, EtatCampagne, lambda e: e.statut is statut, 60)

    campagne = await jusqu_a(StatutCampagne.TABLE_PRODUITE)
    assert campagne.calcul is not None
    assert campagne.table is not None
    assert campagne.calcul.nombre_etablissements == ETABLISSEMENTS
    assert {d.uai: d.dotation for d in campagne.calcul.dotations} == attendues
    assert campagne.calcul.total == total
    table = (
        await asyncio.to_thread(Path(campagne.table.csv).read_text, encoding="utf-8")
    ).splitlines()
    assert len(table) == ETABLISSEMENTS + 1
    assert sum(Decimal(ligne.split(";")[15]) for ligne in table[1:]) == total
    assert Path(campagne.table.rapport).parent == sorties / "are-campagne_2023-2024"

    vote = DecisionCampagne(
        type=TypeDecisionCampagne.VOTER,
        auteur="instructeur.integration",
        date_vote=datetime.now(PARIS).date(),
        deliberation="CP 2023-456",
        version_table=campagne.table.version,
    )
    assert await handle.execute_update("decider", vote, result_type=StatutCampagne) in (
        StatutCampagne.VOTEE,
    )
    ordres_attendus = sum(1 for m in attendues.values() for v in (m.pre_bac, m.post_bac) if v > 0)
    ordres = await read_many(
        settings.kafka_bootstrap_servers,
        topics.PAIEMENTS,
        lambda r: json.loads(r.value)["type"] == "guichet.paiement.ordre.v1",
        ordres_attendus,
    )
    montants = [Decimal(json.loads(r.value)["data"]["montant"]) for r in ordres]
    assert len({json.loads(r.value)["id"] for r in ordres}) == ordres_attendus
    assert sum(montants) == total

    campagne = await jusqu_a(StatutCampagne.PAYEE)
    assert (campagne.lots_publies, campagne.ordres_emis) == (7, ordres_attendus)
    historique = [e async for e in handle.fetch_history_events()]
    # about 160 events and 350 kB here: a few events per batch of 100 schools, none per school
    assert len(historique) < 200
    assert sum(e.ByteSize() for e in historique) < 1_000_000
