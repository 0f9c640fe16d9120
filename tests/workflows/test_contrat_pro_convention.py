"""Contrat-pro, issue 17 item 2 (seed 003 section 3; docs/contrat_pro.md, « Convention et état
récapitulatif »): the aids under the year's convention of a SIREN are paid on presentation of the
état récapitulatif annexed to it. The portal's statement goes to the convention (the SIREN's
ledger for the year), which checks each line against its aids and passes the valid ones to their
dossiers as their payment request (one order per dossier); a payment request alone does not pay
an aid under convention. On the time-skipping server, the rules for real, recording fakes for
Kafka and the database."""

from datetime import timedelta
from typing import Any

from temporalio.testing import WorkflowEnvironment

from models.contrat_pro import EtatCumul, Statut, TypeDecision
from models.evenements import CloudEvent
from rules.contrat_pro import add_months
from tests.factories import evenement
from tests.workflows.test_contrat_pro import running, sleep_until, today
from tests.workflows.test_contrat_pro_cumul import _dossiers, _en_instruction, _siren

__all__ = ["running"]  # the module's worker fixture, shared with test_contrat_pro

ETAT = "portail.contrat-pro.etat-recapitulatif-depose.v1"


def _etat_recapitulatif(
    convention: str, numero_etat: str, lignes: list[tuple[str, str]], **data: Any
) -> CloudEvent:
    return evenement(
        ETAT,
        convention,
        {
            "numero_etat": numero_etat,
            "date_depot": data.get("date_depot", "2030-01-01"),
            "rib_reference": "RIB-CONVENTION",
            "lignes": [{"numero_contrat": n, "montant": m} for n, m in lignes],
        },
    )


async def test_the_statement_pays_the_convention_aids_it_lists_and_refuses_the_others(
    time_skipping_env: WorkflowEnvironment, running: tuple[str, object]
) -> None:
    siren = _siren()
    dossiers = _dossiers(time_skipping_env, running, 4)
    for n, dossier in enumerate(dossiers):
        await _en_instruction(dossier, f"{siren}{n:05d}")
        await dossier.decide(TypeDecision.ACCEPTER)
    arrete, sous_convention = dossiers[0], dossiers[3]
    assert (await sous_convention.state()).statut is Statut.ATTENTE_SIGNATURE
    debut = await today(time_skipping_env)
    await sous_convention.portail("convention-signee", date_signature=debut.isoformat())
    convention = f"{siren}:{debut.year}"

    await sleep_until(time_skipping_env, add_months(debut, 12) + timedelta(days=2))
    depot = await today(time_skipping_env)
    await sous_convention.portail(
        "demande-paiement-deposee", date_demande_paiement=depot.isoformat(), rib_reference="R"
    )
    state = await sous_convention.state()
    assert state.statut is Statut.ATTENTE_DEMANDE_PAIEMENT
    assert "sur présentation de l'état récapitulatif" in state.anomalies[-1].motif

    await sous_convention.send(
        _etat_recapitulatif(
            convention,
            "ER-1",
            [
                (sous_convention.numero, "6000.00"),
                (arrete.numero, "6000.00"),
                ("INCONNU-1", "100.00"),
            ],
            date_depot=depot.isoformat(),
        )
    )

    state = await sous_convention.state()
    assert state.statut is Statut.INSTRUCTION_PAIEMENT
    assert state.demande_paiement is not None
    assert state.demande_paiement.etat_recapitulatif == f"{convention}/ER-1"
    assert (await arrete.state()).statut is Statut.ATTENTE_DEMANDE_PAIEMENT
    ledger = time_skipping_env.client.get_workflow_handle(f"contrat-pro-cumul:{convention}")
    etat = await ledger.query("etat", result_type=EtatCumul)
    assert etat.conventions == [sous_convention.handle.id]
    (traite,) = etat.etats_recapitulatifs
    assert [(ligne.numero_contrat, ligne.transmise) for ligne in traite.lignes] == [
        (sous_convention.numero, True),
        (arrete.numero, False),
        ("INCONNU-1", False),
    ]
    assert "n'est pas une aide de la convention" in (traite.lignes[1].motif or "")
    (avis,) = [
        e.data
        for e in sous_convention.captured.about(convention)
        if e.type == "guichet.notification.v1"
    ]
    assert avis["objet"] == "ETAT_RECAPITULATIF_LIGNES_REFUSEES"
    assert "2 ligne(s) sur 3" in avis["message"]

    assert await sous_convention.decide(TypeDecision.VALIDER_PAIEMENT) is Statut.PAIEMENT_EMIS
    (ordre,) = sous_convention.published("guichet.paiement.ordre.v1")
    assert (ordre["montant"], ordre["rib_reference"]) == ("6000.00", "RIB-CONVENTION")
    assert f"état récapitulatif {convention}/ER-1" in ordre["objet"]

    # The same aid presented again in a second statement: refused, the dossier untouched.
    await sous_convention.send(
        _etat_recapitulatif(convention, "ER-2", [(sous_convention.numero, "6000.00")])
    )
    etat = await ledger.query("etat", result_type=EtatCumul)
    assert etat.etats_recapitulatifs[-1].lignes[0].motif == (
        f"le contrat {sous_convention.numero} a déjà été présenté"
    )
    assert len(sous_convention.published("guichet.paiement.ordre.v1")) == 1
