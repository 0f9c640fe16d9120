import json
from typing import Any

import pytest
from pydantic import ValidationError

from rules.simulation_cae_dom import EntreeSimulation, simuler


def _entree(**modifications: Any) -> dict[str, Any]:
    """A full-time CAE-DOM in Guadeloupe, 1 000 EUR a month, covered for the whole of 2024."""
    entree: dict[str, Any] = {
        "date_convention": "2023-12-20",
        "date_embauche": "2024-01-01",
        "date_debut_prise_en_charge": "2024-01-01",
        "date_fin_prise_en_charge": "2024-12-31",
        "date_naissance": "1985-05-20",
        "date_fin_effective": None,
        "departement": "971",
        "niveau_prime_mensuel": "1000.00",
        "duree_hebdomadaire_heures": "35",
        "duree_collective_heures": "35",
        "beneficiaire_rsa_socle": False,
        "travailleur_handicape": False,
        "beneficiaire_aah": False,
        "beneficiaire_minima_sociaux": False,
        "formation_qualifiante_en_cours": False,
        "montant_deja_verse": "0.00",
    }
    entree.update(modifications)
    return entree


def _simuler(**modifications: Any) -> dict[str, Any]:
    sortie = simuler(EntreeSimulation.model_validate(_entree(**modifications)))
    resultat: dict[str, Any] = sortie.model_dump(mode="json")
    return resultat


def test_an_eligible_convention_gets_its_quarterly_schedule_as_json() -> None:
    sortie = _simuler()
    assert sortie == {
        "version_regles": "cae-dom/2011-02",
        "eligible": True,
        "motifs": [],
        "duree_maximale_mois": 24,
        "date_fin_maximale": "2025-12-31",
        "trimestres": [
            {
                "trimestre": f"2024-T{n}",
                "du": du,
                "au": au,
                "montant": "3000.00",
                "date_paiement": paiement,
            }
            for n, du, au, paiement in [
                (1, "2024-01-01", "2024-03-31", "2024-04-01"),
                (2, "2024-04-01", "2024-06-30", "2024-07-01"),
                (3, "2024-07-01", "2024-09-30", "2024-10-01"),
                (4, "2024-10-01", "2024-12-31", "2025-01-01"),
            ]
        ],
        "montant_total": "12000.00",
        "montant_a_reverser": "0.00",
        "renouvellement": None,
    }


def test_the_simulator_reads_its_input_from_json() -> None:
    entree = EntreeSimulation.model_validate_json(json.dumps(_entree()))
    assert simuler(entree).montant_total == "12000.00"


def test_a_convention_signed_after_hiring_gets_no_schedule_and_everything_paid_is_recovered() -> (
    None
):
    sortie = _simuler(date_convention="2024-01-02", montant_deja_verse="3000.00")
    assert sortie["eligible"] is False
    assert sortie["motifs"] == ["CONVENTION_APRES_EMBAUCHE"]
    assert sortie["trimestres"] == []
    assert sortie["montant_total"] == "0.00"
    assert sortie["montant_a_reverser"] == "3000.00"


def test_mayotte_is_outside_the_territory() -> None:
    sortie = _simuler(departement="976")
    assert sortie["motifs"] == ["HORS_TERRITOIRE"]
    assert sortie["trimestres"] == []


@pytest.mark.parametrize(
    ("fin", "eligible", "motifs"),
    [
        ("2025-12-31", True, []),
        ("2026-01-01", False, ["DUREE_MAXIMALE_DEPASSEE"]),
    ],
)
def test_coverage_ending_on_the_exact_maximum_day_is_accepted_one_more_day_is_refused(
    fin: str, eligible: bool, motifs: list[str]
) -> None:
    sortie = _simuler(date_fin_prise_en_charge=fin)
    assert (sortie["eligible"], sortie["motifs"]) == (eligible, motifs)


@pytest.mark.parametrize(
    ("date_naissance", "duree", "date_fin_maximale"),
    [
        ("1975-12-31", 60, "2028-12-31"),  # 50 on 31 Dec 2025, last day of month 24
        ("1976-01-01", 24, "2025-12-31"),  # 50 on 1 Jan 2026, first day of month 25
    ],
)
def test_minimum_benefit_beneficiary_turning_50_within_the_first_24_months_gets_60(
    date_naissance: str, duree: int, date_fin_maximale: str
) -> None:
    sortie = _simuler(
        date_naissance=date_naissance,
        beneficiaire_minima_sociaux=True,
        date_fin_prise_en_charge="2026-06-30",
    )
    assert sortie["duree_maximale_mois"] == duree
    assert sortie["date_fin_maximale"] == date_fin_maximale
    assert sortie["eligible"] is (duree == 60)


def test_rsa_socle_beneficiary_may_be_covered_for_30_months() -> None:
    sortie = _simuler(beneficiaire_rsa_socle=True, date_fin_prise_en_charge="2026-06-30")
    assert (sortie["duree_maximale_mois"], sortie["eligible"]) == (30, True)
    assert len(sortie["trimestres"]) == 10


def test_recovery_after_an_early_end() -> None:
    sortie = _simuler(date_fin_effective="2024-08-15", montant_deja_verse="9000.00")
    assert [t["trimestre"] for t in sortie["trimestres"]] == ["2024-T1", "2024-T2", "2024-T3"]
    assert sortie["trimestres"][-1]["au"] == "2024-08-15"
    assert sortie["trimestres"][-1]["montant"] == "1483.87"
    assert sortie["montant_total"] == "7483.87"
    assert sortie["montant_a_reverser"] == "1516.13"


def test_part_time_hours_above_the_collective_duration_are_capped_at_full_time() -> None:
    assert _simuler(duree_hebdomadaire_heures="39")["montant_total"] == "12000.00"


def test_half_time_gives_half_the_aid() -> None:
    assert _simuler(duree_hebdomadaire_heures="17.5")["montant_total"] == "6000.00"


def test_leap_february_start_counts_days_out_of_29() -> None:
    sortie = _simuler(
        date_embauche="2024-02-10",
        date_debut_prise_en_charge="2024-02-10",
        date_fin_prise_en_charge="2024-02-29",
    )
    assert sortie["trimestres"][0]["montant"] == "689.66"


@pytest.mark.parametrize(
    ("modification", "champ"),
    [
        ({"departement": "97"}, "departement"),
        ({"departement": 971}, "departement"),
        ({"niveau_prime_mensuel": "mille"}, "niveau_prime_mensuel"),
        ({"niveau_prime_mensuel": "1000.001"}, "niveau_prime_mensuel"),
        ({"montant_deja_verse": "-1.00"}, "montant_deja_verse"),
        ({"duree_hebdomadaire_heures": "0"}, "duree_hebdomadaire_heures"),
        ({"duree_collective_heures": "49"}, "duree_collective_heures"),
        ({"date_embauche": "2024-02-30"}, "date_embauche"),
        ({"date_fin_prise_en_charge": "2023-12-31"}, "date_fin_prise_en_charge"),
        ({"beneficiaire_aah": "peut-être"}, "beneficiaire_aah"),
        ({"inconnu": 1}, "inconnu"),
    ],
)
def test_a_malformed_input_fails_validation_naming_the_field(
    modification: dict[str, Any], champ: str
) -> None:
    with pytest.raises(ValidationError) as erreur:
        EntreeSimulation.model_validate(_entree(**modification))
    assert [e["loc"] for e in erreur.value.errors()] == [(champ,)]


def test_a_missing_field_is_named() -> None:
    entree = _entree()
    del entree["date_naissance"]
    with pytest.raises(ValidationError) as erreur:
        EntreeSimulation.model_validate(entree)
    assert erreur.value.errors()[0]["loc"] == ("date_naissance",)


def test_coverage_ending_before_it_starts_is_explained_in_french() -> None:
    with pytest.raises(ValidationError, match="ne peut précéder son début"):
        EntreeSimulation.model_validate(_entree(date_fin_prise_en_charge="2023-12-31"))


# --- issue 18: a renewal with its situation --------------------------------------------------


def _renouvellement(date_fin: str, **situation: Any) -> dict[str, Any]:
    sortie: dict[str, Any] = _simuler(
        date_naissance="1975-06-10",
        renouvellement={"date_fin": date_fin, **situation},
    )["renouvellement"]
    return sortie


def test_a_48_year_old_ass_recipient_at_renewal_gets_the_60_months() -> None:
    sortie = _renouvellement("2028-12-31", beneficiaire_ass=True)
    assert sortie == {
        "accepte": True,
        "duree_maximale_mois": 60,
        "date_fin_maximale": "2028-12-31",
        "conditions_manquantes": [],
        "motifs": [],
    }


def test_a_renewal_without_condition_is_refused_past_24_months_naming_what_is_missing() -> None:
    sortie = _renouvellement("2026-01-01")
    assert sortie["accepte"] is False
    assert sortie["duree_maximale_mois"] == 24
    assert sortie["date_fin_maximale"] == "2025-12-31"
    assert sortie["motifs"] == ["DUREE_MAXIMALE_DEPASSEE"]
    assert "pas de formation qualifiante en cours" in sortie["conditions_manquantes"]


def test_a_renewal_must_extend_the_coverage() -> None:
    with pytest.raises(ValidationError, match=r"renouvellement.date_fin \(2024-12-31\)"):
        EntreeSimulation.model_validate(_entree(renouvellement={"date_fin": "2024-12-31"}))


def test_without_renewal_the_output_says_none() -> None:
    assert _simuler()["renouvellement"] is None
