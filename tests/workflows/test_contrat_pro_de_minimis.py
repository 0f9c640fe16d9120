"""Contrat-pro, issue 17 item 3 (seed 003 section 3; docs/contrat_pro.md, « Cadre de l'aide et
plafond de minimis »): each act records its framework, de minimis by default or SA.111722 as the
instructor chooses; a de minimis act is tested against the 300 000 EUR ceiling over three years,
counting the service's own de minimis aids to the SIREN (this year's ledger and the earlier
ones) and the other de minimis aids the employer declares. On the time-skipping server, the
rules for real, recording fakes for Kafka and the database."""

import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
from temporalio.client import WorkflowUpdateFailedError
from temporalio.testing import WorkflowEnvironment

from models.contrat_pro import CadreAide, EtatCumul, PlafondDeMinimis, Statut, TypeDecision
from tests.factories import contrat_enregistre, demande_deposee
from tests.workflows.test_contrat_pro import Dossier, running, sleep_until, today

__all__ = ["running"]  # the module's worker fixture, shared with test_contrat_pro


async def _en_instruction(dossier: Dossier, siret: str, declarees: str = "0") -> None:
    """A 12-month full-time contract starting today (6 000 EUR), requested 10 days later with
    the employer's other de minimis aids over three years."""
    debut = await today(dossier.env)
    await dossier.send(contrat_enregistre(dossier.numero, debut=debut, siret_etablissement=siret))
    await dossier.send(
        demande_deposee(
            dossier.numero, debut + timedelta(days=10), aides_de_minimis_declarees=declarees
        )
    )
    assert (await dossier.state()).statut is Statut.INSTRUCTION


def _dossier(env: WorkflowEnvironment, running: tuple[str, object]) -> Dossier:
    task_queue, captured = running
    return Dossier(env, task_queue, captured)  # type: ignore[arg-type]


def _siret() -> str:
    return f"{uuid.uuid4().int % 10**9:09d}00010"


async def test_an_act_is_de_minimis_by_default_and_records_the_ceiling_test(
    time_skipping_env: WorkflowEnvironment, running: tuple[str, object]
) -> None:
    dossier = _dossier(time_skipping_env, running)
    await _en_instruction(dossier, _siret(), declarees="100000")

    assert await dossier.decide(TypeDecision.ACCEPTER) is Statut.EN_COURS

    state = await dossier.state()
    assert state.cadre is CadreAide.DE_MINIMIS
    assert state.de_minimis == PlafondDeMinimis(
        aides_service=Decimal("0.00"),
        aides_declarees=Decimal("100000"),
        montant=Decimal("6000.00"),
        total=Decimal("106000.00"),
        plafond=Decimal("300000.00"),
    )


async def test_over_the_ceiling_the_acceptance_is_refused_and_sa_111722_is_accepted(
    time_skipping_env: WorkflowEnvironment, running: tuple[str, object]
) -> None:
    siret = _siret()
    premier, second = (_dossier(time_skipping_env, running) for _ in range(2))
    await _en_instruction(premier, siret)
    assert await premier.decide(TypeDecision.ACCEPTER) is Statut.EN_COURS
    # 6 000 (the service's) + 288 000.01 (declared) + 6 000 = 300 000.01 EUR
    await _en_instruction(second, siret, declarees="288000.01")

    with pytest.raises(WorkflowUpdateFailedError) as refus:
        await second.decide(TypeDecision.ACCEPTER)

    assert "PLAFOND_DE_MINIMIS" in str(refus.value.cause)
    assert "300000.01" in str(refus.value.cause)
    state = await second.state()
    assert (state.statut, state.cadre, state.cumul, state.decisions) == (
        Statut.INSTRUCTION,
        None,
        None,
        [],
    )
    annee = (await today(time_skipping_env)).year
    ledger = time_skipping_env.client.get_workflow_handle(f"contrat-pro-cumul:{siret[:9]}:{annee}")
    assert list((await ledger.query("etat", result_type=EtatCumul)).reservations.values()) == [
        Decimal("6000.00")
    ], "nothing reserved for the refused acceptance"

    statut = await second.decide(TypeDecision.ACCEPTER, cadre=CadreAide.SA_111722)

    state = await second.state()
    assert (statut, state.cadre, state.de_minimis) == (
        Statut.EN_COURS,
        CadreAide.SA_111722,
        None,
    )
    etat = await ledger.query("etat", result_type=EtatCumul)
    assert etat.hors_de_minimis == [second.handle.id]


async def test_the_ceiling_counts_the_service_aids_of_the_previous_years(
    time_skipping_env: WorkflowEnvironment, running: tuple[str, object]
) -> None:
    siret = _siret()
    ancien, recent = (_dossier(time_skipping_env, running) for _ in range(2))
    await _en_instruction(ancien, siret)
    assert await ancien.decide(TypeDecision.ACCEPTER) is Statut.EN_COURS
    annee = (await today(time_skipping_env)).year
    await sleep_until(time_skipping_env, date(annee + 1, 1, 15))

    await _en_instruction(recent, siret, declarees="288000.01")
    with pytest.raises(WorkflowUpdateFailedError) as refus:
        await recent.decide(TypeDecision.ACCEPTER)
    assert "PLAFOND_DE_MINIMIS : 6000.00 EUR" in str(refus.value.cause)

    autre = _dossier(time_skipping_env, running)
    await _en_instruction(autre, siret, declarees="288000.00")
    assert await autre.decide(TypeDecision.ACCEPTER) is Statut.EN_COURS
    state = await autre.state()
    assert state.de_minimis is not None
    assert (state.de_minimis.aides_service, state.de_minimis.total) == (
        Decimal("6000.00"),
        Decimal("300000.00"),
    )
