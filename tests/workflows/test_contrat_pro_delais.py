"""Contrat-pro, issue 17 items 4 and 5 (seed 003 section 3; docs/contrat_pro.md, "Aid not due"
and "Deadlines that can be met"): a zero amount never gives an act or a payment order, an act
is withdrawn with an audit line, a payment request received early is kept and examined when
payment is due, a deadline that had passed before it was known goes to an instructor. On the
time-skipping server, the rules for real, fakes that record for Kafka and the database; the
scenario file tests/scenarios/contrat_pro/rupture_et_delais.yaml tells the same with dates."""

import uuid
from collections.abc import AsyncIterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from temporalio.client import WorkflowUpdateFailedError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.cumul_contrat_pro import ACTIVITES_CUMUL
from activities.regles import evaluer_contrat_pro
from models.contrat_pro import Statut, TypeDecision
from models.dossier import Nature
from rules.contrat_pro import add_months
from tests.factories import contrat_enregistre, demande_deposee
from tests.fakes import FakeActivities
from tests.workflows.test_contrat_pro import Dossier, sleep_until, today
from workers.runtime.temporal import WORKFLOWS

ORDRE = "guichet.paiement.ordre.v1"


@pytest.fixture(scope="module")
async def running(
    time_skipping_env: WorkflowEnvironment,
) -> AsyncIterator[tuple[str, FakeActivities]]:
    """One worker for the module's workflows (the server skips time only when none waits)."""
    captured = FakeActivities()
    task_queue = f"test-{uuid.uuid4()}"
    async with Worker(
        time_skipping_env.client,
        task_queue=task_queue,
        workflows=WORKFLOWS,
        activities=[*captured.all(), evaluer_contrat_pro, *ACTIVITES_CUMUL],
    ):
        yield task_queue, captured


@pytest.fixture
def dossier(time_skipping_env: WorkflowEnvironment, running: tuple[str, FakeActivities]) -> Dossier:
    return Dossier(time_skipping_env, *running)


async def accepted(dossier: Dossier, mois: int = 24) -> date:
    """A contract of `mois` months starting today, requested 10 days later and accepted."""
    debut = await today(dossier.env)
    fin = add_months(debut, mois) - timedelta(days=1)
    await dossier.send(contrat_enregistre(dossier.numero, debut=debut, date_fin=fin.isoformat()))
    await dossier.send(demande_deposee(dossier.numero, debut + timedelta(days=10)))
    assert await dossier.decide(TypeDecision.ACCEPTER) is Statut.EN_COURS
    return debut


def objets(dossier: Dossier) -> list[str]:
    return [objet for objet, _ in dossier.notifications()]


async def demande_paiement(dossier: Dossier, le: date, **data: Any) -> None:
    await dossier.portail(
        "demande-paiement-deposee",
        date_demande_paiement=le.isoformat(),
        rib_reference=data.get("rib_reference", "RIB-1"),
    )


async def test_a_first_month_break_withdraws_the_act_with_an_audit_line_and_orders_nothing(
    dossier: Dossier,
) -> None:
    debut = await accepted(dossier)

    await dossier.opco("rompu", date_fin_effective=(debut + timedelta(days=20)).isoformat())

    state = await dossier.state()
    assert state.statut is Statut.NON_DUE
    assert objets(dossier) == ["DECISION_ACCEPTATION", "AIDE_NON_DUE"]
    assert dossier.published(ORDRE) == []
    retraits = [
        a
        for a in dossier.captured.audit
        if a.dossier == f"contrat-pro:{dossier.numero}" and a.type == "retrait_acte"
    ]
    assert [(a.nature, a.detail["acte"], a.detail["motif"]) for a in retraits] == [
        (Nature.DECISION, "arrete", "RUPTURE_PREMIER_MOIS")
    ]
    assert dossier.captured.last_projection(dossier.numero).montant_accorde == 0


async def test_an_amount_of_zero_never_produces_a_payment_order(dossier: Dossier) -> None:
    """Every month of the first year suspended without pay: 0.00 EUR, so at month 12 the aid
    is not due (no invitation to request a payment of nothing, no order)."""
    debut = await accepted(dossier)
    fin_annee = add_months(debut, 12) - timedelta(days=1)
    await dossier.opco("suspendu", du=debut.isoformat(), au=fin_annee.isoformat())
    assert (await dossier.state()).statut is Statut.EN_COURS

    await sleep_until(dossier.env, add_months(debut, 12) + timedelta(days=1))

    state = await dossier.state()
    assert state.evaluation is not None
    assert state.evaluation.montant == Decimal("0.00")
    assert state.statut is Statut.NON_DUE
    assert objets(dossier) == ["DECISION_ACCEPTATION", "AIDE_NON_DUE"]
    assert state.ordres == []
    assert dossier.published(ORDRE) == []


async def test_a_request_received_early_is_kept_then_paid_when_due_without_an_invitation(
    dossier: Dossier,
) -> None:
    debut = await accepted(dossier, mois=12)
    await sleep_until(dossier.env, debut + timedelta(days=200))
    await demande_paiement(dossier, debut + timedelta(days=200))

    state = await dossier.state()
    assert (state.statut, state.anomalies, state.demande_paiement_anticipee) == (
        Statut.EN_COURS,
        [],
        True,
    )
    await sleep_until(dossier.env, add_months(debut, 12) + timedelta(days=1))

    assert (await dossier.state()).statut is Statut.INSTRUCTION_PAIEMENT
    assert dossier.published(ORDRE) == []
    assert await dossier.decide(TypeDecision.VALIDER_PAIEMENT) is Statut.PAIEMENT_EMIS
    assert [o["montant"] for o in dossier.published(ORDRE)] == ["6000.00"]
    assert objets(dossier) == [
        "DECISION_ACCEPTATION",
        "DEMANDE_PAIEMENT_CONSERVEE",
        "DEMANDE_PAIEMENT_A_INSTRUIRE",
    ]


async def test_a_kept_request_dated_after_a_deadline_learnt_late_goes_to_an_instructor(
    dossier: Dossier,
) -> None:
    """Break in month 2 (deadline: its end + 3 months), reported after the deadline; the
    request kept meanwhile is dated after it too: the instructor relieves the deadline, and
    the kept request is instructed at once, then paid for the 2 months worked."""
    debut = await accepted(dossier)
    fin = add_months(debut, 1) + timedelta(days=5)  # in contract month 2
    limite = add_months(fin, 3)
    await sleep_until(dossier.env, limite + timedelta(days=5))
    await demande_paiement(dossier, limite + timedelta(days=5))
    await sleep_until(dossier.env, limite + timedelta(days=10))

    await dossier.opco("rompu", date_fin_effective=fin.isoformat())

    state = await dossier.state()
    assert state.statut is Statut.EXAMEN_DELAI
    assert objets(dossier)[-1] == "DELAI_ECHU_AVANT_CONNU"
    assert dossier.published("guichet.dossier.prescrit.v1") == []
    with pytest.raises(WorkflowUpdateFailedError):
        await dossier.decide(TypeDecision.ACCEPTER)

    nouvelle = (await today(dossier.env)) + timedelta(days=30)
    statut = await dossier.decide(
        TypeDecision.RELEVER_DELAI, motif="rupture déclarée tard", date_limite_reponse=nouvelle
    )

    assert statut is Statut.INSTRUCTION_PAIEMENT
    assert await dossier.decide(TypeDecision.VALIDER_PAIEMENT) is Statut.PAIEMENT_EMIS
    assert [o["montant"] for o in dossier.published(ORDRE)] == ["1000.00"]


async def test_an_instructor_confirms_the_time_bar_of_a_deadline_learnt_late(
    dossier: Dossier,
) -> None:
    debut = await accepted(dossier)
    fin = add_months(debut, 3) + timedelta(days=2)
    await sleep_until(dossier.env, add_months(fin, 3) + timedelta(days=1))

    await dossier.opco("rompu", date_fin_effective=fin.isoformat())
    assert (await dossier.state()).statut is Statut.EXAMEN_DELAI

    statut = await dossier.decide(TypeDecision.CONSTATER_PRESCRIPTION, motif="aucune demande")

    assert statut is Statut.PAIEMENT_PRESCRIT
    assert [p["motif"] for p in dossier.published("guichet.dossier.prescrit.v1")] == [
        "DEMANDE_PAIEMENT_HORS_DELAI"
    ]
    assert dossier.published(ORDRE) == []
