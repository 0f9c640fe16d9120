"""The three ARE workflows on the time-skipping test server. Kafka and the read model are fakes
that record; files, rules and the signals between workflows are real. The commission
permanente sessions are a fake placing the next session three weeks after the asking day (the
reference data holds 2023-2024 dates, in the past of the test server's clock)."""

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta
from temporalio import activity
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.are import (
    AreActivities,
    evaluer_complement_are,
    signaler_dossiers_are,
    verifier_bilan_are,
    verifier_conditions_complement_are,
)
from events.catalogue_are import RECUS
from events.delivery import Livrable, deliver
from models.are import (
    BILAN_DEMANDE,
    RELIQUATS_CONSTATES,
    DecisionCampagne,
    EntreeSession,
    EtatBilan,
    EtatCampagne,
    EtatComplement,
    Montants,
    ResultatSession,
    SessionCommission,
    StatutBilan,
    StatutCampagne,
    TypeDecisionCampagne,
)
from models.evenements import CloudEvent, EntreeDossier
from rules import are
from rules.are import LigneEffectif
from rules.calendrier import PARIS
from tests.attente import attendre
from tests.fakes import FakeActivities, FakePublisher
from workflows.are import WORKFLOWS_ARE

Handle = WorkflowHandle[Any, Any]
TYPES = {t.nom: t for t in RECUS}
DONNEES = Path(__file__).parent.parent / "data" / "are"
D = Decimal
ATTENTE_S = 10
"""Activities read and write files in real time: what a test waits for them, at most."""


@activity.defn(name="prochaine_session_are")
async def session_dans_trois_semaines(entree: EntreeSession) -> ResultatSession:
    jour = entree.jour + timedelta(days=21)
    return ResultatSession(session=SessionCommission(reference=f"CP {jour}", date_session=jour))


@dataclass
class Banc:
    env: WorkflowEnvironment
    task_queue: str
    captured: FakeActivities
    publisher: FakePublisher
    sorties: Path
    evenements: int = field(default=0)

    @property
    def client(self) -> Client:
        return self.env.client

    async def envoyer(self, type_: str, sujet: str, data: dict[str, Any]) -> CloudEvent:
        self.evenements += 1
        event = CloudEvent(
            id=f"are-test-{uuid.uuid4().hex[:8]}-{self.evenements}",
            source="/region-ile-de-france/lycees",
            type=type_,
            subject=sujet,
            time=datetime(2024, 9, 3, 9, 30, tzinfo=PARIS),
            data=data,
        )
        assert await deliver(self.client, self.task_queue, Livrable(event, TYPES[type_])) is None
        return event

    async def interne(self, workflow: str, cle: str, type_: str, data: dict[str, Any]) -> None:
        """An internal event, as another ARE workflow sends it (signal-with-start)."""
        await self.client.start_workflow(
            workflow,
            EntreeDossier(cle=cle),
            id=f"{workflow}:{cle}",
            task_queue=self.task_queue,
            start_signal="evenement",
            start_signal_args=[
                CloudEvent(
                    id=f"interne-{uuid.uuid4().hex[:8]}",
                    source="/guichet",
                    type=type_,
                    subject=cle,
                    time=datetime(2023, 7, 1, 9, tzinfo=PARIS),
                    data=data,
                )
            ],
        )

    def handle(self, workflow_id: str) -> Handle:
        return self.client.get_workflow_handle(workflow_id)

    def sortants(self, subject: str, type_: str) -> list[dict[str, Any]]:
        """Outbound events about `subject`: through the activity and through the batches."""
        par_activite = [e.data for e in self.captured.about(subject) if e.type == type_]
        lots = [(cle, e) for _, cle, e in self.publisher.records if e.subject == subject]
        assert all(cle == e.subject for cle, e in lots), "a batch record is keyed by its subject"
        return par_activite + [e.data for _, e in lots if e.type == type_]

    def notifications(self, subject: str) -> list[tuple[str, str]]:
        return [
            (n["destinataire"], n["objet"])
            for n in self.sortants(subject, "guichet.notification.v1")
        ]


@pytest.fixture(scope="module")
async def banc(
    time_skipping_env: WorkflowEnvironment, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Banc]:
    """One worker for the whole module (the time-skipping server stops skipping time while a
    workflow task waits for a worker)."""
    captured, publisher = FakeActivities(), FakePublisher()
    sorties = tmp_path_factory.mktemp("are") / "sorties"
    activites = AreActivities(sorties, publisher)
    task_queue = f"test-are-{uuid.uuid4()}"
    async with Worker(
        time_skipping_env.client,
        task_queue=task_queue,
        workflows=WORKFLOWS_ARE,
        activities=[
            *captured.all(),
            activites.importer_effectifs,
            activites.calculer_dotations,
            activites.produire_table_commission,
            activites.publier_lot,
            signaler_dossiers_are,
            evaluer_complement_are,
            verifier_conditions_complement_are,
            session_dans_trois_semaines,
            verifier_bilan_are,
        ],
    ):
        yield Banc(time_skipping_env, task_queue, captured, publisher, sorties)


def lire(chemin: str) -> str:
    return Path(chemin).read_text(encoding="utf-8")


async def etat_campagne(banc: Banc, annee: str) -> EtatCampagne:
    etat: EtatCampagne = await banc.handle(f"are-campagne:{annee}").query(
        "etat", result_type=EtatCampagne
    )
    return etat


async def etat_bilan(banc: Banc, cle: str) -> EtatBilan:
    etat: EtatBilan = await banc.handle(f"are-bilan:{cle}").query("etat", result_type=EtatBilan)
    return etat


async def etat_complement(banc: Banc, cle: str) -> EtatComplement:
    etat: EtatComplement = await banc.handle(f"are-complement:{cle}").query(
        "etat", result_type=EtatComplement
    )
    return etat


async def statut_campagne(banc: Banc, annee: str, statut: StatutCampagne) -> EtatCampagne:
    """The campaign's state once it has `statut` (activities read and write files in real
    time)."""
    return await attendre(
        lambda: etat_campagne(banc, annee),
        ATTENTE_S,
        f"la campagne {annee} au statut {statut}",
        jusqu_a=lambda e: e.statut is statut,
    )


async def today(env: WorkflowEnvironment) -> date:
    return (await env.get_current_time()).astimezone(PARIS).date()


async def sleep_until(env: WorkflowEnvironment, day: date, hour: int = 12) -> None:
    """Skip time to `day` at `hour`, Paris time."""
    await env.sleep(datetime.combine(day, time(hour), tzinfo=PARIS) - await env.get_current_time())


def dotations_attendues(
    annee: str, reliquats: dict[str, Montants] | None = None
) -> dict[str, Montants]:
    """Each school of the sample files, computed directly with the rules."""
    ecoles = {
        "0750001A": (
            D("0.40"),
            True,
            [("50022139", 24, 2), ("40033404", 30, 0), ("32033422", 20, 4), ("67010031", 15, 0)],
        ),
        "0930002B": (
            D("0.25"),
            True,
            [("50023006", 18, 0), ("40020006", 36, 6), ("32020112", 28, 0), ("32031404", 30, 0)],
        ),
        "0780003C": (D("0.3"), False, [("50025524", 16, 0), ("40025222", 24, 0)]),
    }
    resultat = {}
    for uai, (taux, enquete, lignes) in ecoles.items():
        d = are.calculer_dotation(
            annee,
            a_repondu_enquete=enquete,
            effectifs=[LigneEffectif(c, e, a) for c, e, a in lignes],
            taux_boursiers_post_bac=taux,
            reliquats=(reliquats or {}).get(uai, Montants()).par_enveloppe(),
        )
        resultat[uai] = Montants.depuis({k: v.dotation for k, v in d.enveloppes.items()})
    return resultat


# --- the yearly campaign ----------------------------------------------------------------------


async def test_a_campaign_for_three_schools_refuses_bad_files_then_is_voted_notified_and_paid(
    banc: Banc,
) -> None:
    annee = "2021-2022"
    bilans = await today(banc.env) + timedelta(days=10)  # 1 July 2022 is long past
    await banc.envoyer(
        "etablissements.are.campagne-ouverte.v1",
        annee,
        {
            "annee_scolaire": annee,
            "fichier_effectifs": str(DONNEES / "effectifs-erreurs.csv"),
            "fichier_etablissements": str(DONNEES / "etablissements-2023-2024.csv"),
            "date_demande_bilans": bilans.isoformat(),
        },
    )
    etat = await statut_campagne(banc, annee, StatutCampagne.IMPORT_REFUSE)
    assert etat.import_ is not None
    assert etat.import_.nombre_erreurs == 8
    assert (etat.import_.erreurs[0].ligne, etat.import_.erreurs[0].champ) == (3, "academie")
    assert lire(etat.import_.rapport_erreurs or "").count("\n") == 9
    assert ("instructeur", "IMPORT_REFUSE") in banc.notifications(annee)

    await banc.envoyer(
        "etablissements.are.fichiers-corriges.v1",
        annee,
        {
            "fichier_effectifs": str(DONNEES / "effectifs-2023-2024.csv"),
            "fichier_etablissements": str(DONNEES / "etablissements-2023-2024.csv"),
        },
    )
    etat = await statut_campagne(banc, annee, StatutCampagne.TABLE_PRODUITE)
    attendues = dotations_attendues(annee)
    assert etat.calcul is not None
    assert etat.table is not None
    assert {d.uai: d.dotation for d in etat.calcul.dotations} == attendues
    assert etat.calcul.dotation.total == sum(m.total for m in attendues.values())
    assert etat.calcul.dotation.total == D("16344.00")  # (7926 + 828) + (6624 + 966) + 0
    table = lire(etat.table.csv).splitlines()
    assert len(table) == 4
    assert table[2].startswith("PARIS;0750001A;LYCEE DES METIERS DE LA GASTRONOMIE;oui;15;52;16;")
    assert "16 344,00 €" in lire(etat.table.rapport)

    handle = banc.handle(f"are-campagne:{annee}")
    vote = DecisionCampagne(
        type=TypeDecisionCampagne.VOTER,
        auteur="instructeur.test",
        date_vote=await today(banc.env),
        deliberation="CP 2021-372",
        version_table=1,
    )
    with pytest.raises(WorkflowUpdateFailedError) as refuse:
        await handle.execute_update("decider", vote, result_type=StatutCampagne)
    assert "la table à voter est la version 2, pas 1" in str(refuse.value.cause)
    vote = vote.model_copy(update={"version_table": 2})
    assert (
        await handle.execute_update("decider", vote, result_type=StatutCampagne)
        is StatutCampagne.VOTEE
    )

    etat = await statut_campagne(banc, annee, StatutCampagne.PAYEE)
    assert (etat.lots_publies, etat.ordres_emis, etat.montant_ordonne) == (1, 4, D("16344.00"))
    ordres = [
        (o["ordre_id"], o["montant"])
        for uai in attendues
        for o in banc.sortants(f"{uai}:{annee}", "guichet.paiement.ordre.v1")
    ]
    assert sorted(ordres) == [
        ("are-campagne:2021-2022/paiement/0750001A/post_bac", "828.00"),
        ("are-campagne:2021-2022/paiement/0750001A/pre_bac", "7926.00"),
        ("are-campagne:2021-2022/paiement/0930002B/post_bac", "966.00"),
        ("are-campagne:2021-2022/paiement/0930002B/pre_bac", "6624.00"),
    ]
    (sans_enquete,) = banc.sortants(f"0780003C:{annee}", "guichet.notification.v1")
    assert sans_enquete["objet"] == "DOTATION_NULLE"
    assert "n'a pas répondu aux enquêtes régionales : aucune dotation" in sans_enquete["message"]

    await sleep_until(banc.env, bilans - timedelta(days=1))
    assert (await etat_campagne(banc, annee)).statut is StatutCampagne.PAYEE
    await sleep_until(banc.env, bilans, hour=10)
    etat = await statut_campagne(banc, annee, StatutCampagne.BILANS_DEMANDES)
    assert etat.bilans_demandes == 2
    bilan = await etat_bilan(banc, f"0750001A:{annee}")
    assert bilan.statut is StatutBilan.ATTENTE_BILAN
    assert bilan.campagne is not None
    assert bilan.campagne.dotation_initiale == Montants(pre_bac=D("7926"), post_bac=D("828"))
    with pytest.raises(RPCError):  # nothing received, no leftovers: no report to ask
        await banc.handle(f"are-bilan:0780003C:{annee}").describe()
    historique = [e async for e in handle.fetch_history_events()]
    assert len(historique) < 200  # a few events per step and per batch, none per school


# --- the complementary request ----------------------------------------------------------------


# --- the spending report ----------------------------------------------------------------------


def bilan(
    uai: str, annee: str, jour: date, depenses: list[dict[str, Any]], **champs: Any
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "uai": uai,
        "annee_scolaire": annee,
        "date_depot": jour.isoformat(),
        "dotations_recues": {"pre_bac": "7952.00", "post_bac": "852.00"},
        "reliquats_anterieurs": {"pre_bac": "0.00", "post_bac": "0.00"},
        "depenses": depenses,
    }
    data.update(champs)
    return data


def depense(enveloppe: str, type_equipement: str, montant: str) -> dict[str, Any]:
    return {
        "code_diplome": "50022139" if enveloppe == "pre_bac" else "32033422",
        "libelle_formation": "CUISINE (CAP)" if enveloppe == "pre_bac" else "BTS MHR",
        "enveloppe": enveloppe,
        "type_equipement": type_equipement,
        "nombre_eleves": 20,
        "montant": montant,
    }


async def test_a_report_with_anomalies_names_the_rules_and_a_corrected_one_is_accepted(
    banc: Banc,
) -> None:
    cle = "0910005E:2022-2023"
    jour = await today(banc.env)
    await banc.envoyer(
        "etablissements.are.bilan-depose.v1",
        cle,
        bilan(
            "0910005E",
            "2022-2023",
            jour,
            [
                depense("pre_bac", "tablette_numerique", "4000.00"),
                depense("post_bac", "vetement_representation", "900.00"),
            ],
        ),
    )

    etat = await attendre(
        lambda: etat_bilan(banc, cle),
        ATTENTE_S,
        "le bilan à corriger",
        jusqu_a=lambda e: e.statut is StatutBilan.A_CORRIGER,
    )
    assert etat.verification is not None
    assert [a.code for a in etat.verification.anomalies] == [
        "TYPE_EQUIPEMENT_INCONNU",
        "ENVELOPPE_DEPASSEE",
    ]
    assert "les enveloppes pré-bac et post-bac ne sont pas fongibles" in (
        etat.verification.anomalies[1].message
    )
    assert ("etablissement", "BILAN_A_CORRIGER") in banc.notifications(cle)

    await banc.envoyer(
        "etablissements.are.bilan-depose.v1",
        cle,
        bilan(
            "0910005E",
            "2022-2023",
            jour,
            [
                depense("pre_bac", "materiel_outillage_instruments", "4000.00"),
                depense("post_bac", "vetement_representation", "852.00"),
            ],
        ),
    )

    etat = await attendre(
        lambda: etat_bilan(banc, cle),
        ATTENTE_S,
        "le bilan validé",
        jusqu_a=lambda e: e.statut is StatutBilan.VALIDE,
    )
    assert (etat.bilans_recus, etat.reliquats) == (2, Montants(pre_bac=D("3952")))
    assert etat.transmis_a == "are-campagne:2023-2024"


async def test_a_late_report_gets_reminders_and_its_leftovers_feed_the_next_campaign(
    banc: Banc,
) -> None:
    uai, cle = "0750001A", "0750001A:2022-2023"
    await banc.interne(
        "are-bilan",
        cle,
        BILAN_DEMANDE,
        {
            "uai": uai,
            "annee_scolaire": "2022-2023",
            "dotation_initiale": {"pre_bac": "7952.00", "post_bac": "852.00"},
            "reliquats_anterieurs": {"pre_bac": "0.00", "post_bac": "0.00"},
            "campagne": "are-campagne:2022-2023",
            "deliberation": "CP 2022-300",
        },
    )

    etat = await attendre(
        lambda: etat_bilan(banc, cle),
        ATTENTE_S,
        "le bilan demandé",
        jusqu_a=lambda e: e.statut is StatutBilan.ATTENTE_BILAN,
    )
    debut = await today(banc.env)
    limite = etat.date_limite
    assert limite is not None
    assert (etat.date_demande, limite) == (debut, debut + relativedelta(months=3))

    await sleep_until(banc.env, limite, hour=20)
    assert banc.notifications(cle) == [
        ("etablissement", "BILAN_DEMANDE"),
        ("etablissement", "RAPPEL_BILAN"),
        ("etablissement", "RAPPEL_BILAN"),
    ]
    assert (await etat_bilan(banc, cle)).statut is StatutBilan.ATTENTE_BILAN
    await sleep_until(banc.env, limite + timedelta(days=31))
    assert (await etat_bilan(banc, cle)).statut is StatutBilan.EN_RETARD
    assert banc.notifications(cle)[3:] == [
        ("etablissement", "BILAN_EN_RETARD"),
        ("instructeur", "BILAN_EN_RETARD"),
        ("etablissement", "RELANCE_BILAN"),
    ]

    depot = limite + timedelta(days=31)
    await banc.envoyer(
        "etablissements.are.bilan-depose.v1",
        cle,
        bilan(
            uai,
            "2022-2023",
            depot,
            [
                depense("pre_bac", "materiel_outillage_instruments", "5600.00"),
                depense("pre_bac", "protection_individuelle", "1850.00"),
                depense("post_bac", "vetement_representation", "852.00"),
            ],
        ),
    )

    etat = await attendre(
        lambda: etat_bilan(banc, cle),
        ATTENTE_S,
        "le bilan validé",
        jusqu_a=lambda e: e.statut is StatutBilan.VALIDE,
    )
    assert (etat.reliquats, etat.depose_en_retard) == (Montants(pre_bac=D("502")), True)
    (statut,) = [
        s for s in banc.sortants(cle, "guichet.dossier.statut.v1") if s["statut"] == "valide"
    ]
    assert statut["motif"] == "RELIQUATS pre_bac=502.00 post_bac=0.00 (déposé en retard)"

    # The next campaign received them, before it is opened; opened, it deducts them.
    campagne = await etat_campagne(banc, "2023-2024")
    assert campagne.reliquats[uai].reliquats == Montants(pre_bac=D("502"))
    await banc.envoyer(
        "etablissements.are.campagne-ouverte.v1",
        "2023-2024",
        {
            "annee_scolaire": "2023-2024",
            "fichier_effectifs": str(DONNEES / "effectifs-2023-2024.csv"),
            "fichier_etablissements": str(DONNEES / "etablissements-2023-2024.csv"),
        },
    )
    campagne = await statut_campagne(banc, "2023-2024", StatutCampagne.TABLE_PRODUITE)
    assert campagne.calcul is not None
    dotations = {d.uai: d for d in campagne.calcul.dotations}
    assert dotations[uai].reliquats == Montants(pre_bac=D("502"))
    assert dotations[uai].dotation == Montants(pre_bac=D("8160"), post_bac=D("906"))
    reliquats = {u: r.reliquats for u, r in campagne.reliquats.items()}
    assert {u: d.dotation for u, d in dotations.items()} == dotations_attendues(
        "2023-2024", reliquats
    )

    # Leftovers arriving before the vote: a new version of the table deducts them too.
    await banc.interne(
        "are-campagne",
        "2023-2024",
        RELIQUATS_CONSTATES,
        {
            "uai": "0930002B",
            "annee_scolaire": "2022-2023",
            "reliquats": {"pre_bac": "48.00", "post_bac": "2000.00"},
            "bilan": "are-bilan:0930002B:2022-2023",
        },
    )

    campagne = await attendre(
        lambda: etat_campagne(banc, "2023-2024"),
        ATTENTE_S,
        "la table de la campagne en version 2",
        jusqu_a=lambda e: e.table is not None and e.table.version == 2,
    )
    assert campagne.calcul is not None
    batiment = next(d for d in campagne.calcul.dotations if d.uai == "0930002B")
    assert batiment.dotation == Montants(pre_bac=D("7200"), post_bac=D("0"))
    assert batiment.motifs == ["FORMATIONS_HORS_LISTE", "RELIQUAT_COUVRE_POST_BAC"]
