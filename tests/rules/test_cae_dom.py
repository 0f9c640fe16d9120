from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest

from rules import cae_dom
from rules.cae_dom import (
    Beneficiaire,
    EcheanceTrimestrielle,
    Motif,
    ParametresAide,
    Trimestre,
)
from rules.reference import read_csv

NE_EN_1985 = date(1985, 5, 20)


def _parametres(
    debut: date,
    fin: date,
    niveau: str = "1000.00",
    heures: Fraction | int = 35,
    collective: Fraction | int = 35,
) -> ParametresAide:
    return ParametresAide(
        debut=debut,
        fin=fin,
        niveau_prime_mensuel=Decimal(niveau),
        duree_hebdomadaire=Fraction(heures),
        duree_collective=Fraction(collective),
    )


def _motifs(
    *,
    departement: str = "971",
    date_convention: date = date(2024, 1, 10),
    date_embauche: date = date(2024, 1, 15),
    debut: date = date(2024, 1, 15),
    fin: date = date(2025, 1, 14),
    beneficiaire: Beneficiaire | None = None,
) -> list[Motif]:
    return cae_dom.motifs_refus(
        departement=departement,
        date_convention=date_convention,
        date_embauche=date_embauche,
        debut_prise_en_charge=debut,
        fin_prise_en_charge=fin,
        beneficiaire=beneficiaire or Beneficiaire(date_naissance=NE_EN_1985),
    )


def test_rule_version_names_the_circular() -> None:
    assert cae_dom.VERSION_REGLES == "cae-dom/2011-02"


# --- reference tables ------------------------------------------------------------------------


def test_code_table_1_holds_the_three_employer_statuses_of_the_cerfa() -> None:
    assert cae_dom.referentiel().statuts_employeur == {
        "50": "Association",
        "98": "Groupement d'employeurs",
        "99": "Autre entreprise Particuliers",
    }


def test_code_table_2_holds_the_nine_training_levels_of_the_cerfa_in_order() -> None:
    assert list(cae_dom.referentiel().niveaux_formation) == [
        "70",
        "60",
        "50",
        "51",
        "40",
        "30",
        "20",
        "10",
        "00",
    ]


@pytest.mark.parametrize(
    "fichier", ["statut_employeur.csv", "niveau_formation.csv", "territoires.csv"]
)
def test_every_reference_row_cites_the_seed(fichier: str) -> None:
    rows = read_csv("cae_dom", fichier)
    assert rows
    assert all(row["source"].startswith("004_022d0843bed3b39c.txt") for row in rows)


# --- territory -------------------------------------------------------------------------------


@pytest.mark.parametrize("departement", ["971", "972", "973", "974", "975", "977", "978"])
def test_the_seven_overseas_territories_are_eligible(departement: str) -> None:
    assert _motifs(departement=departement) == []


@pytest.mark.parametrize("departement", ["976", "970", "979", "075", "013"])
def test_a_department_outside_the_territory_is_refused(departement: str) -> None:
    assert _motifs(departement=departement) == [Motif.HORS_TERRITOIRE]


@pytest.mark.parametrize(
    ("code_postal", "departement"),
    [
        ("97110", "971"),
        ("97133", "977"),
        ("97150", "978"),
        ("97200", "972"),
        ("97300", "973"),
        ("97400", "974"),
        ("97500", "975"),
        ("97600", None),
        ("97510", None),
        ("75001", None),
        ("9711", None),
    ],
)
def test_saint_barthelemy_and_saint_martin_postal_codes_win_over_guadeloupe(
    code_postal: str, departement: str | None
) -> None:
    assert cae_dom.departement_du_code_postal(code_postal) == departement


def test_each_territory_has_its_time_zone() -> None:
    assert cae_dom.fuseau_horaire("974").key == "Indian/Reunion"
    assert cae_dom.fuseau_horaire("978").key == "America/Marigot"
    with pytest.raises(ValueError, match="976"):
        cae_dom.fuseau_horaire("976")


# --- convention before hiring ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("date_convention", "motifs"),
    [
        (date(2024, 1, 14), []),
        (date(2024, 1, 15), []),
        (date(2024, 1, 16), [Motif.CONVENTION_APRES_EMBAUCHE]),
    ],
)
def test_convention_signed_on_the_hiring_day_is_accepted_but_not_the_day_after(
    date_convention: date, motifs: list[Motif]
) -> None:
    assert _motifs(date_convention=date_convention, date_embauche=date(2024, 1, 15)) == motifs


def test_every_reason_is_reported_together_in_a_stable_order() -> None:
    assert _motifs(departement="976", date_convention=date(2024, 2, 1), fin=date(2026, 1, 15)) == [
        Motif.HORS_TERRITOIRE,
        Motif.CONVENTION_APRES_EMBAUCHE,
        Motif.DUREE_MAXIMALE_DEPASSEE,
    ]


# --- month arithmetic and maximum duration ---------------------------------------------------


@pytest.mark.parametrize(
    ("debut", "mois", "attendu"),
    [
        (date(2024, 1, 15), 1, date(2024, 2, 15)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2024, 8, 31), 3, date(2024, 11, 30)),
        (date(2024, 2, 29), 24, date(2026, 2, 28)),
    ],
)
def test_adding_months_keeps_the_day_clamped_to_the_end_of_the_month(
    debut: date, mois: int, attendu: date
) -> None:
    assert cae_dom.ajouter_mois(debut, mois) == attendu


@pytest.mark.parametrize(
    ("beneficiaire", "mois"),
    [
        (Beneficiaire(date_naissance=NE_EN_1985), 24),
        (Beneficiaire(date_naissance=NE_EN_1985, beneficiaire_rsa_socle=True), 30),
        (Beneficiaire(date_naissance=NE_EN_1985, formation_qualifiante_en_cours=True), 60),
        (Beneficiaire(date_naissance=NE_EN_1985, travailleur_handicape=True), 60),
        (Beneficiaire(date_naissance=NE_EN_1985, beneficiaire_aah=True), 60),
        (Beneficiaire(date_naissance=NE_EN_1985, beneficiaire_minima_sociaux=True), 24),
        (Beneficiaire(date_naissance=date(1960, 1, 1), beneficiaire_minima_sociaux=True), 60),
        (Beneficiaire(date_naissance=date(1960, 1, 1)), 24),
        (
            Beneficiaire(
                date_naissance=date(1960, 1, 1),
                beneficiaire_rsa_socle=True,
                formation_qualifiante_en_cours=True,
            ),
            60,
        ),
    ],
)
def test_maximum_duration_is_24_months_30_for_rsa_socle_60_for_extensions(
    beneficiaire: Beneficiaire, mois: int
) -> None:
    assert cae_dom.duree_maximale_mois(beneficiaire, date(2024, 1, 15)) == mois


def test_rsa_socle_counts_as_a_minimum_benefit_for_the_age_50_extension() -> None:
    senior_rsa = Beneficiaire(date_naissance=date(1970, 1, 1), beneficiaire_rsa_socle=True)
    assert cae_dom.duree_maximale_mois(senior_rsa, date(2024, 1, 15)) == 60


@pytest.mark.parametrize(
    ("fin", "motifs"),
    [
        (date(2026, 1, 14), []),
        (date(2026, 1, 15), [Motif.DUREE_MAXIMALE_DEPASSEE]),
    ],
)
def test_coverage_may_end_on_start_plus_24_months_minus_one_day_not_one_day_more(
    fin: date, motifs: list[Motif]
) -> None:
    assert _motifs(debut=date(2024, 1, 15), fin=fin) == motifs


@pytest.mark.parametrize(
    ("fin", "motifs"),
    [
        (date(2026, 7, 14), []),
        (date(2026, 7, 15), [Motif.DUREE_MAXIMALE_DEPASSEE]),
    ],
)
def test_rsa_socle_coverage_may_end_on_start_plus_30_months_minus_one_day(
    fin: date, motifs: list[Motif]
) -> None:
    rsa = Beneficiaire(date_naissance=NE_EN_1985, beneficiaire_rsa_socle=True)
    assert _motifs(debut=date(2024, 1, 15), fin=fin, beneficiaire=rsa) == motifs


@pytest.mark.parametrize(
    ("fin", "motifs"),
    [
        (date(2029, 1, 14), []),
        (date(2029, 1, 15), [Motif.DUREE_MAXIMALE_DEPASSEE]),
    ],
)
def test_extended_coverage_may_end_on_start_plus_60_months_minus_one_day(
    fin: date, motifs: list[Motif]
) -> None:
    th = Beneficiaire(date_naissance=NE_EN_1985, travailleur_handicape=True)
    assert _motifs(debut=date(2024, 1, 15), fin=fin, beneficiaire=th) == motifs


def test_maximum_end_of_a_coverage_starting_on_31_january_is_clamped_then_minus_one_day() -> None:
    assert cae_dom.date_fin_maximale(date(2024, 1, 31), 1) == date(2024, 2, 28)


# The first 24 months of a coverage starting on 1 March 2024 end on 28 February 2026.
@pytest.mark.parametrize(
    ("date_naissance", "mois"),
    [
        (date(1976, 2, 28), 60),  # 50 on the last day of month 24
        (date(1976, 3, 1), 24),  # 50 on the first day of month 25
        (date(1976, 2, 29), 60),  # 50th birthday clamped to 28 Feb 2026
    ],
)
def test_fiftieth_birthday_must_fall_on_or_before_start_plus_24_months_minus_one_day(
    date_naissance: date, mois: int
) -> None:
    beneficiaire = Beneficiaire(date_naissance=date_naissance, beneficiaire_minima_sociaux=True)
    assert cae_dom.duree_maximale_mois(beneficiaire, date(2024, 3, 1)) == mois


def test_footnote_ass_beneficiary_aged_48_at_hiring_can_be_extended_to_60_months() -> None:
    debut = date(2024, 3, 1)
    quarante_huit_ans_et_un_jour = date(1976, 2, 29)
    assert cae_dom.atteint_50_ans_pendant_les_24_premiers_mois(quarante_huit_ans_et_un_jour, debut)


def test_exactly_48_on_the_start_day_turns_50_one_day_too_late() -> None:
    assert not cae_dom.atteint_50_ans_pendant_les_24_premiers_mois(
        date(1976, 3, 1), date(2024, 3, 1)
    )


def test_age_without_a_minimum_benefit_does_not_extend_the_convention() -> None:
    assert (
        cae_dom.duree_maximale_mois(Beneficiaire(date_naissance=date(1950, 1, 1)), date(2024, 1, 1))
        == 24
    )


# --- amounts ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("heures", "collective", "attendu"),
    [
        (Fraction(35), Fraction(35), Fraction(1)),
        (Fraction(20), Fraction(35), Fraction(4, 7)),
        (Fraction(39), Fraction(35), Fraction(1)),
        (Fraction(Decimal("17.5")), Fraction(35), Fraction(1, 2)),
    ],
)
def test_part_time_ratio_is_capped_at_one(
    heures: Fraction, collective: Fraction, attendu: Fraction
) -> None:
    assert cae_dom.quotite(heures, collective) == attendu


def test_a_zero_collective_duration_is_refused() -> None:
    with pytest.raises(ValueError, match="strictement positives"):
        cae_dom.quotite(Fraction(35), Fraction(0))


def test_hours_above_the_collective_duration_give_the_full_time_amount() -> None:
    [t1] = cae_dom.echeancier(
        _parametres(date(2024, 1, 1), date(2024, 3, 31), heures=39, collective=35)
    )
    assert t1.montant == Decimal("3000.00")


def test_quarter_first_day_start_gives_four_full_quarters_paid_the_day_after_each_quarter() -> None:
    echeances = cae_dom.echeancier(_parametres(date(2024, 1, 1), date(2024, 12, 31)))
    assert echeances == [
        EcheanceTrimestrielle(
            trimestre="2024-T1",
            du=date(2024, 1, 1),
            au=date(2024, 3, 31),
            montant=Decimal("3000.00"),
            date_paiement=date(2024, 4, 1),
        ),
        EcheanceTrimestrielle(
            trimestre="2024-T2",
            du=date(2024, 4, 1),
            au=date(2024, 6, 30),
            montant=Decimal("3000.00"),
            date_paiement=date(2024, 7, 1),
        ),
        EcheanceTrimestrielle(
            trimestre="2024-T3",
            du=date(2024, 7, 1),
            au=date(2024, 9, 30),
            montant=Decimal("3000.00"),
            date_paiement=date(2024, 10, 1),
        ),
        EcheanceTrimestrielle(
            trimestre="2024-T4",
            du=date(2024, 10, 1),
            au=date(2024, 12, 31),
            montant=Decimal("3000.00"),
            date_paiement=date(2025, 1, 1),
        ),
    ]


def test_start_mid_quarter_counts_the_covered_days_of_the_first_month() -> None:
    # 17 of 31 days of January, then February and March in full.
    [t1, t2] = cae_dom.echeancier(_parametres(date(2024, 1, 15), date(2024, 4, 30)))
    assert (t1.trimestre, t1.du, t1.au) == ("2024-T1", date(2024, 1, 15), date(2024, 3, 31))
    assert t1.montant == Decimal("2548.39")  # 1000 x 17/31 + 2000 = 2548.387...
    assert (t2.du, t2.au, t2.montant) == (date(2024, 4, 1), date(2024, 4, 30), Decimal("1000.00"))


def test_leap_february_counts_days_covered_out_of_29() -> None:
    [t1] = cae_dom.echeancier(_parametres(date(2024, 2, 10), date(2024, 2, 29)))
    assert t1.montant == Decimal("689.66")  # 1000 x 20/29 = 689.655...


def test_common_year_february_counts_days_covered_out_of_28() -> None:
    [t1] = cae_dom.echeancier(_parametres(date(2023, 2, 10), date(2023, 2, 28)))
    assert t1.montant == Decimal("678.57")  # 1000 x 19/28 = 678.571...


def test_partial_months_at_both_ends_of_a_quarter() -> None:
    # 1000 x (22/31 + 1 + 10/31) for 10 Jan to 10 Mar 2025 (February full).
    [t1] = cae_dom.echeancier(_parametres(date(2025, 1, 10), date(2025, 3, 10)))
    assert t1.montant == Decimal("2032.26")


def test_only_the_quarter_total_is_rounded_not_each_month() -> None:
    # A third of 1000 a month: 333.333... x 3 = 1000.00 (rounding each month would give 999.99).
    [t1] = cae_dom.echeancier(
        _parametres(date(2024, 1, 1), date(2024, 3, 31), heures=12, collective=36)
    )
    assert t1.montant == Decimal("1000.00")


def test_a_half_cent_quarter_total_is_rounded_up() -> None:
    [t1] = cae_dom.echeancier(
        _parametres(date(2024, 1, 1), date(2024, 1, 31), niveau="1000.01", heures=1, collective=2)
    )
    assert t1.montant == Decimal("500.01")  # 500.005


def test_rounding_half_up_to_the_cent() -> None:
    assert cae_dom.arrondi_centime(Fraction(1, 200)) == Decimal("0.01")
    assert cae_dom.arrondi_centime(Fraction(1, 300)) == Decimal("0.00")
    assert cae_dom.arrondi_centime(Fraction(-1, 200)) == Decimal("-0.01")


def test_coverage_across_a_year_end_uses_calendar_quarters() -> None:
    echeances = cae_dom.echeancier(_parametres(date(2024, 11, 16), date(2025, 2, 15)))
    assert [(e.trimestre, e.du, e.au) for e in echeances] == [
        ("2024-T4", date(2024, 11, 16), date(2024, 12, 31)),
        ("2025-T1", date(2025, 1, 1), date(2025, 2, 15)),
    ]
    # 1000 x 15/30 + 1000 ; 1000 + 1000 x 15/28
    assert [e.montant for e in echeances] == [Decimal("1500.00"), Decimal("1535.71")]
    assert [e.date_paiement for e in echeances] == [date(2025, 1, 1), date(2025, 4, 1)]


def test_a_workflow_asking_quarter_by_quarter_gets_the_same_schedule() -> None:
    parametres = _parametres(date(2024, 2, 15), date(2025, 2, 14), heures=26)
    trimestre = Trimestre.de_date(parametres.debut)
    un_par_un: list[EcheanceTrimestrielle] = []
    while (echeance := cae_dom.echeance_trimestre(parametres, trimestre)) is not None:
        un_par_un.append(echeance)
        trimestre = trimestre.suivant()
    assert un_par_un == cae_dom.echeancier(parametres)
    assert len(un_par_un) == 5


def test_a_quarter_outside_the_coverage_has_no_payment() -> None:
    parametres = _parametres(date(2024, 2, 15), date(2024, 5, 14))
    assert cae_dom.echeance_trimestre(parametres, Trimestre(2023, 4)) is None
    assert cae_dom.echeance_trimestre(parametres, Trimestre(2024, 3)) is None


def test_quarter_labels_parse_and_print() -> None:
    assert Trimestre.depuis_libelle("2024-T3") == Trimestre(2024, 3)
    assert Trimestre(2024, 4).libelle == "2024-T4"
    assert Trimestre(2024, 4).suivant() == Trimestre(2025, 1)
    assert Trimestre(2024, 1).dernier_jour == date(2024, 3, 31)


@pytest.mark.parametrize("libelle", ["2024-T5", "2024T1", "24-T1", "2024-T0"])
def test_a_malformed_quarter_label_is_refused(libelle: str) -> None:
    with pytest.raises(ValueError, match="AAAA-Tn"):
        Trimestre.depuis_libelle(libelle)


def test_coverage_ending_before_it_starts_is_refused() -> None:
    with pytest.raises(ValueError, match="antérieure"):
        _parametres(date(2024, 2, 15), date(2024, 2, 14))


# --- early end and recovery ------------------------------------------------------------------


def test_an_early_end_stops_the_schedule_at_the_effective_end_date() -> None:
    parametres = _parametres(date(2024, 1, 1), date(2024, 12, 31))
    echeances = cae_dom.echeancier(parametres, date_fin_effective=date(2024, 8, 15))
    assert [e.trimestre for e in echeances] == ["2024-T1", "2024-T2", "2024-T3"]
    assert echeances[-1].au == date(2024, 8, 15)
    assert echeances[-1].montant == Decimal("1483.87")  # 1000 + 1000 x 15/31
    assert echeances[-1].date_paiement == date(2024, 10, 1)


def test_recovery_after_an_early_end_is_what_was_paid_beyond_what_is_due() -> None:
    parametres = _parametres(date(2024, 1, 1), date(2024, 12, 31))
    # Three quarters paid (9 000.00); due up to 15 August: 3 000 + 3 000 + 1 483.87.
    assert cae_dom.montant_a_reverser(parametres, Decimal("9000.00"), date(2024, 8, 15)) == Decimal(
        "1516.13"
    )


def test_nothing_is_recovered_when_less_than_due_was_paid() -> None:
    parametres = _parametres(date(2024, 1, 1), date(2024, 12, 31))
    assert cae_dom.montant_a_reverser(parametres, Decimal("6000.00"), date(2024, 8, 15)) == (
        Decimal("0.00")
    )


def test_an_effective_end_after_the_planned_end_changes_nothing() -> None:
    parametres = _parametres(date(2024, 1, 1), date(2024, 6, 30))
    assert cae_dom.echeancier(parametres, date(2024, 9, 30)) == cae_dom.echeancier(parametres)


def test_a_convention_ended_before_its_start_owes_nothing_and_everything_paid_is_recovered() -> (
    None
):
    parametres = _parametres(date(2024, 1, 15), date(2024, 12, 31))
    assert cae_dom.echeancier(parametres, date(2024, 1, 14)) == []
    assert cae_dom.montant_a_reverser(parametres, Decimal("2548.39"), date(2024, 1, 14)) == (
        Decimal("2548.39")
    )


# --- CIA -------------------------------------------------------------------------------------


def test_cia_pays_a_fixed_344_euros_a_month_per_calendar_quarter() -> None:
    echeances = cae_dom.echeancier(cae_dom.parametres_cia(date(2024, 1, 1), date(2024, 4, 15)))
    assert [(e.trimestre, e.montant) for e in echeances] == [
        ("2024-T1", Decimal("1032.00")),
        ("2024-T2", Decimal("172.00")),  # 344 x 15/30
    ]


# --- issue 18: renewals, what is missing, renewal Cerfas ------------------------------------

DEBUT_2024 = date(2024, 1, 15)


def test_no_condition_is_missing_once_the_60_months_are_open() -> None:
    formation = Beneficiaire(date_naissance=NE_EN_1985, formation_qualifiante_en_cours=True)
    assert cae_dom.conditions_manquantes(formation, DEBUT_2024) == []


def test_without_any_condition_every_way_beyond_24_months_is_named() -> None:
    manquantes = cae_dom.conditions_manquantes(Beneficiaire(date_naissance=NE_EN_1985), DEBUT_2024)
    assert manquantes == [
        "pas de formation qualifiante en cours",
        "pas de reconnaissance de travailleur handicapé (RQTH) ni d'AAH",
        "pas de minima sociaux (ASS, RSA, AAH) avec 50 ans atteints",
        "pas de RSA socle (30 mois)",
    ]


def test_a_minimum_benefit_recipient_too_young_is_told_the_end_of_the_two_years_not_the_birth() -> (
    None
):
    ass_47_ans = Beneficiaire(date_naissance=date(1976, 6, 10), beneficiaire_minima_sociaux=True)
    manquantes = cae_dom.conditions_manquantes(ass_47_ans, DEBUT_2024)
    assert (
        "bénéficiaire de minima sociaux, mais 50 ans non atteints pendant les deux premières "
        "années de la convention (jusqu'au 2026-01-14)"
    ) in manquantes
    assert not any("1976" in m for m in manquantes)


def test_rsa_socle_at_30_months_is_not_listed_as_missing() -> None:
    rsa = Beneficiaire(date_naissance=NE_EN_1985, beneficiaire_rsa_socle=True)
    manquantes = cae_dom.conditions_manquantes(rsa, DEBUT_2024)
    assert "pas de RSA socle (30 mois)" not in manquantes
    assert len(manquantes) == 3


def test_the_before_hiring_rule_concerns_the_initial_convention_only() -> None:
    commun: dict[str, object] = {
        "departement": "971",
        "date_convention": date(2024, 2, 25),
        "date_embauche": date(2022, 3, 1),
        "debut_prise_en_charge": date(2022, 3, 1),
        "fin_prise_en_charge": date(2024, 2, 29),
        "beneficiaire": Beneficiaire(date_naissance=NE_EN_1985),
    }
    assert cae_dom.motifs_refus(**commun) == [Motif.CONVENTION_APRES_EMBAUCHE]  # type: ignore[arg-type]
    assert cae_dom.motifs_refus(initiale=False, **commun) == []  # type: ignore[arg-type]
