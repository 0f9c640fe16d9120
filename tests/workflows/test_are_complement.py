"""ARE complementary requests on the time-skipping server (seeds 000/001, « Dotation
complémentaire »): the conditions checked against the voted campaign, the pricing, the
commission. A module of its own: its voted 2023-2024 campaign would otherwise be the one
`test_are.py` opens for its spending-report test (one server, one workflow id per year)."""

import uuid
from datetime import timedelta
from typing import Any

import pytest
from temporalio.client import WorkflowUpdateFailedError
from temporalio.service import RPCError

from models.are import (
    DecisionCampagne,
    DecisionComplement,
    EtatCampagne,
    Montants,
    StatutCampagne,
    StatutComplement,
    TypeDecisionCampagne,
    TypeDecisionComplement,
)
from tests.attente import attendre
from tests.workflows.test_are import (
    ATTENTE_S,
    DONNEES,
    Banc,
    D,
    banc,
    etat_bilan,
    etat_campagne,
    etat_complement,
    sleep_until,
    statut_campagne,
    today,
)

__all__ = ["banc"]


async def campagne_votee(banc: Banc, annee: str = "2023-2024") -> EtatCampagne:
    """The year's campaign opened with the sample files and voted (once per module): a
    complementary request needs it (seeds 000/001, « Dotation complémentaire »). Its reports
    are asked in a year, after every test."""
    try:
        etat = await etat_campagne(banc, annee)
    except RPCError:
        bilans = await today(banc.env) + timedelta(days=400)
        await banc.envoyer(
            "etablissements.are.campagne-ouverte.v1",
            annee,
            {
                "annee_scolaire": annee,
                "fichier_effectifs": str(DONNEES / "effectifs-2023-2024.csv"),
                "fichier_etablissements": str(DONNEES / "etablissements-2023-2024.csv"),
                "date_demande_bilans": bilans.isoformat(),
            },
        )
        etat = await statut_campagne(banc, annee, StatutCampagne.TABLE_PRODUITE)
    if etat.statut is StatutCampagne.TABLE_PRODUITE:
        assert etat.table is not None
        vote = DecisionCampagne(
            type=TypeDecisionCampagne.VOTER,
            auteur="instructeur.test",
            date_vote=await today(banc.env),
            deliberation="CP 2023-100",
            version_table=etat.table.version,
        )
        await banc.handle(f"are-campagne:{annee}").execute_update(
            "decider", vote, result_type=StatutCampagne
        )
        etat = await statut_campagne(banc, annee, StatutCampagne.PAYEE)
    return etat


async def test_a_complementary_request_waits_for_the_session_and_a_lower_grant_needs_a_reason(
    banc: Banc,
) -> None:
    await campagne_votee(banc)
    cle = f"DC-{uuid.uuid4().hex[:6]}"
    await banc.envoyer(
        "etablissements.are.demande-complementaire.v1",
        cle,
        {
            "uai": "0750001A",
            "annee_scolaire": "2023-2024",
            "date_demande": (await today(banc.env)).isoformat(),
            "canal": "courrier",
            "motif": "ouverture d'une seconde classe de CAP",
            "lignes": [
                {
                    "code_diplome": "50022139",
                    "libelle_formation": "CUISINE (CAP)",
                    "enveloppe": "pre_bac",
                    "effectif_supplementaire": 12,
                    "effectif_rentree": 34,  # n-1: 24 - 2 apprentices = 22
                },
                {
                    "code_diplome": "32031404",
                    "libelle_formation": "COMPTABILITE ET GESTION (BTS)",
                    "enveloppe": "post_bac",
                    "effectif_supplementaire": 6,
                    "effectif_rentree": 6,  # not in the school's n-1 lines: 0
                },
                {
                    "code_diplome": "32033422",
                    "libelle_formation": "MANAGEMENT EN HOTELLERIE-RESTAURATION BTS",
                    "enveloppe": "post_bac",
                    "effectif_supplementaire": 2,
                    "effectif_rentree": 8,  # n-1: (20 - 4) x 0.40 = 6.4 -> 6 holders
                },
            ],
        },
    )

    etat = await attendre(
        lambda: etat_complement(banc, cle),
        ATTENTE_S,
        "la demande en instruction",
        jusqu_a=lambda e: e.statut is StatutComplement.INSTRUCTION,
    )
    assert etat.evaluation is not None
    assert [(lig.eligible, lig.motif) for lig in etat.evaluation.lignes] == [
        (True, None),
        (False, "SPECIALITE_NON_ELIGIBLE"),
        (True, None),
    ]
    assert etat.evaluation.montants_demandes == Montants(pre_bac=D("1812"), post_bac=D("302"))

    handle = banc.handle(f"are-complement:{cle}")

    async def decider(type_: TypeDecisionComplement, **champs: Any) -> StatutComplement:
        decision = DecisionComplement(type=type_, auteur="instructeur.test", **champs)
        statut: StatutComplement = await handle.execute_update(
            "decider", decision, result_type=StatutComplement
        )
        return statut

    assert await decider(TypeDecisionComplement.INSCRIRE) is StatutComplement.ATTENTE_COMMISSION
    session = (await etat_complement(banc, cle)).session
    assert session is not None
    assert session.date_session == await today(banc.env) + timedelta(days=21)
    accordes = Montants(pre_bac=D("1208"), post_bac=D("302"))  # 8 pupils of the 12
    with pytest.raises(WorkflowUpdateFailedError) as trop_tot:
        await decider(TypeDecisionComplement.STATUER, montants_accordes=accordes, deliberation="CP")
    assert "n'est pas devant la commission" in str(trop_tot.value.cause)

    await sleep_until(banc.env, session.date_session - timedelta(days=1))
    assert (await etat_complement(banc, cle)).statut is StatutComplement.ATTENTE_COMMISSION
    await sleep_until(banc.env, session.date_session, hour=10)
    assert (await etat_complement(banc, cle)).statut is StatutComplement.EN_COMMISSION
    assert ("instructeur", "DEMANDE_A_STATUER") in banc.notifications(cle)

    with pytest.raises(WorkflowUpdateFailedError) as sans_motif:
        await decider(
            TypeDecisionComplement.STATUER, montants_accordes=accordes, deliberation="CP 2024-12"
        )
    assert "le motif est obligatoire" in str(sans_motif.value.cause)
    statut = await decider(
        TypeDecisionComplement.STATUER,
        montants_accordes=accordes,
        deliberation="CP 2024-12",
        motif="8 élèves supplémentaires constatés à la rentrée",
    )

    assert statut is StatutComplement.PAIEMENT_EMIS
    ordres = banc.sortants(cle, "guichet.paiement.ordre.v1")
    assert [(o["ordre_id"], o["montant"], o["beneficiaire"]) for o in ordres] == [
        (f"are-complement:{cle}/paiement/pre_bac", "1208.00", "0750001A"),
        (f"are-complement:{cle}/paiement/post_bac", "302.00", "0750001A"),
    ]
    assert ("etablissement", "DOTATION_COMPLEMENTAIRE_ACCORDEE") in banc.notifications(cle)

    bilan = await attendre(
        lambda: etat_bilan(banc, "0750001A:2023-2024"),
        ATTENTE_S,
        "le bilan informé du complément",
        jusqu_a=lambda e: e.complements,
        ignorer=(RPCError,),  # the report's workflow is not started yet
    )
    (complement,) = bilan.complements
    assert (complement.demande, complement.montants) == (f"are-complement:{cle}", accordes)


async def test_a_request_without_any_eligible_line_cannot_be_queued_for_the_commission(
    banc: Banc,
) -> None:
    await campagne_votee(banc)
    cle = f"DC-{uuid.uuid4().hex[:6]}"
    await banc.envoyer(
        "etablissements.are.demande-complementaire.v1",
        cle,
        {
            "uai": "0930002B",
            "annee_scolaire": "2023-2024",
            "date_demande": (await today(banc.env)).isoformat(),
            "canal": "courriel",
            "motif": "hausse des effectifs",
            "lignes": [
                {
                    "code_diplome": "50023006",
                    "libelle_formation": "INTERVENTION EN MAINTENANCE TECHNIQUE DES BATIMENTS",
                    "enveloppe": "post_bac",
                    "effectif_supplementaire": 4,
                    "effectif_rentree": 10,  # n-1: 18 x 0.25 = 4.5 -> 5 holders
                }
            ],
        },
    )

    await attendre(
        lambda: etat_complement(banc, cle),
        ATTENTE_S,
        "la demande en instruction",
        jusqu_a=lambda e: e.statut is StatutComplement.INSTRUCTION,
    )
    handle = banc.handle(f"are-complement:{cle}")
    inscrire = DecisionComplement(type=TypeDecisionComplement.INSCRIRE, auteur="instructeur.test")
    with pytest.raises(WorkflowUpdateFailedError) as refuse:
        await handle.execute_update("decider", inscrire, result_type=StatutComplement)
    assert "aucune ligne éligible (50023006 ENVELOPPE_INCOHERENTE)" in str(refuse.value.cause)
    rejet = DecisionComplement(
        type=TypeDecisionComplement.REJETER, auteur="instructeur.test", motif="CAP en pré-bac"
    )
    assert (
        await handle.execute_update("decider", rejet, result_type=StatutComplement)
        is StatutComplement.REJETEE
    )
    assert banc.notifications(cle)[-1] == ("etablissement", "DEMANDE_COMPLEMENTAIRE_REJETEE")


async def test_a_request_without_an_increase_goes_to_an_instructor_unpriced_with_its_reason(
    banc: Banc,
) -> None:
    """Seeds 000/001, « Dotation complémentaire »: only « en cas d'insuffisance de crédits liée
    à une augmentation des effectifs ». 0750001A's CUISINE (CAP) counted 22 pupils n-1 (24 - 2
    apprentices) in the voted campaign: 22 at this start is no increase."""
    await campagne_votee(banc)
    cle = f"DC-{uuid.uuid4().hex[:6]}"
    demande = {
        "uai": "0750001A",
        "annee_scolaire": "2023-2024",
        "date_demande": (await today(banc.env)).isoformat(),
        "canal": "courriel",
        "motif": "manque de crédits",
        "lignes": [
            {
                "code_diplome": "50022139",
                "libelle_formation": "CUISINE (CAP)",
                "enveloppe": "pre_bac",
                "effectif_supplementaire": 4,
                "effectif_rentree": 22,
            }
        ],
    }
    await banc.envoyer("etablissements.are.demande-complementaire.v1", cle, demande)
    etat = await attendre(
        lambda: etat_complement(banc, cle),
        ATTENTE_S,
        "la demande aux conditions non remplies",
        jusqu_a=lambda e: e.statut is StatutComplement.CONDITIONS_NON_REMPLIES,
    )
    assert etat.evaluation is None  # not priced
    assert etat.conditions is not None
    assert (etat.conditions.statut_campagne, etat.conditions.deliberation) == (
        "payee",
        "CP 2023-100",
    )
    (ligne,) = etat.conditions.lignes
    assert (ligne.effectif_n1, ligne.effectif_rentree, ligne.motif) == (
        22,
        22,
        "AUGMENTATION_NULLE",
    )
    assert "effectif_rentree « 22 » ne dépasse pas les 22 élèves n-1" in etat.conditions.motifs[0]
    assert banc.notifications(cle) == [("instructeur", "DEMANDE_CONDITIONS_NON_REMPLIES")]

    handle = banc.handle(f"are-complement:{cle}")
    inscrire = DecisionComplement(type=TypeDecisionComplement.INSCRIRE, auteur="instructeur.test")
    with pytest.raises(WorkflowUpdateFailedError) as refuse:
        await handle.execute_update("decider", inscrire, result_type=StatutComplement)
    assert "inscrire : conditions non remplies (AUGMENTATION_NULLE" in str(refuse.value.cause)
    reexaminer = DecisionComplement(
        type=TypeDecisionComplement.REEXAMINER, auteur="instructeur.test"
    )
    assert (
        await handle.execute_update("decider", reexaminer, result_type=StatutComplement)
        is StatutComplement.CONDITIONS_NON_REMPLIES
    )

    # the school files a new version with its real start count: checked again, then priced
    demande["lignes"][0]["effectif_rentree"] = 26  # type: ignore[index]
    await banc.envoyer("etablissements.are.demande-complementaire.v1", cle, demande)
    etat = await attendre(
        lambda: etat_complement(banc, cle),
        ATTENTE_S,
        "la demande en instruction",
        jusqu_a=lambda e: e.statut is StatutComplement.INSTRUCTION,
    )
    assert etat.conditions is not None
    assert etat.conditions.motifs == []
    assert etat.evaluation is not None
    assert etat.evaluation.montants_demandes == Montants(pre_bac=D("604"), post_bac=D("0"))
    with pytest.raises(WorkflowUpdateFailedError) as refuse:
        await handle.execute_update("decider", reexaminer, result_type=StatutComplement)
    assert "les conditions ne sont pas en défaut" in str(refuse.value.cause)
