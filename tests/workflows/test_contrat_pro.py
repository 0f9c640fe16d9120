"""The contrat-pro workflow on the time-skipping test server, from registration to archive.
Activities that touch Kafka and the database are fakes that record; the rules run for real."""

import uuid
from collections.abc import AsyncIterator
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowExecutionStatus, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.cumul_contrat_pro import ACTIVITES_CUMUL
from activities.regles import evaluer_contrat_pro
from events import topics
from events.catalogue import CATALOGUE
from events.delivery import Livrable, deliver
from models.contrat_pro import Decision, EtatContratPro, Statut, TypeDecision
from models.dossier import Enregistrement
from models.evenements import CloudEvent
from rules.calendrier import PARIS
from rules.contrat_pro import add_months
from tests.execution import execution
from tests.factories import contrat_enregistre, demande_deposee, evenement, siret_pour
from tests.fakes import FakeActivities
from workers.runtime.temporal import WORKFLOWS
from workers.scenarios.record import MARQUEUR_ACTIVITE_LOCALE

Handle = WorkflowHandle[Any, Any]


@pytest.fixture(scope="module")
async def running(
    time_skipping_env: WorkflowEnvironment,
) -> AsyncIterator[tuple[str, FakeActivities]]:
    """One worker for the whole module: the time-skipping server stops skipping time while a
    workflow task waits for a worker, so every workflow started here must keep one."""
    captured = FakeActivities()
    task_queue = f"test-{uuid.uuid4()}"
    async with Worker(
        time_skipping_env.client,
        task_queue=task_queue,
        workflows=WORKFLOWS,
        activities=[*captured.all(), evaluer_contrat_pro, *ACTIVITES_CUMUL],
    ):
        yield task_queue, captured


class Dossier:
    """One contract's dossier in a test: send partner events, decide, read the state."""

    def __init__(self, env: WorkflowEnvironment, task_queue: str, captured: FakeActivities):
        self.env, self.task_queue, self.captured = env, task_queue, captured
        self.numero = f"C-{uuid.uuid4().hex[:8]}"
        self.handle: Handle = env.client.get_workflow_handle(f"contrat-pro:{self.numero}")

    async def send(self, event: CloudEvent) -> None:
        assert (
            await deliver(self.env.client, self.task_queue, Livrable(event, CATALOGUE[event.type]))
            is None
        )
        await self.env.sleep(timedelta(seconds=1))

    async def opco(self, type_: str, **data: Any) -> None:
        await self.send(evenement(f"opco.contrat-pro.{type_}.v1", self.numero, data))

    async def portail(self, type_: str, **data: Any) -> None:
        await self.send(evenement(f"portail.contrat-pro.{type_}.v1", self.numero, data))

    async def asp(self, type_: str, **data: Any) -> None:
        await self.send(evenement(f"asp.contrat-pro.{type_}.v1", self.numero, data))

    async def decide(self, type_: TypeDecision, **champs: Any) -> Statut:
        decision = Decision(type=type_, auteur="instructeur.test", **champs)
        statut: Statut = await self.handle.execute_update("decider", decision, result_type=Statut)
        return statut

    async def state(self) -> EtatContratPro:
        state: EtatContratPro = await self.handle.query("etat", result_type=EtatContratPro)
        return state

    def notifications(self) -> list[tuple[str, date]]:
        """(objet, local date of publication) of the notifications sent so far."""
        return [
            (e.data["objet"], e.time.astimezone(PARIS).date())
            for e in self.captured.about(self.numero)
            if e.topic == topics.NOTIFICATIONS
        ]

    def published(self, type_: str) -> list[dict[str, Any]]:
        return [e.data for e in self.captured.about(self.numero) if e.type == type_]


@pytest.fixture
def dossier(time_skipping_env: WorkflowEnvironment, running: tuple[str, FakeActivities]) -> Dossier:
    return Dossier(time_skipping_env, *running)


async def today(env: WorkflowEnvironment) -> date:
    return (await env.get_current_time()).astimezone(PARIS).date()


async def sleep_until(env: WorkflowEnvironment, day: date, hour: int = 12) -> None:
    """Skip time to `day` at `hour`, Paris time."""
    target = datetime.combine(day, time(hour), tzinfo=PARIS)
    await env.sleep(target - await env.get_current_time())


async def registered_and_requested(dossier: Dossier, **demande: Any) -> date:
    debut = await today(dossier.env)
    await dossier.send(contrat_enregistre(dossier.numero, debut=debut))
    await dossier.send(demande_deposee(dossier.numero, debut + timedelta(days=10), **demande))
    return debut


async def test_registration_opens_the_dossier_with_the_three_month_request_deadline(
    dossier: Dossier,
) -> None:
    debut = await today(dossier.env)
    event = contrat_enregistre(dossier.numero, debut=debut)

    await dossier.send(event)

    state = await dossier.state()
    assert state.statut is Statut.ATTENTE_DEMANDE
    assert state.date_limite_demande == add_months(debut, 3)
    assert state.registre.evenements_appliques == [event.id]
    assert dossier.published("guichet.dossier.ouvert.v1") == [
        {
            "dispositif": "contrat-pro",
            "statut": "attente_demande",
            "date_limite_demande": add_months(debut, 3).isoformat(),
        }
    ]
    projection = dossier.captured.last_projection(dossier.numero)
    assert (projection.prochaine_echeance, projection.beneficiaire) == (
        add_months(debut, 3),
        siret_pour(dossier.numero),
    )


async def test_the_same_event_delivered_twice_is_applied_once(dossier: Dossier) -> None:
    event = contrat_enregistre(dossier.numero, debut=await today(dossier.env))

    await dossier.send(event)
    await dossier.send(event)

    state = await dossier.state()
    assert state.registre.evenements_appliques == [event.id]
    assert state.anomalies == []
    assert len(dossier.published("guichet.dossier.ouvert.v1")) == 1


async def test_a_second_registration_for_an_open_dossier_is_an_anomaly_not_a_change(
    dossier: Dossier,
) -> None:
    debut = await today(dossier.env)
    await dossier.send(contrat_enregistre(dossier.numero, debut=debut))
    second = contrat_enregistre(dossier.numero, debut=debut + timedelta(days=30))

    await dossier.send(second)

    state = await dossier.state()
    assert state.date_limite_demande == add_months(debut, 3)
    assert [a.evenement_id for a in state.anomalies] == [second.id]
    assert dossier.published("guichet.dossier.anomalie.v1")[0]["evenement_id"] == second.id
    assert dossier.captured.last_projection(dossier.numero).anomalies == 1


async def test_no_request_by_the_deadline_sends_two_reminders_then_time_bars_the_dossier(
    dossier: Dossier,
) -> None:
    debut = await today(dossier.env)
    limite = add_months(debut, 3)
    await dossier.send(contrat_enregistre(dossier.numero, debut=debut))

    await sleep_until(dossier.env, limite, hour=23)
    assert (await dossier.state()).statut is Statut.ATTENTE_DEMANDE
    await dossier.env.sleep(timedelta(hours=2))

    assert (await dossier.state()).statut is Statut.PRESCRIT
    assert (await execution(dossier.env.client, dossier.handle.id))[
        0
    ] == WorkflowExecutionStatus.COMPLETED
    assert dossier.notifications() == [
        ("RAPPEL_DEMANDE", limite - timedelta(days=30)),
        ("RAPPEL_DEMANDE", limite - timedelta(days=7)),
    ]
    (prescrit,) = dossier.published("guichet.dossier.prescrit.v1")
    assert prescrit["motif"] == "DEMANDE_HORS_DELAI"


async def test_a_steps_events_go_out_with_its_write_in_one_local_activity_in_order(
    dossier: Dossier,
) -> None:
    """`workflows.suivi.SORTIES_GROUPEES` (issue 16): the prescription publishes two events and
    writes the dossier in one local activity, events first; no step publishes on its own."""
    debut = await today(dossier.env)
    await dossier.send(contrat_enregistre(dossier.numero, debut=debut))
    await sleep_until(dossier.env, add_months(debut, 3) + timedelta(days=1), hour=1)
    assert (await dossier.state()).statut is Statut.PRESCRIT

    activites: list[tuple[str, list[str]]] = []
    async for event in dossier.handle.fetch_history_events():
        if event.event_type != EventType.EVENT_TYPE_MARKER_RECORDED:
            continue
        marqueur = event.marker_recorded_event_attributes
        if marqueur.marker_name != MARQUEUR_ACTIVITE_LOCALE:
            continue
        (donnees,) = await pydantic_data_converter.decode(marqueur.details["data"].payloads)
        (resultat,) = await pydantic_data_converter.decode(
            marqueur.details["result"].payloads, [Enregistrement]
        )
        activites.append((donnees["activity_type"], [s.type for s in resultat.publications]))

    assert [nom for nom, _ in activites] == ["enregistrer_dossier"] * len(activites)
    assert activites[-1][1] == ["guichet.dossier.prescrit.v1", "guichet.dossier.statut.v1"]
    assert dossier.captured.types(dossier.numero)[-2:] == [
        "guichet.dossier.prescrit.v1",
        "guichet.dossier.statut.v1",
    ]


async def test_a_request_arriving_before_the_registration_is_kept_then_instructed(
    dossier: Dossier,
) -> None:
    debut = await today(dossier.env)
    await dossier.send(demande_deposee(dossier.numero, debut))
    assert (await dossier.state()).statut is Statut.NOUVEAU

    await dossier.send(contrat_enregistre(dossier.numero, debut=debut))

    state = await dossier.state()
    assert state.statut is Statut.INSTRUCTION
    assert state.evaluation is not None
    assert (state.evaluation.eligible, state.evaluation.montant) == (True, Decimal("6000.00"))
    assert state.anomalies == []


async def test_a_late_request_is_instructed_with_the_reason_and_cannot_be_accepted(
    dossier: Dossier,
) -> None:
    debut = await today(dossier.env)
    await dossier.send(contrat_enregistre(dossier.numero, debut=debut))
    await dossier.send(demande_deposee(dossier.numero, add_months(debut, 3) + timedelta(days=1)))

    state = await dossier.state()
    assert state.evaluation is not None
    assert state.evaluation.motifs == ["DEMANDE_HORS_DELAI"]
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await dossier.decide(TypeDecision.ACCEPTER)
    assert "n'est pas éligible (DEMANDE_HORS_DELAI)" in str(refused.value.cause)
    assert await dossier.decide(TypeDecision.REJETER, motif="demande hors délai") is Statut.REJETE


async def test_documents_asked_then_added_return_the_dossier_to_instruction(
    dossier: Dossier,
) -> None:
    debut = await registered_and_requested(dossier, documents=[])
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await dossier.decide(TypeDecision.ACCEPTER)
    assert "pièces requises manquantes" in str(refused.value.cause)

    statut = await dossier.decide(
        TypeDecision.DEMANDER_PIECES, date_limite_reponse=debut + timedelta(days=40)
    )
    assert statut is Statut.ATTENTE_PIECES
    for type_ in ("cerfa", "decision_prise_en_charge_opco"):
        await dossier.portail("document-ajoute", document={"type": type_, "reference": type_})

    assert (await dossier.state()).statut is Statut.INSTRUCTION
    assert await dossier.decide(TypeDecision.ACCEPTER) is Statut.EN_COURS
    assert [objet for objet, _ in dossier.notifications()] == [
        "DEMANDE_PIECES",
        "DECISION_ACCEPTATION",
    ]


async def test_a_break_in_the_first_month_gives_nothing(dossier: Dossier) -> None:
    debut = await registered_and_requested(dossier)
    await dossier.decide(TypeDecision.ACCEPTER)

    await dossier.opco("rompu", date_fin_effective=(debut + timedelta(days=20)).isoformat())

    state = await dossier.state()
    assert state.evaluation is not None
    assert state.evaluation.motifs == ["RUPTURE_PREMIER_MOIS"]
    assert state.evaluation.montant == Decimal("0.00")


async def test_above_23000_eur_in_the_year_the_act_is_a_convention_that_waits_for_signature(
    dossier: Dossier,
) -> None:
    await registered_and_requested(dossier, cumul_aides_annee="17000.01")

    assert await dossier.decide(TypeDecision.ACCEPTER) is Statut.ATTENTE_SIGNATURE
    await dossier.portail(
        "convention-signee", date_signature=(await today(dossier.env)).isoformat()
    )

    assert (await dossier.state()).statut is Statut.EN_COURS


async def test_whole_life_break_in_month_7_suspension_rejected_payment_fraud_and_archive(
    dossier: Dossier,
) -> None:
    debut = await registered_and_requested(dossier)
    assert dossier.captured.last_projection(dossier.numero).montant_accorde == Decimal("0.00")
    assert await dossier.decide(TypeDecision.ACCEPTER) is Statut.EN_COURS
    assert dossier.captured.last_projection(dossier.numero).montant_accorde == Decimal("6000.00")

    # Month 3 wholly suspended without pay, then a break in month 7.
    mois_3 = (add_months(debut, 2), add_months(debut, 3) - timedelta(days=1))
    await dossier.opco("suspendu", du=mois_3[0].isoformat())
    await dossier.opco("repris", date_reprise=(mois_3[1] + timedelta(days=1)).isoformat())
    fin = add_months(debut, 6) + timedelta(days=9)
    await dossier.opco("rompu", date_fin_effective=fin.isoformat())
    state = await dossier.state()
    assert state.evaluation is not None
    assert state.evaluation.mois_aides == [1, 2, 4, 5, 6, 7]
    assert state.evaluation.montant == Decimal("3000.00")
    assert state.evaluation.date_versement == fin + timedelta(days=1)
    assert dossier.captured.last_projection(dossier.numero).montant_accorde == Decimal("3000.00")

    await sleep_until(dossier.env, fin + timedelta(days=1))
    assert (await dossier.state()).statut is Statut.ATTENTE_DEMANDE_PAIEMENT
    assert dossier.notifications()[-1] == ("INVITATION_DEMANDE_PAIEMENT", fin + timedelta(days=1))

    await dossier.portail(
        "demande-paiement-deposee",
        date_demande_paiement=(fin + timedelta(days=5)).isoformat(),
        rib_reference="RIB-1",
    )
    assert dossier.published("guichet.paiement.ordre.v1") == []
    assert await dossier.decide(TypeDecision.VALIDER_PAIEMENT) is Statut.PAIEMENT_EMIS
    (ordre,) = dossier.published("guichet.paiement.ordre.v1")
    assert (ordre["montant"], ordre["rib_reference"]) == ("3000.00", "RIB-1")
    await dossier.asp("paiement-rejete", ordre_id=ordre["ordre_id"], motif="compte clos")
    assert (await dossier.state()).statut is Statut.PAIEMENT_REJETE
    await dossier.portail("coordonnees-bancaires-corrigees", rib_reference="RIB-2")
    second = dossier.published("guichet.paiement.ordre.v1")[1]
    assert second["ordre_id"] != ordre["ordre_id"]
    assert second["rib_reference"] == "RIB-2"
    paye_le = fin + timedelta(days=20)
    await dossier.asp(
        "paiement-execute", ordre_id=second["ordre_id"], date_execution=paye_le.isoformat()
    )
    state = await dossier.state()
    assert (state.statut, state.montant_verse) == (Statut.PAYE, Decimal("3000.00"))

    await dossier.decide(TypeDecision.SIGNALER_FRAUDE, motif="contrat fictif")
    (titre,) = dossier.published("guichet.paiement.titre-executoire.v1")
    assert titre["montant"] == "3000.00"
    assert (await dossier.state()).statut is Statut.RECOUVREMENT
    await dossier.asp("titre-recouvre", ordre_id=titre["ordre_id"], montant="3000.00")
    assert (await dossier.state()).statut is Statut.PAYE

    run_paye = (await execution(dossier.env.client, dossier.handle.id))[1]
    await sleep_until(dossier.env, add_months(paye_le, 120) + timedelta(days=1))

    state = await dossier.state()
    assert state.statut is Statut.ARCHIVE
    assert (await execution(dossier.env.client, dossier.handle.id))[1] != run_paye, (
        "continued as new on the way"
    )
    assert (state.contrat, state.demande, state.documents) == (None, None, [])
    assert state.montant_verse == Decimal("3000.00")
    assert dossier.published("guichet.dossier.archive.v1") == [
        {"dispositif": "contrat-pro", "date_fin_conservation": add_months(paye_le, 120).isoformat()}
    ]
    assert (await execution(dossier.env.client, dossier.handle.id))[
        0
    ] == WorkflowExecutionStatus.COMPLETED


async def test_a_payment_confirmation_for_an_unknown_order_is_an_anomaly(dossier: Dossier) -> None:
    await registered_and_requested(dossier)

    await dossier.asp("paiement-execute", ordre_id="inconnu", date_execution="2026-01-01")

    (anomalie,) = (await dossier.state()).anomalies
    assert "ordre inconnu" in anomalie.motif


async def test_a_break_before_the_contract_start_is_an_anomaly(dossier: Dossier) -> None:
    debut = await registered_and_requested(dossier)

    await dossier.opco("rompu", date_fin_effective=(debut - timedelta(days=1)).isoformat())

    state = await dossier.state()
    assert state.date_fin_effective is None
    assert "hors de la période du contrat" in state.anomalies[0].motif


async def test_a_signal_whose_data_breaks_its_contract_is_an_anomaly_not_a_stuck_dossier(
    dossier: Dossier,
) -> None:
    """The consumer checks contracts; a direct signal does not. The data is read by the
    workflow's model: before the dossier base, the ValidationError failed the workflow task
    again and again and the dossier stopped."""
    await registered_and_requested(dossier)
    mauvais = evenement("opco.contrat-pro.rompu.v1", dossier.numero, {"date_fin_effective": "?"})

    await dossier.handle.signal("evenement", mauvais)
    await dossier.env.sleep(timedelta(seconds=1))

    state = await dossier.state()
    assert state.statut is Statut.INSTRUCTION
    assert state.date_fin_effective is None
    (anomalie,) = state.anomalies
    assert anomalie.evenement_id == mauvais.id
    assert anomalie.motif == (
        "données non conformes au contrat opco.contrat-pro.rompu.v1 (champs : date_fin_effective)"
    )
    assert await dossier.decide(TypeDecision.ACCEPTER) is Statut.EN_COURS
