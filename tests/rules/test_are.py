from decimal import Decimal

import pytest

from rules import are
from rules.are import (
    CodeAnomalieBilan,
    Depense,
    Enveloppe,
    LigneEffectif,
    MotifCpge,
    MotifDotation,
    MotifLigne,
)

D = Decimal
SANS_RELIQUAT = {Enveloppe.PRE_BAC: D(0), Enveloppe.POST_BAC: D(0)}


def dotation(
    annee: str = "2023-2024",
    *,
    effectifs: list[LigneEffectif],
    taux: str = "0",
    reliquats: dict[Enveloppe, Decimal] | None = None,
    a_repondu_enquete: bool = True,
) -> are.Dotation:
    return are.calculer_dotation(
        annee,
        a_repondu_enquete=a_repondu_enquete,
        effectifs=effectifs,
        taux_boursiers_post_bac=D(taux),
        reliquats=SANS_RELIQUAT if reliquats is None else reliquats,
    )


# --- specialty and level --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "specialite"),
    [("40025510", 255), ("67010031", 100), ("43013403", 134), ("32233109", 331)],
)
def test_specialty_is_digits_four_to_six_of_the_diploma_code(code: str, specialite: int) -> None:
    assert are.specialite(code) == specialite


@pytest.mark.parametrize(
    ("code", "niveau"),
    [
        ("14022001", Enveloppe.POST_BAC),
        ("24113401", Enveloppe.POST_BAC),
        ("32025520", Enveloppe.POST_BAC),
        ("40025510", Enveloppe.PRE_BAC),
        ("50025524", Enveloppe.PRE_BAC),
        ("67010031", Enveloppe.PRE_BAC),
        ("02025510", None),
        ("72025510", None),
    ],
)
def test_level_comes_from_the_first_digit_of_the_code(code: str, niveau: Enveloppe | None) -> None:
    assert are.niveau(code) == niveau


@pytest.mark.parametrize("code", ["4002551", "400255100", "4002551A", ""])
def test_a_diploma_code_that_is_not_eight_digits_is_refused(code: str) -> None:
    with pytest.raises(ValueError, match="8 chiffres"):
        are.specialite(code)


@pytest.mark.parametrize(
    ("specialite", "eligible"),
    [(199, False), (200, True), (229, True), (259, True), (260, False)],
)
@pytest.mark.parametrize("annee", ["2021-2022", "2023-2024"])
def test_production_specialties_200_to_259_are_eligible_and_199_260_are_not(
    specialite: int, eligible: bool, annee: str
) -> None:
    assert are.specialite_eligible(f"400{specialite}99", annee) is eligible


@pytest.mark.parametrize("specialite", [134, 311, 312, 321, 322, 323, 330, 331, 334, 336, 343])
@pytest.mark.parametrize("annee", ["2021-2022", "2023-2024"])
def test_listed_service_and_art_specialties_are_eligible_both_years(
    specialite: int, annee: str
) -> None:
    assert are.specialite_eligible(f"400{specialite}99", annee)


@pytest.mark.parametrize("specialite", [133, 135, 310, 313, 320, 324, 332, 333, 335, 342, 345])
def test_neighbouring_service_specialties_are_not_eligible(specialite: int) -> None:
    assert not are.specialite_eligible(f"400{specialite}99", "2023-2024")


def test_specialty_344_is_not_eligible_in_2021_2022() -> None:
    assert not are.specialite_eligible("40034403", "2021-2022")


def test_specialty_344_is_eligible_from_2023_2024() -> None:
    assert are.specialite_eligible("40034403", "2023-2024")


@pytest.mark.parametrize("annee", ["2021-2022", "2023-2024"])
def test_specialty_100_is_eligible_only_for_3e_prepa_metiers(annee: str) -> None:
    assert are.specialite_eligible("67010031", annee)
    assert not are.specialite_eligible("67010032", annee)
    assert not are.specialite_eligible("40010001", annee)
    q = are.qualifier_formation("40010001", annee)
    assert q.motif is MotifLigne.SPECIALITE_100_HORS_PREPA_METIERS


def test_a_listed_code_is_eligible_and_not_flagged() -> None:
    q = are.qualifier_formation("40025510", "2021-2022")
    assert q.eligible
    assert not q.hors_liste
    assert q.formation is not None
    assert (
        q.formation.libelle
        == "METIERS DE L'ELECTRICITE ET DE SES ENVIRONNEMENTS CONNECTES (BAC PRO)"
    )


def test_a_code_absent_from_the_annex_is_decided_by_its_specialty_and_flagged_hors_liste() -> None:
    # 40025510 is in the 2021-2022 annex, not in the 2023-2024 one; specialty 255 is eligible.
    q = are.qualifier_formation("40025510", "2023-2024")
    assert q.eligible
    assert q.hors_liste
    assert q.niveau is Enveloppe.PRE_BAC


def test_an_unlisted_code_of_an_ineligible_specialty_is_flagged_and_refused() -> None:
    q = are.qualifier_formation("40031399", "2023-2024")
    assert not q.eligible
    assert q.hors_liste
    assert q.motif is MotifLigne.SPECIALITE_NON_ELIGIBLE


def test_a_code_listed_in_the_2021_2022_annex_with_specialty_344_is_still_ineligible() -> None:
    # Interpretation: the specialty decides, the annex is indicative.
    q = are.qualifier_formation("50034405", "2021-2022")
    assert q.formation is not None
    assert not q.hors_liste
    assert not q.eligible
    assert q.motif is MotifLigne.SPECIALITE_NON_ELIGIBLE


def test_a_code_of_an_eligible_specialty_with_level_digit_outside_1_to_6_is_ineligible() -> None:
    q = are.qualifier_formation("72025510", "2023-2024")
    assert not q.eligible
    assert q.motif is MotifLigne.NIVEAU_HORS_CHAMP


# --- rule versions, school years, UAI --------------------------------------------------------


def test_each_supported_school_year_has_its_rule_version() -> None:
    assert are.version_regle("2021-2022") == are.VERSION_REGLE_2021_2022
    assert are.version_regle("2023-2024") == are.VERSION_REGLE_2023_2024
    assert are.VERSION_REGLE_2021_2022 != are.VERSION_REGLE_2023_2024


@pytest.mark.parametrize("annee", ["2022-2023", "2024-2025", "2023", "2023-2025"])
def test_an_unsupported_school_year_is_refused_with_the_known_years(annee: str) -> None:
    with pytest.raises(ValueError, match="2021-2022, 2023-2024"):
        are.version_regle(annee)


@pytest.mark.parametrize(
    ("uai", "valide"),
    [
        ("0750001A", True),
        ("0931234Z", True),
        ("075001A", False),
        ("07500012", False),
        ("0750001a", False),
        ("0750001AB", False),
    ],
)
def test_uai_format_is_seven_digits_and_a_letter(uai: str, valide: bool) -> None:
    assert are.uai_valide(uai) is valide


# --- counts -----------------------------------------------------------------------------------


def test_apprentices_and_contrat_pro_pupils_are_not_counted() -> None:
    assert are.effectif_retenu(30, 4) == 26


def test_more_apprentices_than_pupils_is_refused() -> None:
    with pytest.raises(ValueError, match="apprentis"):
        are.effectif_retenu(3, 4)


def test_apprentices_are_not_counted_in_2021_2022_either() -> None:
    d = dotation(
        "2021-2022", effectifs=[LigneEffectif(code_diplome="40025510", effectif=30, apprentis=4)]
    )
    assert d.lignes[0].effectif_retenu == 26
    assert d.enveloppes[Enveloppe.PRE_BAC].brut == D("3588.00")  # 26 x 138


@pytest.mark.parametrize(
    ("effectif", "taux", "boursiers"),
    [
        (33, "0.5", 17),  # 16.5 -> 17: half up
        (31, "0.5", 16),  # 15.5 -> 16
        (10, "0.25", 3),  # 2.5 -> 3
        (10, "0.249", 2),  # 2.49 -> 2
        (10, "0.251", 3),  # 2.51 -> 3
        (40, "0", 0),
        (40, "1", 40),
    ],
)
def test_scholarship_holders_are_enrolment_times_rate_rounded_half_up(
    effectif: int, taux: str, boursiers: int
) -> None:
    assert are.nombre_boursiers(effectif, D(taux)) == boursiers


@pytest.mark.parametrize("taux", ["-0.01", "1.01", "35"])
def test_a_scholarship_rate_outside_0_and_1_is_refused(taux: str) -> None:
    with pytest.raises(ValueError, match="taux de boursiers"):
        are.nombre_boursiers(10, D(taux))


def test_scholarship_holders_are_computed_on_the_school_total_not_per_formation() -> None:
    # 3 x 0.5 = 1.5 -> 2 per line would give 4; on the total, 6 x 0.5 = 3.
    d = dotation(
        effectifs=[
            LigneEffectif(code_diplome="32025520", effectif=3),
            LigneEffectif(code_diplome="32025519", effectif=3),
        ],
        taux="0.5",
    )
    assert d.boursiers_post_bac == 3
    assert d.enveloppes[Enveloppe.POST_BAC].brut == D("453.00")


# --- allocation ---------------------------------------------------------------------------


def test_allocation_of_a_school_with_every_kind_of_pupil_2023_2024() -> None:
    d = dotation(
        effectifs=[
            LigneEffectif(code_diplome="67010031", effectif=20),
            LigneEffectif(code_diplome="50025524", effectif=30, apprentis=4),
            LigneEffectif(code_diplome="32025520", effectif=33),
            LigneEffectif(code_diplome="40011001", effectif=12),
        ],
        taux="0.5",
        reliquats={Enveloppe.PRE_BAC: D("100.00"), Enveloppe.POST_BAC: D("67.50")},
    )
    assert d.effectif_prepa_metiers == 20
    assert d.effectif_pre_bac_hors_prepa_metiers == 26
    assert d.effectif_post_bac == 33
    assert d.boursiers_post_bac == 17
    pre = d.enveloppes[Enveloppe.PRE_BAC]
    post = d.enveloppes[Enveloppe.POST_BAC]
    assert pre.brut == D("5006.00")  # 20 x 54 + 26 x 151
    assert pre.dotation == D("4906.00")
    assert post.brut == D("2567.00")  # 17 x 151
    assert post.dotation == D("2499.50")
    assert d.total == D("7405.50")
    assert d.version_regle == are.VERSION_REGLE_2023_2024
    # 40011001 (specialty 100, not prépa-métiers) is not in the annex: flagged for review.
    assert d.motifs == (MotifDotation.FORMATIONS_HORS_LISTE,)


def test_allocation_2021_2022_uses_138_and_50() -> None:
    d = dotation(
        "2021-2022",
        effectifs=[
            LigneEffectif(code_diplome="67010031", effectif=10),
            LigneEffectif(code_diplome="40025510", effectif=10),
            LigneEffectif(code_diplome="32025520", effectif=10),
        ],
        taux="1",
    )
    assert d.enveloppes[Enveloppe.PRE_BAC].brut == D("1880.00")  # 10 x 50 + 10 x 138
    assert d.enveloppes[Enveloppe.POST_BAC].brut == D("1380.00")


def test_ineligible_lines_count_for_nothing_and_have_no_envelope() -> None:
    d = dotation(effectifs=[LigneEffectif(code_diplome="40011001", effectif=12)])
    assert d.lignes[0].effectif_retenu == 0
    assert d.lignes[0].enveloppe is None
    assert d.total == D("0.00")


def test_leftovers_larger_than_the_gross_amount_give_zero_not_negative() -> None:
    d = dotation(
        effectifs=[LigneEffectif(code_diplome="50025524", effectif=10)],
        reliquats={Enveloppe.PRE_BAC: D("2000.00"), Enveloppe.POST_BAC: D(0)},
    )
    assert d.enveloppes[Enveloppe.PRE_BAC].brut == D("1510.00")
    assert d.enveloppes[Enveloppe.PRE_BAC].dotation == D("0.00")
    assert d.total == D("0.00")
    assert MotifDotation.RELIQUAT_COUVRE_PRE_BAC in d.motifs


def test_leftovers_equal_to_the_gross_amount_give_zero() -> None:
    d = dotation(
        effectifs=[LigneEffectif(code_diplome="50025524", effectif=10)],
        reliquats={Enveloppe.PRE_BAC: D("1510.00"), Enveloppe.POST_BAC: D(0)},
    )
    assert d.enveloppes[Enveloppe.PRE_BAC].dotation == D("0.00")


def test_one_envelopes_leftovers_are_never_deducted_from_the_other() -> None:
    d = dotation(
        effectifs=[
            LigneEffectif(code_diplome="50025524", effectif=10),
            LigneEffectif(code_diplome="32025520", effectif=10),
        ],
        taux="1",
        reliquats={Enveloppe.PRE_BAC: D("5000.00"), Enveloppe.POST_BAC: D("10.00")},
    )
    assert d.enveloppes[Enveloppe.PRE_BAC].dotation == D("0.00")
    assert d.enveloppes[Enveloppe.POST_BAC].dotation == D("1500.00")
    assert d.total == D("1500.00")
    assert MotifDotation.RELIQUAT_COUVRE_POST_BAC not in d.motifs


def test_prepa_metiers_go_to_the_pre_bac_envelope() -> None:
    d = dotation(effectifs=[LigneEffectif(code_diplome="67010031", effectif=3)])
    assert d.lignes[0].enveloppe is Enveloppe.PRE_BAC
    assert d.enveloppes[Enveloppe.PRE_BAC].brut == D("162.00")
    assert d.enveloppes[Enveloppe.POST_BAC].brut == D("0.00")


def test_a_school_that_did_not_answer_the_survey_gets_nothing() -> None:
    d = dotation(
        effectifs=[
            LigneEffectif(code_diplome="50025524", effectif=10),
            LigneEffectif(code_diplome="32025520", effectif=10),
        ],
        taux="1",
        a_repondu_enquete=False,
    )
    assert d.enveloppes[Enveloppe.PRE_BAC].brut == D("1510.00")
    assert d.enveloppes[Enveloppe.PRE_BAC].dotation == D("0.00")
    assert d.enveloppes[Enveloppe.POST_BAC].dotation == D("0.00")
    assert d.total == D("0.00")
    assert d.motifs == (MotifDotation.ENQUETE_NON_REPONDUE,)


def test_an_unlisted_eligible_formation_is_paid_and_the_allocation_flagged_for_review() -> None:
    d = dotation(effectifs=[LigneEffectif(code_diplome="40025510", effectif=2)])
    assert d.lignes[0].hors_liste
    assert d.lignes[0].eligible
    assert d.total == D("302.00")
    assert MotifDotation.FORMATIONS_HORS_LISTE in d.motifs


def test_negative_leftovers_are_refused() -> None:
    with pytest.raises(ValueError, match="reliquat"):
        dotation(
            effectifs=[],
            reliquats={Enveloppe.PRE_BAC: D("-1"), Enveloppe.POST_BAC: D(0)},
        )


# --- rates and indexation -------------------------------------------------------------------


def test_2021_2022_rates_are_138_standard_and_50_prepa_metiers() -> None:
    f = are.forfaits("2021-2022")
    assert (f.standard, f.prepa_metiers) == (D(138), D(50))
    assert not f.deduit


def test_2023_2024_rates_are_151_standard_54_prepa_metiers_and_308_cpge_by_arrete_2023_087() -> (
    None
):
    f = are.forfaits("2023-2024")
    assert (f.standard, f.prepa_metiers, f.cpge_concours) == (D(151), D(54), D(308))
    assert "2023-087" in f.acte


def test_arrete_2023_087_index_change_is_6_31_percent() -> None:
    i = are.indexation("2023-2024")
    assert (i.ipc_decembre_n_1, i.ipc_decembre_n_2) == (D("114.18"), D("107.4"))
    assert are.evolution_indice(i.ipc_decembre_n_1, i.ipc_decembre_n_2) == D("6.31")
    assert i.evolution_pct_publiee == D("6.31")


def test_arrete_2023_087_turns_142_51_290_into_151_54_308() -> None:
    assert are.forfait_indexe(D(142), D("6.31")) == D(151)  # 150.96
    assert are.forfait_indexe(D(51), D("6.31")) == D(54)  # 54.22
    assert are.forfait_indexe(D(290), D("6.31")) == D(308)  # 308.30


def test_2023_2024_rates_are_the_2022_2023_rates_indexed_by_the_arrete() -> None:
    i = are.indexation("2023-2024")
    avant, apres = are.forfaits(i.annee_precedente), are.forfaits("2023-2024")
    evolution = are.evolution_indice(i.ipc_decembre_n_1, i.ipc_decembre_n_2)
    assert are.forfait_indexe(avant.standard, evolution) == apres.standard
    assert are.forfait_indexe(avant.prepa_metiers, evolution) == apres.prepa_metiers
    assert avant.cpge_concours is not None
    assert are.forfait_indexe(avant.cpge_concours, evolution) == apres.cpge_concours


@pytest.mark.parametrize(("cible", "precedent"), [(151, 142), (54, 51), (308, 290)])
def test_deduced_2022_2023_rates_are_the_only_whole_euros_the_arrete_maps_to_its_rates(
    cible: int, precedent: int
) -> None:
    antecedents = [p for p in range(1, 400) if are.forfait_indexe(D(p), D("6.31")) == cible]
    assert antecedents == [precedent]
    assert are.forfaits("2022-2023").deduit


def test_a_negative_index_change_keeps_last_years_rates() -> None:
    evolution = are.evolution_indice(D("107.00"), D("107.40"))
    assert evolution == D("-0.37")
    assert are.forfait_indexe(D(151), evolution) == D(151)
    assert are.forfait_indexe(D(54), evolution) == D(54)


def test_a_zero_index_change_keeps_the_rates() -> None:
    assert are.evolution_indice(D("107.4"), D("107.4")) == D("0.00")
    assert are.forfait_indexe(D(151), D("0.00")) == D(151)


def test_index_change_is_rounded_to_two_decimals_before_applying_it() -> None:
    # 100.005 / 100 -> 0.005 % rounds half up to 0.01 %.
    assert are.evolution_indice(D("100.005"), D("100")) == D("0.01")
    # 50 x 1.0299 = 51.495 -> 51; 50 x 1.03 = 51.5 -> 52: half up to the euro.
    assert are.forfait_indexe(D(50), D("2.99")) == D(51)
    assert are.forfait_indexe(D(50), D("3.00")) == D(52)


def test_a_tiny_negative_change_rounding_to_zero_is_not_negative_zero() -> None:
    evolution = are.evolution_indice(D("99.999"), D("100"))
    assert str(evolution) == "0.00"


# --- CPGE ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("concours", "montant"), [(1, "308.00"), (2, "616.00"), (3, "924.00")])
def test_cpge_aid_is_308_per_competition(concours: int, montant: str) -> None:
    a = are.aide_frais_concours(
        "2023-2024", annee_cpge=2, quotient_familial=D(5000), nombre_concours=concours
    )
    assert a.eligible
    assert a.montant == D(montant)
    assert a.motifs == ()


def test_cpge_aid_is_capped_at_three_competitions() -> None:
    a = are.aide_frais_concours(
        "2023-2024", annee_cpge=2, quotient_familial=D(5000), nombre_concours=5
    )
    assert a.concours_retenus == 3
    assert a.montant == D("924.00")
    assert a.motifs == (MotifCpge.CONCOURS_PLAFONNES,)


@pytest.mark.parametrize(
    ("quotient", "eligible"), [("10139.99", True), ("10140", True), ("10140.01", False)]
)
def test_cpge_family_quotient_of_10140_is_included(quotient: str, eligible: bool) -> None:
    a = are.aide_frais_concours(
        "2023-2024", annee_cpge=2, quotient_familial=D(quotient), nombre_concours=1
    )
    assert a.eligible is eligible
    assert a.montant == (D("308.00") if eligible else D("0.00"))


def test_cpge_aid_is_only_for_second_year_pupils() -> None:
    a = are.aide_frais_concours(
        "2023-2024", annee_cpge=1, quotient_familial=D(5000), nombre_concours=2
    )
    assert not a.eligible
    assert a.motifs == (MotifCpge.PAS_EN_DEUXIEME_ANNEE,)


def test_cpge_aid_without_competition_is_zero() -> None:
    a = are.aide_frais_concours(
        "2023-2024", annee_cpge=2, quotient_familial=D(5000), nombre_concours=0
    )
    assert a.montant == D("0.00")
    assert a.motifs == (MotifCpge.AUCUN_CONCOURS,)


def test_cpge_aid_is_unknown_for_2021_2022() -> None:
    with pytest.raises(ValueError, match="2021-2022"):
        are.parametres_cpge("2021-2022")


# --- equipment types and spending report ------------------------------------------------------


def test_the_four_equipment_types_of_the_text() -> None:
    assert list(are.types_equipement()) == [
        "vetement_representation",
        "protection_individuelle",
        "materiel_outillage_instruments",
        "consommables_documents",
    ]


def depense(
    enveloppe: Enveloppe, montant: str, type_equipement: str = "protection_individuelle"
) -> Depense:
    return Depense(enveloppe=enveloppe, type_equipement=type_equipement, montant=D(montant))


def test_spending_report_leftovers_are_allocation_plus_last_leftovers_minus_spending() -> None:
    r = are.verifier_bilan(
        dotations_recues={Enveloppe.PRE_BAC: D("1000.00"), Enveloppe.POST_BAC: D("500.00")},
        reliquats_anterieurs={Enveloppe.PRE_BAC: D("200.00"), Enveloppe.POST_BAC: D(0)},
        depenses=[
            depense(Enveloppe.PRE_BAC, "700.00"),
            depense(Enveloppe.PRE_BAC, "150.50", "vetement_representation"),
            depense(Enveloppe.POST_BAC, "500.00", "materiel_outillage_instruments"),
        ],
    )
    assert r.valide
    assert r.depenses[Enveloppe.PRE_BAC] == D("850.50")
    assert r.reliquats == {Enveloppe.PRE_BAC: D("349.50"), Enveloppe.POST_BAC: D("0.00")}


def test_spending_report_may_not_overspend_an_envelope_with_the_other_envelopes_money() -> None:
    r = are.verifier_bilan(
        dotations_recues={Enveloppe.PRE_BAC: D("1000.00"), Enveloppe.POST_BAC: D("500.00")},
        reliquats_anterieurs={},
        depenses=[depense(Enveloppe.PRE_BAC, "1200.00"), depense(Enveloppe.POST_BAC, "100.00")],
    )
    assert not r.valide
    assert [(a.code, a.enveloppe) for a in r.anomalies] == [
        (CodeAnomalieBilan.ENVELOPPE_DEPASSEE, Enveloppe.PRE_BAC)
    ]
    assert r.reliquats == {Enveloppe.PRE_BAC: D("0.00"), Enveloppe.POST_BAC: D("400.00")}


def test_spending_report_refuses_an_equipment_type_not_in_the_list() -> None:
    r = are.verifier_bilan(
        dotations_recues={Enveloppe.PRE_BAC: D("1000.00")},
        reliquats_anterieurs={},
        depenses=[depense(Enveloppe.PRE_BAC, "100.00", "ordinateur_portable")],
    )
    assert [(a.code, a.ligne) for a in r.anomalies] == [
        (CodeAnomalieBilan.TYPE_EQUIPEMENT_INCONNU, 0)
    ]
    assert "ordinateur_portable" in r.anomalies[0].message


def test_spending_report_refuses_a_negative_amount() -> None:
    r = are.verifier_bilan(
        dotations_recues={Enveloppe.PRE_BAC: D("1000.00")},
        reliquats_anterieurs={},
        depenses=[depense(Enveloppe.PRE_BAC, "-10.00")],
    )
    assert [a.code for a in r.anomalies] == [CodeAnomalieBilan.MONTANT_NEGATIF]


def test_spending_exactly_the_resources_is_valid_and_leaves_nothing() -> None:
    r = are.verifier_bilan(
        dotations_recues={Enveloppe.POST_BAC: D("300.00")},
        reliquats_anterieurs={Enveloppe.POST_BAC: D("20.00")},
        depenses=[depense(Enveloppe.POST_BAC, "320.00", "consommables_documents")],
    )
    assert r.valide
    assert r.reliquats[Enveloppe.POST_BAC] == D("0.00")
