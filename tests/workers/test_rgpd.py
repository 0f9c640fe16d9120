"""The data subject's rights on a contrat-pro dossier running on the time-skipping test server,
with a real read model (SQLite, migrated) and real users: restriction holds the deadlines and
the partner events until it is lifted, rectification goes through the workflow and is audited
without the value, export gathers a dossier and its documents into one zip, and only an admin
may do any of it."""

import json
import uuid
import zipfile
from collections.abc import AsyncIterator, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.cumul_contrat_pro import ACTIVITES_CUMUL
from activities.regles import evaluer_contrat_pro
from activities.regles_cae_dom import (
    calculer_echeancier_cae_dom,
    evaluer_convention_cae_dom,
    liquider_trimestres_cae_dom,
)
from events.catalogue import CATALOGUE
from events.catalogue_cae_dom import RECUS as RECUS_CAE_DOM
from events.delivery import Livrable, deliver
from models import depot, rgpd
from models.cae_dom import EtatCaeDom
from models.contrat_pro import EtatContratPro, Statut
from models.dossier import ProjectionDossier
from models.evenements import CloudEvent
from models.tables import PieceJointe
from rules.calendrier import PARIS
from tests.attente import etat_quand
from tests.factories import contrat_enregistre, convention_enregistree, demande_deposee
from tests.fakes import FakeActivities
from workers.demo.cae_dom import convention as convention_cae_dom
from workers.runtime.database import engine_for, upgrade
from workers.runtime.temporal import WORKFLOWS
from workers.services import rgpd as droits
from workers.services.documents import StockageDisque
from workers.services.utilisateurs import AccesRefuse, Role, creer_utilisateur

ADMIN = "dpo.admin"
SIRET = "73282932000074"
Handle = WorkflowHandle[Any, Any]


ADMIN_CONTRAT_PRO = "admin.contrat-pro"


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine = engine_for(f"sqlite:///{tmp_path_factory.mktemp('rgpd') / 'lecture.db'}")
    upgrade(engine)
    with Session(engine) as session:
        creer_utilisateur(session=session, nom=ADMIN, role=Role.ADMIN, dispositifs=["*"])
        creer_utilisateur(
            session=session, nom="instructeur.a", role=Role.INSTRUCTEUR, dispositifs=["*"]
        )
        creer_utilisateur(
            session=session, nom=ADMIN_CONTRAT_PRO, role=Role.ADMIN, dispositifs=["contrat-pro"]
        )
        session.commit()
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
async def running(
    time_skipping_env: WorkflowEnvironment,
) -> AsyncIterator[tuple[str, FakeActivities]]:
    captured = FakeActivities()
    task_queue = f"rgpd-{uuid.uuid4()}"
    async with Worker(
        time_skipping_env.client,
        task_queue=task_queue,
        workflows=WORKFLOWS,
        activities=[
            *captured.all(),
            evaluer_contrat_pro,
            *ACTIVITES_CUMUL,
            evaluer_convention_cae_dom,
            calculer_echeancier_cae_dom,
            liquider_trimestres_cae_dom,
        ],
    ):
        yield task_queue, captured


async def _send(env: WorkflowEnvironment, task_queue: str, event: CloudEvent) -> None:
    assert await deliver(env.client, task_queue, Livrable(event, CATALOGUE[event.type])) is None


async def _statut(handle: Handle, attendu: Statut) -> EtatContratPro:
    return await etat_quand(handle, EtatContratPro, lambda e: e.statut is attendu, 20)


async def _dossier(env: WorkflowEnvironment, task_queue: str, engine: Engine) -> tuple[str, Handle]:
    """A registered contract waiting for its request, and its row in the read model (as the
    projection activity would write it)."""
    numero = f"RG-{uuid.uuid4().hex[:8]}"
    debut = (await env.get_current_time()).astimezone(PARIS).date()
    await _send(env, task_queue, contrat_enregistre(numero, debut=debut, siret_etablissement=SIRET))
    handle: Handle = env.client.get_workflow_handle(f"contrat-pro:{numero}")
    await _statut(handle, Statut.ATTENTE_DEMANDE)
    with Session(engine) as session:
        depot.projeter_dossier(
            session=session,
            projection=ProjectionDossier(
                cle=handle.id,
                dispositif="contrat-pro",
                reference=numero,
                statut="attente_demande",
                beneficiaire=SIRET,
                version=1,
                maj_le=datetime.now(PARIS),
            ),
        )
        session.commit()
    return numero, handle


async def test_restricting_a_dossier_holds_its_deadline_and_events_until_it_is_lifted(
    time_skipping_env: WorkflowEnvironment,
    running: tuple[str, FakeActivities],
    engine: Engine,
) -> None:
    task_queue, captured = running
    numero, handle = await _dossier(time_skipping_env, task_queue, engine)
    with Session(engine) as session:
        resultat = await droits.limiter(
            session=session,
            client=time_skipping_env.client,
            cle=numero,
            motif="contestation de l'exactitude des données (art. 18)",
            utilisateur=ADMIN,
        )
    assert (resultat.applique, resultat.refus) == (True, None)
    suivi = await handle.query("rgpd", result_type=rgpd.EtatRgpd)
    assert suivi.limitation is not None
    assert suivi.limitation.auteur == ADMIN
    projection = captured.last_projection(numero)
    assert (projection.prochaine_echeance, projection.libelle_echeance) == (
        None,
        "traitement limité (RGPD): échéances suspendues",
    )

    # The request, filed in time, arrives while processing is restricted: held. Four months
    # later the 3-month filing deadline has passed: held too, not time-barred.
    depot_le = (await time_skipping_env.get_current_time()).astimezone(PARIS).date()
    demande = demande_deposee(numero, depot_le)
    await _send(time_skipping_env, task_queue, demande)
    await time_skipping_env.sleep(timedelta(days=120))
    # A later request, refused (already restricted), returns once the workflow applied it: by
    # then it has received the request (signals arrive in order) and processed whatever the
    # four months fired. Only then does an unchanged state prove the request held.
    with Session(engine) as session:
        repere = await droits.limiter(
            session=session,
            client=time_skipping_env.client,
            cle=numero,
            motif="repère: le workflow a tout traité",
            utilisateur=ADMIN,
        )
    assert repere.applique
    assert (repere.refus or "").startswith("limitation: le traitement est déjà limité")
    etat = await handle.query("etat", result_type=EtatContratPro)
    assert repere.event_id in etat.registre.evenements_appliques
    assert demande.id not in etat.registre.evenements_appliques
    assert (etat.statut, etat.demande) == (Statut.ATTENTE_DEMANDE, None)

    with Session(engine) as session:
        leve = await droits.lever(
            session=session,
            client=time_skipping_env.client,
            cle=numero,
            motif="données vérifiées",
            utilisateur=ADMIN,
        )
    assert (leve.applique, leve.refus) == (True, None)
    etat = await _statut(handle, Statut.INSTRUCTION)  # the held request, applied first
    assert etat.demande is not None
    assert etat.demande.date_demande == depot_le
    types = [(e.type, e.auteur) for e in captured.audit if e.dossier == handle.id]
    assert ("rgpd_limitation", ADMIN) in types
    assert ("rgpd_levee_limitation", ADMIN) in types


async def test_a_second_restriction_is_refused_with_its_reason(
    time_skipping_env: WorkflowEnvironment,
    running: tuple[str, FakeActivities],
    engine: Engine,
) -> None:
    task_queue, _ = running
    numero, _handle = await _dossier(time_skipping_env, task_queue, engine)
    with Session(engine) as session:
        resultats = [
            await droits.limiter(
                session=session,
                client=time_skipping_env.client,
                cle=numero,
                motif="demande de la personne",
                utilisateur=ADMIN,
            )
            for _ in range(2)
        ]
    assert [(r.applique, r.refus is None) for r in resultats] == [(True, True), (True, False)]
    assert (resultats[1].refus or "").startswith(
        "limitation: le traitement est déjà limité depuis le"
    )


async def test_rectifying_the_birth_date_goes_through_the_workflow_and_audits_the_field_only(
    time_skipping_env: WorkflowEnvironment,
    running: tuple[str, FakeActivities],
    engine: Engine,
) -> None:
    task_queue, captured = running
    numero, handle = await _dossier(time_skipping_env, task_queue, engine)
    with Session(engine) as session:
        resultat = await droits.rectifier(
            session=session,
            client=time_skipping_env.client,
            cle=numero,
            champ="date_naissance_salarie",
            valeur=droits.lire_valeur("1984-07-02"),
            motif="erreur de saisie de l'OPCO",
            utilisateur=ADMIN,
        )
        refus = await droits.rectifier(
            session=session,
            client=time_skipping_env.client,
            cle=numero,
            champ="date_naissance_salarie",
            valeur="pas une date",
            motif="essai",
            utilisateur=ADMIN,
        )
        inconnu = await droits.rectifier(
            session=session,
            client=time_skipping_env.client,
            cle=numero,
            champ="siret_etablissement",
            valeur="1",
            motif="essai",
            utilisateur=ADMIN,
        )
    assert (resultat.applique, resultat.refus) == (True, None)
    etat = await handle.query("etat", result_type=EtatContratPro)
    assert etat.contrat is not None
    assert etat.contrat.date_naissance_salarie == date(1984, 7, 2)
    assert refus.refus is not None
    assert refus.refus.startswith("rectification de date_naissance_salarie: valeur refusée")
    assert "pas une date" not in refus.refus
    assert inconnu.refus is not None
    assert "'siret_etablissement' n'est pas rectifiable" in inconnu.refus
    lignes = [e for e in captured.audit if e.dossier == handle.id and e.type.startswith("rgpd")]
    rectification = next(e for e in lignes if e.type == "rgpd_rectification")
    assert (rectification.auteur, rectification.detail["champ"]) == (
        ADMIN,
        "date_naissance_salarie",
    )
    assert "1984-07-02" not in json.dumps([e.model_dump(mode="json") for e in captured.audit])


async def test_a_cae_dom_convention_is_rectified_and_restricted_by_the_same_commands(
    time_skipping_env: WorkflowEnvironment,
    running: tuple[str, FakeActivities],
    engine: Engine,
    tmp_path: Path,
) -> None:
    task_queue, captured = running
    cle = f"971-30-{uuid.uuid4().int % 100_000:05d}"
    embauche = (await time_skipping_env.get_current_time()).date() + timedelta(days=1)
    event = convention_enregistree(
        cle, convention_cae_dom(cle, embauche, embauche + timedelta(days=364))
    )
    types = {t.nom: t for t in RECUS_CAE_DOM}
    assert (
        await deliver(time_skipping_env.client, task_queue, Livrable(event, types[event.type]))
        is None
    )
    handle: Handle = time_skipping_env.client.get_workflow_handle(f"cae-dom:{cle}")
    with Session(engine) as session:
        depot.projeter_dossier(
            session=session,
            projection=ProjectionDossier(
                cle=handle.id,
                dispositif="cae-dom",
                reference=cle,
                statut="en_cours",
                beneficiaire=SIRET,
                version=1,
                maj_le=datetime.now(PARIS),
            ),
        )
        session.commit()
        demandes = {
            "nom": droits.rectifier(
                session=session,
                client=time_skipping_env.client,
                cle=cle,
                champ="nom_salarie",
                valeur="Durand",
                motif="nom d'usage",
                utilisateur=ADMIN,
            ),
            "nir": droits.rectifier(
                session=session,
                client=time_skipping_env.client,
                cle=cle,
                champ="nir_salarie",
                valeur="185069711234599",
                motif="essai",
                utilisateur=ADMIN,
            ),
            "limite": droits.limiter(
                session=session,
                client=time_skipping_env.client,
                cle=cle,
                motif="exactitude contestée",
                utilisateur=ADMIN,
            ),
        }
        resultats = {quoi: await demande for quoi, demande in demandes.items()}
    assert (resultats["nom"].applique, resultats["nom"].refus) == (True, None)
    assert (resultats["nir"].refus or "").startswith("rectification de nir_salarie: valeur refusée")
    assert "185069711234599" not in (resultats["nir"].refus or "")
    assert (resultats["limite"].applique, resultats["limite"].refus) == (True, None)
    etat = await handle.query("etat", result_type=EtatCaeDom)
    assert etat.convention is not None
    assert etat.convention.salarie.nom == "Durand"
    suivi = await handle.query("rgpd", result_type=rgpd.EtatRgpd)
    assert suivi.limitation is not None
    assert suivi.limitation.auteur == ADMIN
    projection = captured.last_projection(cle)
    assert projection.libelle_echeance == "traitement limité (RGPD): échéances suspendues"

    # The right of access by the person's NIR finds the convention, restricted or not.
    with Session(engine) as session:
        export = await droits.exporter(
            session=session,
            client=time_skipping_env.client,
            stockage=StockageDisque(tmp_path / "documents"),
            identifiant=droits.Identifiant.lire(
                droits.TypeIdentifiant.NIR, etat.convention.salarie.nir
            ),
            utilisateur=ADMIN,
            sortie=tmp_path / "nir.zip",
        )
    assert export.dossiers == [handle.id]
    with zipfile.ZipFile(tmp_path / "nir.zip") as archive:
        base = f"dossiers/{handle.id.replace(':', '_')}"
        exporte = json.loads(archive.read(f"{base}/etat_workflow.json"))
        assert exporte["convention"]["salarie"]["nir"] == etat.convention.salarie.nir
        assert exporte["convention"]["salarie"]["nom"] == "Durand"

    # An admin scoped to contrat-pro neither finds nor restricts the CAE-DOM convention.
    with Session(engine) as session:
        hors_perimetre = await droits.exporter(
            session=session,
            client=time_skipping_env.client,
            stockage=None,
            identifiant=droits.Identifiant.lire(
                droits.TypeIdentifiant.NIR, etat.convention.salarie.nir
            ),
            utilisateur=ADMIN_CONTRAT_PRO,
            sortie=tmp_path / "nir-hors-perimetre.zip",
        )
        with pytest.raises(AccesRefuse, match="hors du périmètre"):
            await droits.lever(
                session=session,
                client=time_skipping_env.client,
                cle=cle,
                motif="m",
                utilisateur=ADMIN_CONTRAT_PRO,
            )
    assert hors_perimetre.dossiers == []
    with zipfile.ZipFile(tmp_path / "nir-hors-perimetre.zip") as archive:
        assert json.loads(archive.read("demande.json"))["perimetre"] == ["contrat-pro"]


async def test_only_an_admin_may_exercise_the_rights(
    time_skipping_env: WorkflowEnvironment, engine: Engine, tmp_path: Path
) -> None:
    with Session(engine) as session, pytest.raises(AccesRefuse, match="admin"):
        await droits.exporter(
            session=session,
            client=time_skipping_env.client,
            stockage=None,
            identifiant=droits.Identifiant.lire(droits.TypeIdentifiant.SIRET, SIRET),
            utilisateur="instructeur.a",
            sortie=tmp_path / "x.zip",
        )
    with Session(engine) as session, pytest.raises(AccesRefuse, match="inconnu"):
        await droits.limiter(
            session=session,
            client=time_skipping_env.client,
            cle="x",
            motif="m",
            utilisateur="personne",
        )


def test_a_malformed_identifier_is_refused_naming_the_option_and_the_rule() -> None:
    with pytest.raises(droits.DemandeRgpdInvalide, match=r"--nir: '12' n'est pas un NIR valide"):
        droits.Identifiant.lire(droits.TypeIdentifiant.NIR, "12")


async def test_export_gathers_the_dossiers_their_history_state_and_documents_into_one_zip(
    time_skipping_env: WorkflowEnvironment,
    running: tuple[str, FakeActivities],
    engine: Engine,
    tmp_path: Path,
) -> None:
    task_queue, _ = running
    numero, handle = await _dossier(time_skipping_env, task_queue, engine)
    stockage = StockageDisque(tmp_path / "documents")
    contenu = b"%PDF-1.4 cerfa"
    sha = "a" * 64
    stockage.put(sha, contenu)
    with Session(engine) as session:
        session.add(
            PieceJointe(
                id=f"piece-{numero}",
                dossier=handle.id,
                sha256=sha,
                taille=len(contenu),
                type_contenu="application/pdf",
                nom_fichier="cerfa.pdf",
                type_document="cerfa",
                auteur="portail",
                depose_le=datetime.now(PARIS),
            )
        )
        session.commit()
        export = await droits.exporter(
            session=session,
            client=time_skipping_env.client,
            stockage=stockage,
            identifiant=droits.Identifiant.lire(droits.TypeIdentifiant.SIRET, SIRET),
            utilisateur=ADMIN,
            sortie=tmp_path / "export.zip",
        )
        audit = depot.lire_audit(session=session, dossier=handle.id)
    assert handle.id in export.dossiers
    with zipfile.ZipFile(tmp_path / "export.zip") as archive:
        base = f"dossiers/{handle.id.replace(':', '_')}"
        etat = json.loads(archive.read(f"{base}/etat_workflow.json"))
        assert etat["contrat"]["siret_etablissement"] == SIRET
        assert archive.read(f"{base}/pieces/piece-{numero}-cerfa.pdf") == contenu
        journaux = json.loads(archive.read(f"{base}/journaux.json"))
        assert journaux["champs"] == {"dossier": numero, "workflow_id": handle.id}
        demande = json.loads(archive.read("demande.json"))
        assert (demande["par"], demande["identifiant"]["type"]) == (ADMIN, "siret")
    assert [(a.nature, a.type, a.auteur) for a in audit] == [("rgpd", "rgpd_export", ADMIN)]
