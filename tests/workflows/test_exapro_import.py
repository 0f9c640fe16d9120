"""The EXAPRO import workflow on the time-skipping test server, with the real import activities
(files in a temporary storage directory, a fake Kafka publisher) and fakes for the outbound
events and the read model."""

import asyncio
import hashlib
import itertools
import json
import shutil
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from temporalio import activity
from temporalio.client import WorkflowExecutionStatus
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.exapro import ExaproActivities, id_candidat
from events import catalogue_exapro, topics
from events.delivery import Livrable, Rejet, deliver, parse
from models.dossier import Enregistrement
from models.evenements import CloudEvent
from models.exapro import (
    TYPE_CANDIDAT,
    TYPE_FICHIER_DEPOSE,
    EtatImportExapro,
    FichierDepose,
    Motif,
    ResultatValidation,
    SiErreurs,
    Statut,
    decider,
)
from tests.factories import BCP, BCP_ERREURS, DONNEES_EXAPRO
from tests.fakes import FakeActivities, FakePublisher
from workers.bench.exapro import generer_csv
from workers.demo.exapro import demo
from workflows.exapro_import import ExaproImportWorkflow

CAP_ERREURS = DONNEES_EXAPRO / "CAP2023ERREURS_1.0_2023-06_050120230900.csv"
TYPE = catalogue_exapro.RECUS[0]
QUAND = datetime(2024, 1, 16, 8, 0, tzinfo=UTC)
_ids = itertools.count(1)


class Projections(FakeActivities):
    """The fakes of tests/fakes.py; the read-model write can be held to act mid-import."""

    def __init__(self) -> None:
        super().__init__()
        self.ouvert = asyncio.Event()
        self.ouvert.set()

    @activity.defn(name="enregistrer_dossier")
    async def enregistrer_dossier(self, enregistrement: Enregistrement) -> Enregistrement:
        await self.ouvert.wait()
        return await super().enregistrer_dossier(enregistrement)


class Monde:
    def __init__(self, env: WorkflowEnvironment, task_queue: str, stockage: Path) -> None:
        self.env, self.task_queue, self.stockage = env, task_queue, stockage
        self.fakes = Projections()
        self.publisher = FakePublisher()
        self.activites = ExaproActivities(self.publisher, stockage, taille_lot=3)

    def candidats(self) -> list[CloudEvent]:
        return [e for _, _, e in self.publisher.records if e.type == TYPE_CANDIDAT]


@pytest.fixture
async def monde(time_skipping_env: WorkflowEnvironment, tmp_path: Path) -> AsyncIterator[Monde]:
    """A worker and a storage directory of the test's own (the storage remembers which content
    was published, whatever the import)."""
    m = Monde(time_skipping_env, f"test-{uuid.uuid4()}", tmp_path)
    async with Worker(
        time_skipping_env.client,
        task_queue=m.task_queue,
        workflows=[ExaproImportWorkflow],
        activities=[*m.fakes.all(), *m.activites.all()],
    ):
        yield m


class Depot:
    """One file dropped by one school: the event, its delivery, the outcome."""

    def __init__(self, monde: Monde, fichier: Path, nom: str | None = None, **options: Any):
        self.monde = monde
        self.etablissement = f"{uuid.uuid4().int % 10**7:07d}A"
        self.nom = nom or fichier.name
        chemin = f"{self.etablissement}/{self.nom}"
        if fichier.exists():
            (monde.stockage / "depots" / self.etablissement).mkdir(parents=True)
            shutil.copy(fichier, monde.stockage / "depots" / chemin)
        self.cle = chemin
        self.data = {
            "chemin": chemin,
            "nom_fichier": self.nom,
            "etablissement": self.etablissement,
            **options,
        }
        self.handle = monde.env.client.get_workflow_handle(
            f"exapro-import:{self.cle}", result_type=EtatImportExapro
        )

    def evenement(self, event_id: str | None = None) -> CloudEvent:
        return CloudEvent(
            id=event_id or f"depot-{next(_ids)}",
            source="/etablissements/cyclades",
            type=TYPE_FICHIER_DEPOSE,
            subject=self.cle,
            time=QUAND,
            data=self.data,
        )

    async def deposer(self, event: CloudEvent | None = None) -> Rejet | None:
        return await deliver(
            self.monde.env.client,
            self.monde.task_queue,
            Livrable(event or self.evenement(), TYPE),
            first_backoff=0.01,
        )

    async def importer(self) -> EtatImportExapro:
        assert await self.deposer() is None
        return await self.resultat()

    async def resultat(self) -> EtatImportExapro:
        etat: EtatImportExapro = await self.handle.result()
        return etat

    def publies(self, type_: str) -> list[dict[str, Any]]:
        return [e.data for e in self.monde.fakes.about(self.cle) if e.type == type_]

    def rapport(self, etat: EtatImportExapro) -> dict[str, Any]:
        assert etat.rapport is not None
        contenu: dict[str, Any] = json.loads(
            (self.monde.stockage / etat.rapport).read_text(encoding="utf-8")
        )
        return contenu


def sha256_de(fichier: Path) -> str:
    return hashlib.sha256(fichier.read_bytes()).hexdigest()


# --- a valid file ---------------------------------------------------------------------------


async def test_a_valid_file_is_accepted_and_each_candidate_published_once(monde: Monde) -> None:
    depot = Depot(monde, BCP)

    etat = await depot.importer()

    sha = sha256_de(BCP)
    assert (etat.statut, etat.motif, etat.publies) == (Statut.ACCEPTE, Motif.FICHIER_CONFORME, 9)
    assert [e.id for e in monde.candidats()] == [id_candidat(sha, n) for n in range(2, 11)]
    assert {e.subject for e in monde.candidats()} == {depot.cle}
    assert depot.publies("guichet.dossier.statut.v1") == [
        {
            "dispositif": "exapro-import",
            "statut": "accepte",
            "precedent": "en_publication",
            "motif": "FICHIER_CONFORME",
        }
    ]
    [notification] = depot.publies("guichet.notification.v1")
    assert (notification["destinataire"], notification["objet"]) == (
        "etablissement",
        "IMPORT_ACCEPTE",
    )
    assert notification["message"] == (
        f"Fichier « {BCP.name} » accepté : 9 candidats transmis. Rapport : {etat.rapport}."
    )
    assert depot.rapport(etat)["import"]["candidats_publies"] == 9
    assert (await depot.handle.describe()).status == WorkflowExecutionStatus.COMPLETED


async def test_the_read_model_shows_the_school_and_the_audit_carries_the_counts(
    monde: Monde,
) -> None:
    depot = Depot(monde, BCP)

    await depot.importer()

    projections = [p for p in monde.fakes.projections if p.reference == depot.cle]
    assert [p.statut for p in projections] == ["en_validation", "en_publication", "accepte"]
    assert {p.beneficiaire for p in projections} == {depot.etablissement}
    assert {p.dispositif for p in projections} == {"exapro-import"}
    [resultat] = [a for a in monde.fakes.audit if a.type == "import_exapro"]
    assert resultat.dossier == f"exapro-import:{depot.cle}"
    assert {k: resultat.detail[k] for k in ("lignes", "lignes_valides", "erreurs")} == {
        "lignes": 9,
        "lignes_valides": 9,
        "erreurs": 0,
    }
    assert resultat.detail["candidats_publies"] == 9


async def test_the_history_does_not_grow_with_the_number_of_candidates(
    monde: Monde, tmp_path: Path
) -> None:
    grand = tmp_path / "BCP2024GRAND_1.0_2024_150120241030.csv"
    generer_csv(grand, 2000)
    petit, gros = Depot(monde, BCP), Depot(monde, grand)

    etats = [await petit.importer(), await gros.importer()]

    assert [e.publies for e in etats] == [9, 2000]
    longueurs = [len((await d.handle.fetch_history()).events) for d in (petit, gros)]
    assert longueurs[0] == longueurs[1]
    assert longueurs[1] < 60


# --- re-import --------------------------------------------------------------------------------


async def test_a_drop_delivered_twice_is_applied_once_and_a_later_drop_is_refused(
    monde: Monde,
) -> None:
    depot = Depot(monde, BCP)
    event = depot.evenement()

    assert await depot.deposer(event) is None
    await depot.deposer(event)  # redelivered: ignored by id, or refused once the import is done
    etat = await depot.resultat()
    rejet = await depot.deposer()  # dropped again later, under the same name

    assert etat.registre.evenements_appliques == [event.id]
    assert len(monde.candidats()) == 9
    assert isinstance(rejet, Rejet)
    assert "est clos" in rejet.motif
    assert len(monde.candidats()) == 9


async def test_the_same_content_under_another_name_publishes_nothing_twice(monde: Monde) -> None:
    premier = Depot(monde, BCP)
    copie = Depot(monde, BCP, nom="BCP2024COPIE_1.0_2024_150120241031.csv")

    etats = [await premier.importer(), await copie.importer()]

    assert [e.statut for e in etats] == [Statut.ACCEPTE, Statut.DEJA_IMPORTE]
    assert (etats[1].motif, etats[1].publies, etats[1].deja_publie_par) == (
        Motif.CONTENU_DEJA_IMPORTE,
        0,
        premier.cle,
    )
    ids = [e.id for e in monde.candidats()]
    assert len(ids) == len(set(ids)) == 9
    [notification] = copie.publies("guichet.notification.v1")
    assert f"contenu identique à celui de l'import {premier.cle}" in notification["message"]


async def test_a_drop_received_during_the_import_is_an_anomaly_not_a_second_import(
    monde: Monde,
) -> None:
    depot = Depot(monde, BCP)
    monde.fakes.ouvert.clear()  # the import waits at its first read-model write
    assert await depot.deposer() is None
    second = depot.evenement()
    await depot.handle.signal("evenement", second)
    monde.fakes.ouvert.set()

    etat = await depot.resultat()

    assert etat.statut is Statut.ACCEPTE
    assert [a.evenement_id for a in etat.anomalies] == [second.id]
    assert "n'est pas importé une seconde fois" in etat.anomalies[0].motif
    assert len(monde.candidats()) == 9
    assert depot.publies("guichet.dossier.anomalie.v1")[0]["evenement_id"] == second.id


async def test_a_drop_signalled_out_of_contract_is_an_anomaly_and_the_import_waits(
    monde: Monde,
) -> None:
    """The consumer dead-letters such an event; a direct signal must not break the workflow."""
    depot = Depot(monde, BCP)
    mauvais = depot.evenement().model_copy(update={"data": {**depot.data, "chemin": "/etc"}})

    assert await depot.deposer(mauvais) is None
    assert await depot.deposer() is None
    etat = await depot.resultat()

    assert etat.statut is Statut.ACCEPTE
    assert [a.evenement_id for a in etat.anomalies] == [mauvais.id]
    assert "données non conformes" in etat.anomalies[0].motif


# --- errors -----------------------------------------------------------------------------------


async def test_a_file_with_row_errors_is_rejected_whole_by_default(monde: Monde) -> None:
    depot = Depot(monde, CAP_ERREURS)

    etat = await depot.importer()

    assert (etat.statut, etat.motif, etat.publies) == (Statut.REJETE, Motif.LIGNES_EN_ERREUR, 0)
    assert monde.candidats() == []
    assert len(depot.rapport(etat)["erreurs"]) == 8
    [notification] = depot.publies("guichet.notification.v1")
    assert (
        "rejeté : 8 lignes sur 9 en erreur (8 erreurs) ; aucun candidat transmis"
        in (notification["message"])
    )


async def test_a_file_with_row_errors_is_accepted_partially_when_the_drop_says_so(
    monde: Monde,
) -> None:
    depot = Depot(monde, CAP_ERREURS, si_erreurs="ecarter_les_lignes")

    etat = await depot.importer()

    assert (etat.statut, etat.motif, etat.publies) == (
        Statut.ACCEPTE_PARTIELLEMENT,
        Motif.LIGNES_EN_ERREUR_ECARTEES,
        1,
    )
    [candidat] = monde.candidats()
    erreurs = depot.rapport(etat)["erreurs"]
    assert candidat.data["ligne"] not in {e["ligne"] for e in erreurs}
    assert candidat.id == id_candidat(sha256_de(CAP_ERREURS), candidat.data["ligne"])


async def test_an_error_on_the_file_itself_rejects_it_whole_even_when_rows_may_be_left_out(
    monde: Monde,
) -> None:
    depot = Depot(monde, BCP_ERREURS, si_erreurs="ecarter_les_lignes")

    etat = await depot.importer()

    assert (etat.statut, etat.motif) == (Statut.REJETE, Motif.ERREURS_SUR_LE_FICHIER)
    assert etat.validation is not None
    assert etat.validation.lignes_valides == 2
    assert monde.candidats() == []


async def test_an_unreadable_file_is_rejected_with_the_reason(monde: Monde, tmp_path: Path) -> None:
    fichier = tmp_path / "BCP2024_1.0_2024_150120241030.xml"
    fichier.write_text('<!DOCTYPE cyclades [<!ENTITY a "b">]><cyclades/>', encoding="utf-8")
    depot = Depot(monde, fichier)

    etat = await depot.importer()

    assert (etat.statut, etat.motif) == (Statut.REJETE, Motif.FICHIER_ILLISIBLE)
    assert etat.validation is not None
    raison = etat.validation.raison
    assert raison is not None
    assert raison.startswith("XML : déclaration DOCTYPE refusée")
    [notification] = depot.publies("guichet.notification.v1")
    assert f"illisible : {raison}. Aucun candidat transmis." in notification["message"]
    assert depot.rapport(etat)["import"]["raison"] == raison
    assert depot.rapport(etat)["erreurs"] == []


async def test_a_file_missing_from_the_drop_directory_is_rejected_as_not_found(
    monde: Monde, tmp_path: Path
) -> None:
    depot = Depot(monde, tmp_path / "BCP2024_1.0_2024_150120241030.csv")

    etat = await depot.importer()

    assert etat.validation is not None
    assert (etat.statut, etat.validation.raison) == (Statut.REJETE, "fichier introuvable")


# --- the decision and the contract, without a server -------------------------------------------


@pytest.mark.parametrize(
    ("si_erreurs", "validation", "attendu"),
    [
        (
            SiErreurs.ECARTER_LES_LIGNES,
            {"lisible": False, "raison": "vide"},
            (Statut.REJETE, Motif.FICHIER_ILLISIBLE),
        ),
        (
            SiErreurs.ECARTER_LES_LIGNES,
            {"lisible": True, "lignes": 3, "lignes_valides": 3, "erreurs": 1, "erreurs_fichier": 1},
            (Statut.REJETE, Motif.ERREURS_SUR_LE_FICHIER),
        ),
        (
            SiErreurs.REJETER_LE_FICHIER,
            {"lisible": True, "lignes": 0},
            (Statut.ACCEPTE, Motif.FICHIER_CONFORME),
        ),
        (
            SiErreurs.REJETER_LE_FICHIER,
            {"lisible": True, "lignes": 3, "lignes_valides": 2, "erreurs": 1},
            (Statut.REJETE, Motif.LIGNES_EN_ERREUR),
        ),
        (
            SiErreurs.ECARTER_LES_LIGNES,
            {"lisible": True, "lignes": 3, "lignes_valides": 2, "erreurs": 1},
            (Statut.ACCEPTE_PARTIELLEMENT, Motif.LIGNES_EN_ERREUR_ECARTEES),
        ),
        (
            SiErreurs.ECARTER_LES_LIGNES,
            {"lisible": True, "lignes": 3, "lignes_valides": 0, "erreurs": 5},
            (Statut.REJETE, Motif.AUCUN_CANDIDAT_VALIDE),
        ),
    ],
    ids=[
        "illisible",
        "erreur-sur-le-fichier-meme-en-ecartant-les-lignes",
        "fichier-sans-candidat-accepte",
        "rejet-par-defaut",
        "lignes-ecartees",
        "aucune-ligne-valide",
    ],
)
def test_the_decision_on_a_validated_file(
    si_erreurs: SiErreurs, validation: dict[str, Any], attendu: tuple[Statut, Motif]
) -> None:
    assert decider(si_erreurs, ResultatValidation.model_validate(validation)) == attendu


def test_the_default_is_to_reject_a_file_with_errors_whole() -> None:
    depot = FichierDepose(chemin="a.csv", nom_fichier="a.csv", etablissement="0750785A")
    assert depot.si_erreurs is SiErreurs.REJETER_LE_FICHIER


@pytest.mark.parametrize(
    ("champs", "message"),
    [
        ({"chemin": "../../etc/passwd"}, "chemin « ../../etc/passwd » refusé"),
        ({"chemin": "/etc/passwd"}, "chemin « /etc/passwd » refusé"),
        ({"nom_fichier": "a/b.csv"}, "nom_fichier « a/b.csv » refusé"),
        ({"etablissement": "75001"}, "String should match pattern"),
        ({"examen": "BTS"}, "Input should be 'BCP'"),
    ],
)
def test_a_drop_event_out_of_contract_is_dead_lettered_with_the_field_named(
    champs: dict[str, str], message: str
) -> None:
    data = {"chemin": "x.csv", "nom_fichier": "x.csv", "etablissement": "0750785A", **champs}
    event = CloudEvent(
        id="e-1",
        source="/etablissements/cyclades",
        type=TYPE.nom,
        subject="0750785A/x.csv",
        time=QUAND,
        data=data,
    )

    rejet = parse(topics.ETABLISSEMENTS, event.model_dump_json().encode())

    assert isinstance(rejet, Rejet)
    assert next(iter(champs)) in rejet.motif
    assert message in rejet.motif


# --- the demo ---------------------------------------------------------------------------------


async def test_the_demo_drops_end_as_documented(monde: Monde) -> None:
    records = demo(date(2026, 11, 23), monde.stockage / "depots")
    issues = [
        parse(topic, r.model_dump_json().encode() if isinstance(r, CloudEvent) else r)
        for topic, r in records
    ]
    livrables = [i for i in issues if isinstance(i, Livrable)]
    assert len([i for i in issues if isinstance(i, Rejet)]) == 2
    assert len({i.event.id for i in livrables}) == len(livrables) - 1  # one duplicate

    for livrable in livrables:
        await deliver(monde.env.client, monde.task_queue, livrable, first_backoff=0.01)
    etats = {}
    for sujet in dict.fromkeys(i.event.subject for i in livrables):
        handle = monde.env.client.get_workflow_handle(
            f"exapro-import:{sujet}", result_type=EtatImportExapro
        )
        etats[sujet.split("/")[1]] = await handle.result()

    resultats = {nom: (e.statut, e.publies) for nom, e in etats.items()}
    assert sorted(
        [
            resultats.pop("BCP2024DEMO_1.0_2024_150120241030.csv"),
            resultats.pop("BCP2024DEMOCOPIE_1.0_2024_150120241031.csv"),
        ]
    ) == [(Statut.ACCEPTE, 5), (Statut.DEJA_IMPORTE, 0)]
    assert resultats == {
        "CAP2024DEMO_1.0_2024-06_180120240800.csv": (Statut.ACCEPTE_PARTIELLEMENT, 3),
        "BP2024DEMO_1.0_2024-06_160120240915.csv": (Statut.REJETE, 0),
        "BCP2024DEMO_1.0_2024_220120241645.xml": (Statut.REJETE, 0),
    }
    ids = [e.id for e in monde.candidats()]
    assert len(ids) == len(set(ids)) == 8
