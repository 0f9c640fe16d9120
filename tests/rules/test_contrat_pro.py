from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from rules.contrat_pro import (
    VERSION_REGLES,
    Acte,
    DureeHebdomadaire,
    FaitsContrat,
    Motif,
    NatureContrat,
    Periode,
    acte_attribution,
    add_months,
    age_au,
    certification_prioritaire,
    date_limite_demande,
    date_limite_demande_paiement,
    date_versement,
    debut_periode_de_minimis,
    dernier_jour_contrat,
    duree_en_vigueur,
    etablissement_en_region,
    evaluer,
    fusionner_periodes,
    mois_aides,
    mois_contrat,
    montant_aide,
    montant_mensuel,
    motifs_ineligibilite,
    numero_mois_contrat,
    rupture_premier_mois,
)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2024, 1, 15), 1, date(2024, 2, 15)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2024, 8, 31), 3, date(2024, 11, 30)),
        (date(2024, 11, 30), 3, date(2025, 2, 28)),
        (date(2024, 12, 15), 12, date(2025, 12, 15)),
    ],
)
def test_add_months_keeps_the_day_clamped_to_the_end_of_the_month(
    start: date, months: int, expected: date
) -> None:
    assert add_months(start, months) == expected


def test_request_deadline_is_three_months_after_the_contract_start() -> None:
    assert date_limite_demande(date(2024, 9, 2)) == date(2024, 12, 2)


def test_request_deadline_of_a_contract_starting_on_31_may_is_31_august() -> None:
    assert date_limite_demande(date(2024, 5, 31)) == date(2024, 8, 31)


def test_request_deadline_of_a_contract_starting_on_30_november_is_end_of_february() -> None:
    assert date_limite_demande(date(2024, 11, 30)) == date(2025, 2, 28)


# --- helpers -------------------------------------------------------------------------------

DEBUT = date(2024, 9, 2)
PLEIN_TEMPS = Decimal(35)


def faits(**modifications: Any) -> FaitsContrat:
    """An eligible dossier: a 24-month full-time contract starting on 2 September 2024."""
    valeurs: dict[str, Any] = {
        "date_debut_contrat": DEBUT,
        "date_fin_contrat": date(2026, 8, 31),
        "date_naissance": date(1985, 3, 14),
        "demandeur_emploi": True,
        "dans_effectif_6_mois": False,
        "code_postal_etablissement": "44000",
        "employeur_a_jour": True,
        "licenciement_economique_6_mois": False,
        "code_rncp": "35510",
        "code_certifinfo": None,
        "nature_contrat": NatureContrat.STANDARD,
        "durees_hebdomadaires": (DureeHebdomadaire(DEBUT, PLEIN_TEMPS),),
        "date_demande": date(2024, 10, 1),
        "date_fin_effective": None,
        "suspensions_non_remunerees": (),
    }
    valeurs.update(modifications)
    return FaitsContrat(**valeurs)


def fin_mois(debut: date, k: int) -> date:
    return mois_contrat(debut, k).au


# --- contract months -----------------------------------------------------------------------


def test_contract_month_one_runs_from_the_start_to_the_day_before_the_same_day_next_month() -> None:
    assert mois_contrat(date(2024, 1, 15), 1) == Periode(date(2024, 1, 15), date(2024, 2, 14))


@pytest.mark.parametrize(
    ("k", "du", "au"),
    [
        (1, date(2024, 1, 31), date(2024, 2, 28)),
        (2, date(2024, 2, 29), date(2024, 3, 30)),
        (3, date(2024, 3, 31), date(2024, 4, 29)),
        (4, date(2024, 4, 30), date(2024, 5, 30)),
        (12, date(2024, 12, 31), date(2025, 1, 30)),
    ],
)
def test_contract_months_of_a_start_on_31_january_are_counted_from_the_start_with_clamping(
    k: int, du: date, au: date
) -> None:
    assert mois_contrat(date(2024, 1, 31), k) == Periode(du, au)


def test_contract_months_follow_each_other_without_gap_or_overlap() -> None:
    debut = date(2023, 8, 31)
    for k in range(1, 24):
        assert mois_contrat(debut, k).au + timedelta(days=1) == mois_contrat(debut, k + 1).du


def test_contract_month_zero_does_not_exist() -> None:
    with pytest.raises(ValueError, match="au moins 1"):
        mois_contrat(DEBUT, 0)


@pytest.mark.parametrize(
    ("jour", "k"),
    [
        (date(2024, 1, 31), 1),
        (date(2024, 2, 28), 1),
        (date(2024, 2, 29), 2),
        (date(2024, 3, 30), 2),
        (date(2024, 3, 31), 3),
        (date(2025, 1, 31), 13),
    ],
)
def test_the_contract_month_containing_a_day_is_found_with_month_end_clamping(
    jour: date, k: int
) -> None:
    assert numero_mois_contrat(date(2024, 1, 31), jour) == k


def test_the_last_day_is_the_planned_end_when_the_contract_was_not_broken() -> None:
    assert dernier_jour_contrat(DEBUT, date(2026, 8, 31), None) == date(2026, 8, 31)


def test_the_last_day_is_the_effective_end_when_the_contract_was_broken() -> None:
    assert dernier_jour_contrat(DEBUT, date(2026, 8, 31), date(2025, 1, 10)) == date(2025, 1, 10)


def test_an_effective_end_after_the_planned_end_is_refused() -> None:
    with pytest.raises(ValueError, match="date_fin_effective"):
        dernier_jour_contrat(DEBUT, date(2025, 8, 31), date(2025, 9, 1))


# --- eligibility ---------------------------------------------------------------------------


def test_a_complete_dossier_has_no_reason_of_ineligibility() -> None:
    assert motifs_ineligibilite(faits()) == []


@pytest.mark.parametrize(
    ("naissance", "motifs"),
    [
        (date(1994, 9, 2), []),  # 30 on the start date
        (date(1994, 9, 3), [Motif.AGE_MOINS_30]),  # 30 the day after the start
        (date(1960, 1, 1), []),
    ],
)
def test_the_employee_must_be_30_or_more_on_the_start_date(
    naissance: date, motifs: list[Motif]
) -> None:
    assert motifs_ineligibilite(faits(date_naissance=naissance)) == motifs


def test_someone_born_on_29_february_turns_30_on_1_march_of_a_common_year() -> None:
    assert age_au(date(1993, 2, 28), date(2023, 2, 28)) == 30
    assert age_au(date(1992, 2, 29), date(2022, 2, 28)) == 29
    assert age_au(date(1992, 2, 29), date(2022, 3, 1)) == 30


@pytest.mark.parametrize(
    ("modifications", "motif"),
    [
        ({"demandeur_emploi": False}, Motif.NON_DEMANDEUR_EMPLOI),
        ({"dans_effectif_6_mois": True}, Motif.DEJA_DANS_EFFECTIF),
        ({"employeur_a_jour": False}, Motif.OBLIGATIONS_NON_A_JOUR),
        ({"licenciement_economique_6_mois": True}, Motif.LICENCIEMENT_ECONOMIQUE),
        ({"nature_contrat": NatureContrat.EXPERIMENTAL}, Motif.NATURE_CONTRAT_EXCLUE),
        ({"nature_contrat": NatureContrat.QUALIFICATION_CCN}, Motif.NATURE_CONTRAT_EXCLUE),
        ({"code_rncp": "99999"}, Motif.CERTIFICATION_NON_PRIORITAIRE),
        ({"code_postal_etablissement": "75011"}, Motif.HORS_REGION),
    ],
)
def test_each_failed_condition_gives_its_reason_code(
    modifications: dict[str, Any], motif: Motif
) -> None:
    assert motifs_ineligibilite(faits(**modifications)) == [motif]


@pytest.mark.parametrize(
    ("code_postal", "en_region"),
    [
        ("44000", True),
        ("49100", True),
        ("53000", True),
        ("72000", True),
        ("85000", True),
        ("35000", False),
        ("56100", False),
        ("79000", False),
        ("97440", False),
    ],
)
def test_the_establishment_is_in_the_region_when_its_postal_code_department_is_44_49_53_72_or_85(
    code_postal: str, en_region: bool
) -> None:
    assert etablissement_en_region(code_postal) is en_region
    attendu = [] if en_region else [Motif.HORS_REGION]
    assert motifs_ineligibilite(faits(code_postal_etablissement=code_postal)) == attendu


@pytest.mark.parametrize(
    ("rncp", "certifinfo", "prioritaire"),
    [
        ("35510", None, True),
        (None, "116177", True),
        ("99999", "116177", True),
        ("35510", "1", True),
        ("035510", None, True),
        ("99999", None, False),
        (None, "99999", False),
        ("116177", None, False),  # a CERTIFINFO code is not an RNCP code
        (None, "35510", False),  # and the other way round
    ],
)
def test_the_certification_is_matched_by_rncp_code_or_by_certifinfo_code(
    rncp: str | None, certifinfo: str | None, prioritaire: bool
) -> None:
    assert certification_prioritaire(rncp, certifinfo, date(2024, 10, 1)) is prioritaire


def test_a_request_filed_before_1_april_2024_finds_no_certification_list_in_force() -> None:
    assert certification_prioritaire("35510", None, date(2024, 3, 31)) is False
    assert certification_prioritaire("35510", None, date(2024, 4, 1)) is True


def test_a_certification_code_with_letters_is_refused() -> None:
    with pytest.raises(ValueError, match="RNCP35510"):
        certification_prioritaire("RNCP35510", None, date(2024, 10, 1))


@pytest.mark.parametrize(
    ("debut", "demande", "motifs"),
    [
        (date(2024, 9, 2), date(2024, 12, 2), []),
        (date(2024, 9, 2), date(2024, 12, 3), [Motif.DEMANDE_HORS_DELAI]),
        (date(2024, 11, 30), date(2025, 2, 28), []),
        (date(2024, 11, 30), date(2025, 3, 1), [Motif.DEMANDE_HORS_DELAI]),
        (date(2024, 9, 2), date(2024, 8, 20), []),  # filed before the start: in time
    ],
)
def test_the_request_must_be_filed_on_or_before_three_months_after_the_start(
    debut: date, demande: date, motifs: list[Motif]
) -> None:
    resultat = motifs_ineligibilite(
        faits(
            date_debut_contrat=debut,
            date_fin_contrat=add_months(debut, 12),
            durees_hebdomadaires=(DureeHebdomadaire(debut, PLEIN_TEMPS),),
            date_demande=demande,
        )
    )
    assert resultat == motifs


def test_every_failed_condition_is_reported_in_a_stable_order() -> None:
    tout_faux = faits(
        date_naissance=date(2000, 1, 1),
        demandeur_emploi=False,
        dans_effectif_6_mois=True,
        code_postal_etablissement="75001",
        employeur_a_jour=False,
        licenciement_economique_6_mois=True,
        code_rncp="1",
        nature_contrat=NatureContrat.EXPERIMENTAL,
        date_demande=date(2025, 6, 1),
    )
    assert motifs_ineligibilite(tout_faux) == [
        Motif.AGE_MOINS_30,
        Motif.NON_DEMANDEUR_EMPLOI,
        Motif.DEJA_DANS_EFFECTIF,
        Motif.HORS_REGION,
        Motif.OBLIGATIONS_NON_A_JOUR,
        Motif.LICENCIEMENT_ECONOMIQUE,
        Motif.CERTIFICATION_NON_PRIORITAIRE,
        Motif.NATURE_CONTRAT_EXCLUE,
        Motif.DEMANDE_HORS_DELAI,
    ]


# --- aided months --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fin", "nombre"),
    [
        (date(2026, 8, 31), 12),  # 24 months: capped at 12
        (date(2025, 9, 1), 12),  # exactly 12 months
        (date(2025, 9, 2), 12),  # month 13 starts: still 12
        (date(2025, 6, 30), 10),
        (date(2025, 3, 1), 6),
        (date(2024, 9, 20), 1),  # planned end inside month 1: not a break
    ],
)
def test_aided_months_are_the_contract_months_up_to_12_that_start_on_or_before_the_end(
    fin: date, nombre: int
) -> None:
    assert len(mois_aides(DEBUT, fin)) == nombre


def test_a_contract_of_12_months_or_more_has_months_1_to_12_aided() -> None:
    assert mois_aides(DEBUT, date(2026, 8, 31)) == tuple(range(1, 13))


def test_break_in_first_month_gives_no_aid() -> None:
    assert rupture_premier_mois(DEBUT, date(2024, 9, 20)) is True
    assert mois_aides(DEBUT, date(2026, 8, 31), date(2024, 9, 20)) == ()


def test_break_on_the_last_day_of_month_one_gives_no_aid() -> None:
    assert mois_aides(date(2024, 1, 15), date(2025, 1, 14), date(2024, 2, 14)) == ()


def test_break_on_the_first_day_of_month_two_gives_two_months() -> None:
    assert rupture_premier_mois(date(2024, 1, 15), date(2024, 2, 15)) is False
    assert mois_aides(date(2024, 1, 15), date(2025, 1, 14), date(2024, 2, 15)) == (1, 2)


def test_break_on_the_start_day_gives_no_aid() -> None:
    assert mois_aides(DEBUT, date(2026, 8, 31), DEBUT) == ()


def test_break_on_the_last_day_of_a_contract_month_stops_the_aid_after_that_month() -> None:
    assert len(mois_aides(DEBUT, date(2026, 8, 31), fin_mois(DEBUT, 6))) == 6


def test_break_on_the_first_day_of_a_contract_month_keeps_that_month() -> None:
    assert len(mois_aides(DEBUT, date(2026, 8, 31), mois_contrat(DEBUT, 7).du)) == 7


def test_month_one_of_a_contract_starting_on_31_january_2023_ends_on_27_february() -> None:
    # add_months(31 Jan 2023, 1) = 28 Feb 2023, so month 1 ends the day before.
    debut = date(2023, 1, 31)
    assert mois_contrat(debut, 1) == Periode(date(2023, 1, 31), date(2023, 2, 27))
    assert mois_aides(debut, date(2024, 1, 30), date(2023, 2, 27)) == ()
    assert mois_aides(debut, date(2024, 1, 30), date(2023, 2, 28)) == (1, 2)


def test_a_break_after_month_12_does_not_reduce_the_aid() -> None:
    assert len(mois_aides(DEBUT, date(2026, 8, 31), date(2025, 12, 1))) == 12


def test_a_suspension_covering_a_whole_month_removes_it() -> None:
    mois3 = mois_contrat(DEBUT, 3)
    assert mois_aides(DEBUT, date(2026, 8, 31), None, [mois3]) == (1, 2, *range(4, 13))


def test_a_suspension_covering_a_month_only_partly_removes_nothing() -> None:
    mois3 = mois_contrat(DEBUT, 3)
    partielle = (mois3.du + timedelta(days=1), mois3.au)
    assert len(mois_aides(DEBUT, date(2026, 8, 31), None, [partielle])) == 12


def test_a_suspension_straddling_two_months_without_covering_either_removes_nothing() -> None:
    suspension = (
        mois_contrat(DEBUT, 3).du + timedelta(days=10),
        fin_mois(DEBUT, 4) - timedelta(days=3),
    )
    assert mois_aides(DEBUT, date(2026, 8, 31), None, [suspension]) == tuple(range(1, 13))


def test_a_suspension_covering_one_month_and_part_of_the_next_removes_only_the_first() -> None:
    suspension = (mois_contrat(DEBUT, 3).du, fin_mois(DEBUT, 4) - timedelta(days=1))
    assert mois_aides(DEBUT, date(2026, 8, 31), None, [suspension]) == (1, 2, *range(4, 13))


def test_adjacent_suspensions_that_together_cover_a_month_remove_it() -> None:
    mois5 = mois_contrat(DEBUT, 5)
    milieu = mois5.du + timedelta(days=12)
    suspensions = [(milieu + timedelta(days=1), mois5.au), (mois5.du, milieu)]
    assert 5 not in mois_aides(DEBUT, date(2026, 8, 31), None, suspensions)
    assert len(mois_aides(DEBUT, date(2026, 8, 31), None, suspensions)) == 11


def test_suspensions_with_a_one_day_gap_do_not_cover_the_month() -> None:
    mois5 = mois_contrat(DEBUT, 5)
    milieu = mois5.du + timedelta(days=12)
    suspensions = [(mois5.du, milieu), (milieu + timedelta(days=2), mois5.au)]
    assert len(mois_aides(DEBUT, date(2026, 8, 31), None, suspensions)) == 12


def test_overlapping_suspensions_covering_three_months_remove_the_three() -> None:
    suspensions = [
        (mois_contrat(DEBUT, 2).du, fin_mois(DEBUT, 3) + timedelta(days=3)),
        (mois_contrat(DEBUT, 3).du + timedelta(days=5), fin_mois(DEBUT, 4)),
    ]
    assert mois_aides(DEBUT, date(2026, 8, 31), None, suspensions) == (1, *range(5, 13))


def test_a_suspension_after_month_12_changes_nothing() -> None:
    suspension = (mois_contrat(DEBUT, 13).du, fin_mois(DEBUT, 15))
    assert len(mois_aides(DEBUT, date(2026, 8, 31), None, [suspension])) == 12


def test_suspension_until_the_break_removes_the_last_month_when_it_covers_it_up_to_the_end() -> (
    None
):
    fin = mois_contrat(DEBUT, 5).du + timedelta(days=14)
    suspension = (mois_contrat(DEBUT, 5).du, fin)
    assert mois_aides(DEBUT, date(2026, 8, 31), fin, [suspension]) == (1, 2, 3, 4)


def test_a_suspension_ending_before_it_starts_is_refused() -> None:
    with pytest.raises(ValueError, match="précède"):
        mois_aides(DEBUT, date(2026, 8, 31), None, [(date(2024, 12, 10), date(2024, 12, 1))])


def test_merging_periods_joins_adjacent_and_overlapping_ranges() -> None:
    assert fusionner_periodes(
        [
            (date(2024, 3, 1), date(2024, 3, 10)),
            (date(2024, 1, 1), date(2024, 1, 31)),
            (date(2024, 2, 1), date(2024, 2, 10)),
            (date(2024, 3, 5), date(2024, 3, 7)),
        ]
    ) == [
        Periode(date(2024, 1, 1), date(2024, 2, 10)),
        Periode(date(2024, 3, 1), date(2024, 3, 10)),
    ]


# --- amount --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("heures", "mensuel"),
    [
        (Decimal(35), Decimal("500.00")),
        (Decimal(39), Decimal("500.00")),  # capped at full time
        (Decimal(28), Decimal("400.00")),  # 80 %
        (Decimal("31.5"), Decimal("450.00")),  # 90 %
        (Decimal(20), Decimal("285.71")),  # 285.714...
        (Decimal(24), Decimal("342.86")),  # 342.857... rounded up
        (Decimal("17.5"), Decimal("250.00")),
    ],
)
def test_monthly_amount_is_500_times_the_share_of_35_hours_rounded_to_the_cent(
    heures: Decimal, mensuel: Decimal
) -> None:
    assert montant_mensuel(heures) == mensuel


def test_monthly_amount_of_zero_hours_is_refused() -> None:
    with pytest.raises(ValueError, match="positive"):
        montant_mensuel(Decimal(0))


@pytest.mark.parametrize(
    ("fin_contrat", "fin_effective", "heures", "montant"),
    [
        (date(2026, 8, 31), None, Decimal(35), Decimal("6000.00")),
        (date(2025, 6, 30), None, Decimal(35), Decimal("5000.00")),
        (date(2025, 3, 1), None, Decimal(35), Decimal("3000.00")),
        (date(2026, 8, 31), date(2025, 3, 1), Decimal(35), Decimal("3000.00")),
        (date(2026, 8, 31), None, Decimal(28), Decimal("4800.00")),
        (date(2025, 6, 30), None, Decimal("31.5"), Decimal("4500.00")),
        (date(2026, 8, 31), date(2025, 6, 30), Decimal("31.5"), Decimal("4500.00")),
    ],
)
def test_the_worked_examples_of_section_3_come_out_exactly(
    fin_contrat: date, fin_effective: date | None, heures: Decimal, montant: Decimal
) -> None:
    resultat = evaluer(
        faits(
            date_fin_contrat=fin_contrat,
            date_fin_effective=fin_effective,
            durees_hebdomadaires=(DureeHebdomadaire(DEBUT, heures),),
        ),
        Decimal(0),
    )
    assert resultat.montant == montant


def test_amount_with_one_weekly_hours_value_is_the_monthly_amount_times_the_months() -> None:
    assert montant_aide(DEBUT, range(1, 8), [(DEBUT, Decimal(28))]) == Decimal("2800.00")


def test_an_amendment_applies_from_the_first_contract_month_starting_on_or_after_it() -> None:
    # 35 h, then 28 h from 15 January 2025 (inside month 5, 2 Jan - 1 Feb):
    # months 1-5 at 500, months 6-12 at 400.
    durees = [(DEBUT, Decimal(35)), (date(2025, 1, 15), Decimal(28))]
    assert montant_aide(DEBUT, range(1, 13), durees) == Decimal("5300.00")


def test_an_amendment_dated_the_first_day_of_a_contract_month_applies_to_that_month() -> None:
    durees = [(DEBUT, Decimal(35)), (mois_contrat(DEBUT, 5).du, Decimal(28))]
    assert montant_aide(DEBUT, range(1, 13), durees) == Decimal("5200.00")  # 4 x 500 + 8 x 400


def test_amendments_are_applied_month_by_month_over_the_aided_months_only() -> None:
    # 20 h (285.71), then 35 h from month 3, then 28 h from month 10; month 4 suspended.
    durees = [
        (mois_contrat(DEBUT, 10).du, Decimal(28)),
        (DEBUT, Decimal(20)),
        (mois_contrat(DEBUT, 3).du, Decimal(35)),
    ]
    mois = mois_aides(DEBUT, date(2026, 8, 31), None, [mois_contrat(DEBUT, 4)])
    attendu = 2 * Decimal("285.71") + 6 * Decimal("500.00") + 3 * Decimal("400.00")
    assert montant_aide(DEBUT, mois, durees) == attendu == Decimal("4771.42")


def test_hours_in_force_on_a_day_are_those_of_the_latest_entry_on_or_before_it() -> None:
    durees = [(date(2024, 9, 2), Decimal(35)), (date(2025, 1, 15), Decimal(28))]
    assert duree_en_vigueur(durees, date(2025, 1, 14)) == Decimal(35)
    assert duree_en_vigueur(durees, date(2025, 1, 15)) == Decimal(28)


def test_no_hours_in_force_at_the_start_is_refused() -> None:
    with pytest.raises(ValueError, match="aucune durée"):
        montant_aide(DEBUT, [1], [(DEBUT + timedelta(days=1), Decimal(35))])


def test_two_hours_entries_on_the_same_day_are_refused() -> None:
    with pytest.raises(ValueError, match="même date"):
        duree_en_vigueur([(DEBUT, Decimal(35)), (DEBUT, Decimal(28))], DEBUT)


# --- evaluation ----------------------------------------------------------------------------


def test_an_ineligible_dossier_gets_zero_but_its_months_are_still_counted() -> None:
    resultat = evaluer(faits(demandeur_emploi=False), Decimal(0))
    assert resultat.eligible is False
    assert resultat.motifs == [Motif.NON_DEMANDEUR_EMPLOI]
    assert resultat.mois_aides == tuple(range(1, 13))
    assert resultat.montant == Decimal("0.00")
    assert resultat.montant_mensuel == Decimal("500.00")


def test_break_in_first_month_is_listed_as_a_reason_but_keeps_the_dossier_eligible() -> None:
    resultat = evaluer(faits(date_fin_effective=date(2024, 9, 20)), Decimal(0))
    assert resultat.eligible is True
    assert resultat.motifs == [Motif.RUPTURE_PREMIER_MOIS]
    assert resultat.mois_aides == ()
    assert resultat.montant == Decimal("0.00")


def test_break_in_first_month_comes_after_the_eligibility_reasons() -> None:
    resultat = evaluer(
        faits(date_fin_effective=date(2024, 9, 20), employeur_a_jour=False), Decimal(0)
    )
    assert resultat.eligible is False
    assert resultat.motifs == [Motif.OBLIGATIONS_NON_A_JOUR, Motif.RUPTURE_PREMIER_MOIS]


def test_the_evaluation_records_the_rule_version() -> None:
    assert evaluer(faits(), Decimal(0)).version_regles == VERSION_REGLES == "contrat-pro/2024-04-01"


# --- timing and act ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fin_contrat", "fin_effective", "versement"),
    [
        (date(2026, 8, 31), None, date(2025, 9, 2)),  # after month 12
        (date(2025, 9, 1), None, date(2025, 9, 2)),  # ends with month 12
        (date(2025, 6, 30), None, date(2025, 7, 1)),  # ends before month 12
        (date(2026, 8, 31), date(2025, 1, 10), date(2025, 1, 11)),  # broken
    ],
)
def test_payment_is_due_after_month_12_or_the_day_after_the_contract_ends_if_sooner(
    fin_contrat: date, fin_effective: date | None, versement: date
) -> None:
    dernier = dernier_jour_contrat(DEBUT, fin_contrat, fin_effective)
    assert date_versement(DEBUT, dernier) == versement


def test_payment_of_a_contract_starting_on_31_january_is_due_on_31_january_next_year() -> None:
    assert date_versement(date(2024, 1, 31), date(2025, 6, 30)) == date(2025, 1, 31)


@pytest.mark.parametrize(
    ("dernier", "limite"),
    [
        (date(2026, 8, 31), date(2026, 11, 30)),
        (date(2025, 6, 30), date(2025, 9, 30)),
        (date(2025, 11, 30), date(2026, 2, 28)),
        (date(2025, 1, 10), date(2025, 4, 10)),
    ],
)
def test_the_payment_request_is_due_three_months_after_the_last_day(
    dernier: date, limite: date
) -> None:
    assert date_limite_demande_paiement(dernier) == limite


@pytest.mark.parametrize(
    ("cumul", "montant", "acte"),
    [
        (Decimal("0.00"), Decimal("6000.00"), Acte.ARRETE),
        (Decimal("17000.00"), Decimal("6000.00"), Acte.ARRETE),  # exactly 23 000
        (Decimal("17000.01"), Decimal("6000.00"), Acte.CONVENTION),
        (Decimal("23000.00"), Decimal("0.00"), Acte.ARRETE),
        (Decimal("23000.01"), Decimal("0.00"), Acte.CONVENTION),
        (Decimal("22999.99"), Decimal("0.01"), Acte.ARRETE),
    ],
)
def test_a_convention_is_needed_only_when_the_year_total_with_this_aid_exceeds_23000(
    cumul: Decimal, montant: Decimal, acte: Acte
) -> None:
    assert acte_attribution(cumul, montant) is acte


def test_the_act_counts_the_amount_of_this_aid_on_top_of_the_earlier_aid() -> None:
    assert evaluer(faits(), Decimal("17000.00")).acte is Acte.ARRETE
    assert evaluer(faits(), Decimal("17000.01")).acte is Acte.CONVENTION
    assert evaluer(faits(demandeur_emploi=False), Decimal("17000.01")).acte is Acte.ARRETE


def test_the_de_minimis_period_is_the_36_months_up_to_the_act() -> None:
    assert debut_periode_de_minimis(date(2025, 1, 15)) == date(2022, 1, 16)
    assert debut_periode_de_minimis(date(2024, 2, 29)) == date(2021, 3, 1)
