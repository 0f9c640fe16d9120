"""No CAE-DOM dossier waits without a deadline (issue 18): every status, with its quarters in
every status, has a timer (`workflows.cae_dom.echeances`) or an instructor decision the state
allows (`workflows.cae_dom.refus.refus_decision`, the validator's and the console's rule);
terminal statuses have neither. Pure: states built from the catalogue's convention."""

from datetime import date
from decimal import Decimal

import pytest

from activities.regles_cae_dom import evaluer_convention_cae_dom
from events.catalogue_cae_dom import CONVENTION_EXEMPLE
from models.cae_dom import (
    STATUTS_TERMINAUX,
    ConventionCaeDom,
    DecisionCaeDom,
    EtatCaeDom,
    Statut,
    StatutTrimestre,
    TypeDecisionCaeDom,
)
from workflows.cae_dom import echeances, montants, refus


async def _etat(statut: Statut, trimestres: StatutTrimestre) -> EtatCaeDom:
    convention = ConventionCaeDom.model_validate(CONVENTION_EXEMPLE)
    evaluation = await evaluer_convention_cae_dom(convention)
    return EtatCaeDom(
        cle="971-24-00123",
        statut=statut,
        convention=convention,
        evaluation=evaluation,
        periodes=[evaluation.periode],
        date_fin=convention.prise_en_charge.date_fin,
        motif_suspension="contrôle" if statut is Statut.SUSPENDU else None,
        trimestres=[
            montants.nouveau_trimestre(e).model_copy(
                update={"statut": trimestres, "montant_du": Decimal("1.00")}
            )
            for e in evaluation.echeancier
        ],
    )


def _sondes(etat: EtatCaeDom) -> list[DecisionCaeDom]:
    """One decision of each type, filled as the `decisions_possibles` query fills it."""
    attendus = refus.en_instruction(etat)
    return [
        DecisionCaeDom(
            type=t,
            auteur="test",
            motif="motif",
            trimestre=attendus[0] if attendus else None,
            date_fin_effective=etat.date_fin - refus.UN_JOUR if etat.date_fin else None,
        )
        for t in TypeDecisionCaeDom
    ]


def _possibles(etat: EtatCaeDom) -> set[str]:
    return {d.type.value for d in _sondes(etat) if refus.refus_decision(etat, d) is None}


@pytest.mark.parametrize("statut", list(Statut))
@pytest.mark.parametrize("trimestres", list(StatutTrimestre))
async def test_every_non_terminal_status_has_a_timer_or_a_decision(
    statut: Statut, trimestres: StatutTrimestre
) -> None:
    etat = await _etat(statut, trimestres)

    minuteurs = echeances.echeances(etat, delai=True) if statut is not Statut.NOUVEAU else []
    possibles = _possibles(etat)

    if statut in STATUTS_TERMINAUX:
        assert (minuteurs, possibles) == ([], set())
    else:
        assert minuteurs or possibles, f"{statut} / {trimestres}: ni minuteur ni décision"


@pytest.mark.parametrize(
    ("statut", "attendues"),
    [
        (Statut.NOUVEAU, {"clore"}),
        (Statut.EN_COURS, {"suspendre_paiements", "mettre_fin"}),
        (Statut.SUSPENDU, {"reprendre_paiements", "mettre_fin"}),
        (Statut.ROMPU, {"clore"}),
        (Statut.RECOUVREMENT, {"clore"}),
    ],
)
async def test_the_decisions_each_status_always_allows(statut: Statut, attendues: set[str]) -> None:
    assert _possibles(await _etat(statut, StatutTrimestre.PAYE)) == attendues


async def test_a_quarter_past_its_deadline_can_be_paid_on_declared_hours() -> None:
    etat = await _etat(Statut.EN_COURS, StatutTrimestre.A_VENIR)
    etat.trimestres[1].statut = StatutTrimestre.EN_INSTRUCTION

    assert "payer_heures_declarees" in _possibles(etat)
    assert refus.refus_decision(
        etat,
        DecisionCaeDom(type=TypeDecisionCaeDom.PAYER_HEURES_DECLAREES, auteur="a"),
    ) == (
        "payer sur les heures déclarées : trimestre (non renseigné) : l'un de "
        f"{etat.trimestres[1].trimestre}"
    )


async def test_a_statement_awaited_has_its_deadline_timer_only_with_the_patch() -> None:
    etat = await _etat(Statut.EN_COURS, StatutTrimestre.ATTENTE_ETAT)

    avec = {e.code for e in echeances.echeances(etat, delai=True)}
    sans = {e.code for e in echeances.echeances(etat, delai=False)}

    assert echeances.DELAI in avec
    assert echeances.DELAI not in sans
    delai = next(
        e
        for e in echeances.echeances(etat, delai=True)
        if e.sujet == "2024-T2" and e.code == echeances.DELAI
    )
    assert delai.jour == date(2024, 7, 31)
    assert delai.quand.isoformat() == "2024-08-01T00:00:00-04:00"  # Guadeloupe, local midnight
