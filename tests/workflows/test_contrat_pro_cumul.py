"""Contrat-pro, issue 17 item 1 (seed 003 section 4; docs/contrat_pro.md, « Cumul annuel par
bénéficiaire »): the act's 23 000 EUR test counts the aids guichet granted to the SIREN in the
calendar year, reserved on the SIREN's ledger, plus the other aids the employer declares; two
acceptances at the same moment do not both slip under the threshold. On the time-skipping
server, the rules for real, recording fakes for Kafka and the database."""

import asyncio
import uuid
from datetime import timedelta
from decimal import Decimal

from temporalio.testing import WorkflowEnvironment

from models.contrat_pro import EtatCumul, Statut, TypeDecision
from tests.factories import contrat_enregistre, demande_deposee
from tests.workflows.test_contrat_pro import Dossier, running, today

__all__ = ["running"]  # the module's worker fixture, shared with test_contrat_pro


def _siren() -> str:
    return f"{uuid.uuid4().int % 10**9:09d}"


async def _en_instruction(
    dossier: Dossier, siret: str, autres_aides: str = "0", mois: int = 12
) -> None:
    """A 12-month full-time contract starting today (6 000 EUR), requested 10 days later."""
    debut = await today(dossier.env)
    await dossier.send(contrat_enregistre(dossier.numero, debut=debut, siret_etablissement=siret))
    await dossier.send(
        demande_deposee(dossier.numero, debut + timedelta(days=10), cumul_aides_annee=autres_aides)
    )
    assert (await dossier.state()).statut is Statut.INSTRUCTION


def _dossiers(env: WorkflowEnvironment, running: tuple[str, object], n: int) -> list[Dossier]:
    task_queue, captured = running
    return [Dossier(env, task_queue, captured) for _ in range(n)]  # type: ignore[arg-type]


async def test_the_fourth_6000_aid_of_a_siren_in_a_year_is_a_convention(
    time_skipping_env: WorkflowEnvironment, running: tuple[str, object]
) -> None:
    siren = _siren()
    dossiers = _dossiers(time_skipping_env, running, 4)
    # three establishments of one company (one SIREN), the fourth dossier at the first again
    sirets = [f"{siren}{n:05d}" for n in (10, 20, 30, 10)]
    for dossier, siret in zip(dossiers, sirets, strict=True):
        await _en_instruction(dossier, siret)

    statuts = [await d.decide(TypeDecision.ACCEPTER) for d in dossiers]

    assert statuts == [Statut.EN_COURS] * 3 + [Statut.ATTENTE_SIGNATURE]
    cumuls = [(await d.state()).cumul for d in dossiers]
    assert [(c.aides_service, c.total, c.acte) for c in cumuls if c] == [
        (Decimal("0.00"), Decimal("6000.00"), "arrete"),
        (Decimal("6000.00"), Decimal("12000.00"), "arrete"),
        (Decimal("12000.00"), Decimal("18000.00"), "arrete"),
        (Decimal("18000.00"), Decimal("24000.00"), "convention"),
    ]
    dernier = cumuls[3]
    assert dernier is not None
    annee = (await today(time_skipping_env)).year
    assert (dernier.siren, dernier.annee, dernier.seuil) == (siren, annee, Decimal("23000.00"))
    acceptation = [
        e.data["message"]
        for e in dossiers[3].captured.about(dossiers[3].numero)
        if e.data.get("objet") == "DECISION_ACCEPTATION"
    ]
    assert len(acceptation) == 1
    assert "par convention à signer" in acceptation[0]
    ledger = time_skipping_env.client.get_workflow_handle(f"contrat-pro-cumul:{siren}:{annee}")
    etat = await ledger.query("etat", result_type=EtatCumul)
    assert sorted(etat.reservations.values()) == [Decimal("6000.00")] * 4


async def test_two_acceptances_at_the_same_moment_do_not_both_slip_under_the_threshold(
    time_skipping_env: WorkflowEnvironment, running: tuple[str, object]
) -> None:
    """12 000 EUR of other aids declared: one 6 000 EUR aid keeps the year at 18 000 (arrêté),
    the second would make 24 000 (convention), whichever the ledger serves first."""
    siren = _siren()
    premier, second = _dossiers(time_skipping_env, running, 2)
    await _en_instruction(premier, f"{siren}00011", autres_aides="12000")
    await _en_instruction(second, f"{siren}00022", autres_aides="12000")

    statuts = await asyncio.gather(
        premier.decide(TypeDecision.ACCEPTER), second.decide(TypeDecision.ACCEPTER)
    )

    assert sorted(statuts) == sorted([Statut.EN_COURS, Statut.ATTENTE_SIGNATURE])
    cumuls = [(await premier.state()).cumul, (await second.state()).cumul]
    assert sorted(c.total for c in cumuls if c) == [Decimal("18000.00"), Decimal("24000.00")]


async def test_an_aid_found_not_due_releases_its_amount_on_the_ledger(
    time_skipping_env: WorkflowEnvironment, running: tuple[str, object]
) -> None:
    """A first-month break withdraws the act: the next dossier of the SIREN no longer counts
    it. Declared other aids count (16 000 + 6 000 = 22 000: an arrêté)."""
    siren = _siren()
    rompu, suivant = _dossiers(time_skipping_env, running, 2)
    await _en_instruction(rompu, f"{siren}00011")
    assert await rompu.decide(TypeDecision.ACCEPTER) is Statut.EN_COURS
    debut = await today(time_skipping_env)
    await rompu.opco("rompu", date_fin_effective=(debut + timedelta(days=5)).isoformat())
    assert (await rompu.state()).statut is Statut.NON_DUE

    await _en_instruction(suivant, f"{siren}00022", autres_aides="16000")
    assert await suivant.decide(TypeDecision.ACCEPTER) is Statut.EN_COURS

    cumul = (await suivant.state()).cumul
    assert cumul is not None
    assert (cumul.aides_service, cumul.autres_aides_declarees, cumul.total) == (
        Decimal("0.00"),
        Decimal("16000"),
        Decimal("22000.00"),
    )
