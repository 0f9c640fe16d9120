"""Contrat-pro, issue 17 items 6 and 7 (seed 003 sections 3 and 4; docs/contrat_pro.md,
« Paiement après instruction » and « Trop-perçu et recouvrement »): the payment request is
instructed before the order leaves (`valider_paiement`, `demander_pieces`, `reduire`); after
payment, a fact that lowers the amount due proposes the excess, recovered by titre exécutoire
on an instructor's decision, followed to settlement, then archived. On the time-skipping
server, the rules for real, fakes that record for Kafka and the database; the scenario file
tests/scenarios/contrat_pro/paiement_et_recouvrement.yaml tells the same with dates."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from temporalio.client import WorkflowUpdateFailedError

from models.contrat_pro import Statut, TypeDecision
from rules.contrat_pro import add_months
from tests.workflows import test_contrat_pro_delais as delais
from tests.workflows.test_contrat_pro import Dossier, sleep_until, today
from tests.workflows.test_contrat_pro_delais import accepted, demande_paiement, objets

running = delais.running  # the module's worker and its recording fakes
dossier = delais.dossier

ORDRE = "guichet.paiement.ordre.v1"
TITRE = "guichet.paiement.titre-executoire.v1"


async def requested_for_payment(dossier: Dossier) -> date:
    """A 12-month contract accepted (6 000 EUR), the payment request filed at month 12."""
    debut = await accepted(dossier, mois=12)
    await sleep_until(dossier.env, add_months(debut, 12) + timedelta(days=1))
    assert (await dossier.state()).statut is Statut.ATTENTE_DEMANDE_PAIEMENT
    await demande_paiement(dossier, add_months(debut, 12) + timedelta(days=1))
    return debut


async def paid(dossier: Dossier) -> date:
    """The request validated and the 6 000 EUR order executed; returns the contract's start."""
    debut = await requested_for_payment(dossier)
    await dossier.decide(TypeDecision.VALIDER_PAIEMENT)
    (ordre,) = dossier.published(ORDRE)
    await dossier.asp(
        "paiement-execute",
        ordre_id=ordre["ordre_id"],
        date_execution=(await today(dossier.env)).isoformat(),
    )
    state = await dossier.state()
    assert (state.statut, state.montant_verse) == (Statut.PAYE, Decimal("6000.00"))
    return debut


async def test_the_payment_request_is_instructed_and_the_order_leaves_only_once_validated(
    dossier: Dossier,
) -> None:
    await requested_for_payment(dossier)

    state = await dossier.state()
    assert state.statut is Statut.INSTRUCTION_PAIEMENT
    assert objets(dossier)[-1] == "DEMANDE_PAIEMENT_A_INSTRUIRE"
    assert dossier.published(ORDRE) == []
    assert dossier.captured.last_projection(dossier.numero).montant_accorde == Decimal("6000.00")

    limite = (await today(dossier.env)) + timedelta(days=30)
    statut = await dossier.decide(
        TypeDecision.DEMANDER_PIECES, motif="attestation de l'OPCO", date_limite_reponse=limite
    )
    assert statut is Statut.ATTENTE_PIECES_PAIEMENT
    assert objets(dossier)[-1] == "DEMANDE_PIECES"
    with pytest.raises(WorkflowUpdateFailedError):
        await dossier.decide(TypeDecision.VALIDER_PAIEMENT)

    await dossier.portail(
        "document-ajoute",
        document={"type": "autre", "reference": "PORTAIL-ATTESTATION-1"},
    )
    assert (await dossier.state()).statut is Statut.INSTRUCTION_PAIEMENT
    assert dossier.published(ORDRE) == []

    assert await dossier.decide(TypeDecision.VALIDER_PAIEMENT) is Statut.PAIEMENT_EMIS
    assert [(o["montant"], o["rib_reference"]) for o in dossier.published(ORDRE)] == [
        ("6000.00", "RIB-1")
    ]


async def test_documents_not_received_by_their_deadline_return_the_request_to_the_instructor(
    dossier: Dossier,
) -> None:
    await requested_for_payment(dossier)
    limite = (await today(dossier.env)) + timedelta(days=40)
    await dossier.decide(
        TypeDecision.DEMANDER_PIECES, motif="relevé d'heures", date_limite_reponse=limite
    )

    await sleep_until(dossier.env, limite + timedelta(days=1))

    state = await dossier.state()
    assert state.statut is Statut.INSTRUCTION_PAIEMENT
    assert objets(dossier)[-4:] == [
        "DEMANDE_PIECES",
        "RAPPEL_PIECES",
        "RAPPEL_PIECES",
        "PIECES_NON_RECUES",
    ]
    assert dossier.published(ORDRE) == []


async def test_a_reduction_pays_the_amount_decided_and_a_total_one_pays_nothing(
    dossier: Dossier,
) -> None:
    await requested_for_payment(dossier)
    for refusee in (
        {"montant": Decimal("6000.00"), "motif": "pièces incomplètes"},
        {"montant": Decimal("4000.00")},
    ):
        with pytest.raises(WorkflowUpdateFailedError):
            await dossier.decide(TypeDecision.REDUIRE, **refusee)

    statut = await dossier.decide(
        TypeDecision.REDUIRE, montant=Decimal("4000.00"), motif="4 mois non justifiés"
    )

    assert statut is Statut.PAIEMENT_EMIS
    assert [o["montant"] for o in dossier.published(ORDRE)] == ["4000.00"]
    assert objets(dossier)[-1] == "PAIEMENT_REDUIT"


async def test_a_reduction_to_nothing_leaves_the_aid_not_due_without_an_order(
    dossier: Dossier,
) -> None:
    await requested_for_payment(dossier)

    statut = await dossier.decide(
        TypeDecision.REDUIRE, montant=Decimal("0"), motif="aucune pièce recevable"
    )

    assert statut is Statut.NON_DUE
    assert dossier.published(ORDRE) == []
    assert objets(dossier)[-1] == "AIDE_NON_DUE"


async def test_a_late_break_after_payment_proposes_the_excess_recovered_in_part_then_archived(
    dossier: Dossier,
) -> None:
    debut = await paid(dossier)
    fin = add_months(debut, 7) - timedelta(days=1)  # 7 months worked: 3 500 EUR due

    await dossier.opco("rompu", date_fin_effective=fin.isoformat())

    state = await dossier.state()
    assert (state.statut, state.trop_percu) == (Statut.EXAMEN_TROP_PERCU, Decimal("2500.00"))
    assert objets(dossier)[-1] == "TROP_PERCU"
    assert dossier.published(TITRE) == []
    with pytest.raises(WorkflowUpdateFailedError):  # more than was paid and not yet claimed
        await dossier.decide(TypeDecision.RECOUVRER, montant=Decimal("6000.01"), motif="x")

    statut = await dossier.decide(TypeDecision.RECOUVRER, motif="rupture au 7e mois")

    assert statut is Statut.RECOUVREMENT
    (titre,) = dossier.published(TITRE)
    assert titre["montant"] == "2500.00"
    assert dossier.captured.last_projection(dossier.numero).montant_a_recuperer == Decimal(
        "2500.00"
    )
    await dossier.asp("titre-recouvre", ordre_id=titre["ordre_id"], montant="1000.00")
    assert (await dossier.state()).statut is Statut.RECOUVREMENT
    await dossier.asp("titre-recouvre", ordre_id=titre["ordre_id"], montant="1500.00")
    state = await dossier.state()
    assert (state.statut, state.montant_recouvre) == (Statut.PAYE, Decimal("2500.00"))
    assert dossier.captured.last_projection(dossier.numero).montant_a_recuperer == 0

    assert state.date_fin_conservation is not None
    await sleep_until(dossier.env, state.date_fin_conservation + timedelta(days=1))
    assert (await dossier.state()).statut is Statut.ARCHIVE


async def test_an_excess_waived_is_not_proposed_again_and_a_titre_can_be_written_off(
    dossier: Dossier,
) -> None:
    debut = await paid(dossier)
    fin = add_months(debut, 11) - timedelta(days=1)  # 11 months worked: 5 500 EUR due
    await dossier.opco("rompu", date_fin_effective=fin.isoformat())
    assert (await dossier.state()).trop_percu == Decimal("500.00")

    assert (
        await dossier.decide(TypeDecision.RENONCER_RECOUVREMENT, motif="montant non significatif")
        is Statut.PAYE
    )
    # An amendment to full time again: evaluated anew, the same excess, already waived.
    await dossier.opco(
        "avenant", date_effet=add_months(debut, 2).isoformat(), duree_hebdomadaire_heures="35"
    )
    state = await dossier.state()
    assert (state.statut, state.trop_percu, objets(dossier).count("TROP_PERCU")) == (
        Statut.PAYE,
        Decimal("0.00"),
        1,
    )

    # A control finds 2 months not worked: recovery with an amount, not only fraud.
    statut = await dossier.decide(
        TypeDecision.RECOUVRER, montant=Decimal("1000.00"), motif="contrôle : 2 mois non effectués"
    )
    assert statut is Statut.RECOUVREMENT
    titre = dossier.published(TITRE)[-1]
    await dossier.asp("titre-recouvre", ordre_id=titre["ordre_id"], montant="300.00")

    statut = await dossier.decide(
        TypeDecision.RENONCER_RECOUVREMENT, motif="admission en non-valeur du reste"
    )

    state = await dossier.state()
    assert statut is Statut.PAYE
    assert (state.montant_a_recuperer, state.montant_recouvre, state.montant_abandonne) == (
        Decimal("300.00"),
        Decimal("300.00"),
        Decimal("1200.00"),
    )
    assert [o.statut for o in state.ordres if o.nature == "titre_executoire"] == ["abandonne"]
