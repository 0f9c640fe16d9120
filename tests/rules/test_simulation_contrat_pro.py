"""The contrat-pro simulator, end to end: JSON-like input in, JSON output out."""

import json
from typing import Any

import pytest
from pydantic import ValidationError

from rules.simulation_contrat_pro import EntreeSimulation, simuler


def entree(**modifications: Any) -> dict[str, Any]:
    """An eligible 24-month full-time contract starting on 2 September 2024, as JSON."""
    donnees: dict[str, Any] = {
        "date_debut_contrat": "2024-09-02",
        "date_fin_contrat": "2026-08-31",
        "date_naissance": "1985-03-14",
        "demandeur_emploi": True,
        "dans_effectif_6_mois": False,
        "code_postal_etablissement": "44000",
        "employeur_a_jour": True,
        "licenciement_economique_6_mois": False,
        "certification": {"rncp": "35510"},
        "nature_contrat": "standard",
        "duree_hebdomadaire_heures": "35",
        "date_demande": "2024-10-01",
        "date_fin_effective": None,
        "suspensions_non_remunerees": [],
        "cumul_aides_annee": "0.00",
    }
    donnees.update(modifications)
    return donnees


def simuler_json(donnees: dict[str, Any]) -> dict[str, Any]:
    sortie = simuler(EntreeSimulation.model_validate_json(json.dumps(donnees)))
    return sortie.model_dump(mode="json")


def erreurs(donnees: dict[str, Any]) -> list[tuple[tuple[str | int, ...], str]]:
    with pytest.raises(ValidationError) as exc:
        EntreeSimulation.model_validate_json(json.dumps(donnees))
    return [(tuple(e["loc"]), e["msg"]) for e in exc.value.errors()]


def test_a_full_time_contract_of_two_years_gets_6000_by_arrete() -> None:
    assert simuler_json(entree()) == {
        "eligible": True,
        "motifs": [],
        "mois_aides": 12,
        "montant_mensuel": "500.00",
        "montant": "6000.00",
        "date_limite_demande": "2024-12-02",
        "date_versement": "2025-09-02",
        "date_limite_demande_paiement": "2026-11-30",
        "acte": "arrete",
        "version_regles": "contrat-pro/2024-04-01",
        "cumul": {
            "aides_service": "0.00",
            "autres_aides_declarees": "0.00",
            "montant": "6000.00",
            "total": "6000.00",
            "seuil": "23000.00",
        },
    }


def test_the_services_aids_and_the_declared_ones_add_up_to_the_act_they_imply() -> None:
    """Issue 17, item 1: three 6 000 EUR aids of the service that year, none declared: the
    fourth makes 24 000 EUR, over 23 000 EUR (section 4): a convention."""
    sortie = simuler_json(entree(aides_service_annee="18000.00"))
    assert (sortie["acte"], sortie["cumul"]) == (
        "convention",
        {
            "aides_service": "18000.00",
            "autres_aides_declarees": "0.00",
            "montant": "6000.00",
            "total": "24000.00",
            "seuil": "23000.00",
        },
    )
    assert (
        simuler_json(entree(aides_service_annee="11000.00", cumul_aides_annee="6000.00"))["acte"]
        == "arrete"
    )
    assert erreurs(entree(aides_service_annee="-1.00")) == [
        (
            ("aides_service_annee",),
            "Value error, aides_service_annee : « -1.00 » ne peut pas être négatif",
        )
    ]


@pytest.mark.parametrize(
    ("modifications", "montant_mensuel", "montant"),
    [
        ({}, "500.00", "6000.00"),
        ({"date_fin_contrat": "2025-06-30"}, "500.00", "5000.00"),
        ({"date_fin_contrat": "2025-03-01"}, "500.00", "3000.00"),
        ({"duree_hebdomadaire_heures": "28"}, "400.00", "4800.00"),
        (
            {"duree_hebdomadaire_heures": 31.5, "date_fin_contrat": "2025-06-30"},
            "450.00",
            "4500.00",
        ),
    ],
)
def test_the_five_worked_examples_of_section_3(
    modifications: dict[str, Any], montant_mensuel: str, montant: str
) -> None:
    sortie = simuler_json(entree(**modifications))
    assert (sortie["montant_mensuel"], sortie["montant"]) == (montant_mensuel, montant)


def test_a_contract_broken_in_month_4_with_one_unpaid_month_gets_3_months() -> None:
    sortie = simuler_json(
        entree(
            date_fin_effective="2024-12-20",
            suspensions_non_remunerees=[
                {"du": "2024-10-02", "au": "2024-10-20"},
                {"du": "2024-10-21", "au": "2024-11-01"},
            ],
        )
    )
    assert sortie["mois_aides"] == 3
    assert sortie["montant"] == "1500.00"
    assert sortie["date_versement"] == "2024-12-21"
    assert sortie["date_limite_demande_paiement"] == "2025-03-20"


def test_a_break_in_the_first_month_gives_zero_and_says_why() -> None:
    sortie = simuler_json(entree(date_fin_effective="2024-10-01"))
    assert sortie["eligible"] is True
    assert sortie["motifs"] == ["RUPTURE_PREMIER_MOIS"]
    assert (sortie["mois_aides"], sortie["montant"]) == (0, "0.00")


def test_an_ineligible_contract_lists_every_reason_and_still_counts_its_months() -> None:
    sortie = simuler_json(
        entree(
            date_naissance="1995-01-01",
            demandeur_emploi=False,
            code_postal_etablissement="35000",
            certification={"certifinfo": "99999"},
            nature_contrat="qualification_ccn",
            date_demande="2024-12-03",
            cumul_aides_annee="23000.00",
        )
    )
    assert sortie["eligible"] is False
    assert sortie["motifs"] == [
        "AGE_MOINS_30",
        "NON_DEMANDEUR_EMPLOI",
        "HORS_REGION",
        "CERTIFICATION_NON_PRIORITAIRE",
        "NATURE_CONTRAT_EXCLUE",
        "DEMANDE_HORS_DELAI",
    ]
    assert sortie["mois_aides"] == 12
    assert sortie["montant"] == "0.00"
    assert sortie["acte"] == "arrete"


def test_a_branch_cqp_is_found_by_its_certifinfo_code() -> None:
    sortie = simuler_json(entree(certification={"certifinfo": "116177"}))
    assert (sortie["eligible"], sortie["montant"]) == (True, "6000.00")


@pytest.mark.parametrize(
    ("cumul", "acte"),
    [("17000.00", "arrete"), ("17000.01", "convention"), ("0", "arrete"), (25000, "convention")],
)
def test_the_earlier_aid_of_the_year_plus_this_one_above_23000_needs_a_convention(
    cumul: str | int, acte: str
) -> None:
    assert simuler_json(entree(cumul_aides_annee=cumul))["acte"] == acte


def test_optional_fields_default_to_no_break_no_suspension_standard_and_no_earlier_aid() -> None:
    donnees = entree()
    for champ in (
        "date_fin_effective",
        "suspensions_non_remunerees",
        "cumul_aides_annee",
        "nature_contrat",
    ):
        del donnees[champ]
    assert simuler_json(donnees) == simuler_json(entree())


def test_part_time_of_20_hours_is_rounded_to_the_cent_each_month() -> None:
    sortie = simuler_json(entree(duree_hebdomadaire_heures="20"))
    assert (sortie["montant_mensuel"], sortie["montant"]) == ("285.71", "3428.52")


@pytest.mark.parametrize(
    ("modifications", "champ", "extrait"),
    [
        ({"date_debut_contrat": "2024-02-30"}, "date_debut_contrat", "2024-02-30"),
        ({"date_demande": "01/10/2024"}, "date_demande", "01/10/2024"),
        ({"date_fin_effective": "demain"}, "date_fin_effective", "demain"),
        ({"duree_hebdomadaire_heures": "-1"}, "duree_hebdomadaire_heures", "-1"),
        ({"duree_hebdomadaire_heures": 0}, "duree_hebdomadaire_heures", "supérieure à 0"),
        ({"duree_hebdomadaire_heures": "49"}, "duree_hebdomadaire_heures", "48"),
        ({"duree_hebdomadaire_heures": "35.001"}, "duree_hebdomadaire_heures", "deux décimales"),
        ({"duree_hebdomadaire_heures": "trente"}, "duree_hebdomadaire_heures", "trente"),
        ({"certification": {}}, "certification", "RNCP ou un code CERTIFINFO"),
        ({"certification": {"rncp": "RNCP35510"}}, "certification", "RNCP35510"),
        ({"code_postal_etablissement": "4400"}, "code_postal_etablissement", "4400"),
        ({"nature_contrat": "apprentissage"}, "nature_contrat", "apprentissage"),
        ({"demandeur_emploi": "oui"}, "demandeur_emploi", "oui"),
        ({"cumul_aides_annee": "-5.00"}, "cumul_aides_annee", "négatif"),
        ({"cumul_aides_annee": 1500.5}, "cumul_aides_annee", "chaîne décimale"),
        ({"cumul_aides_annee": "12.345"}, "cumul_aides_annee", "centimes"),
        (
            {"suspensions_non_remunerees": [{"du": "2024-12-10", "au": "2024-12-01"}]},
            "suspensions_non_remunerees",
            "précède",
        ),
        (
            {"suspensions_non_remunerees": [{"du": "2024-12-10"}]},
            "suspensions_non_remunerees",
            "required",
        ),
    ],
)
def test_a_malformed_input_is_refused_naming_the_field(
    modifications: dict[str, Any], champ: str, extrait: str
) -> None:
    [(loc, message)] = erreurs(entree(**modifications))
    assert loc[0] == champ
    assert extrait in message


@pytest.mark.parametrize(
    ("modifications", "extrait"),
    [
        ({"date_fin_contrat": "2024-09-01"}, "date_fin_contrat (2024-09-01) est antérieure"),
        ({"date_fin_effective": "2026-09-01"}, "date_fin_effective (2026-09-01) doit être"),
        ({"date_fin_effective": "2024-09-01"}, "date_fin_effective (2024-09-01) doit être"),
        ({"date_naissance": "2024-09-02"}, "date_naissance (2024-09-02) doit précéder"),
    ],
)
def test_inconsistent_dates_are_refused_with_the_fields_and_values(
    modifications: dict[str, Any], extrait: str
) -> None:
    [(_, message)] = erreurs(entree(**modifications))
    assert extrait in message


def test_an_unknown_field_is_refused() -> None:
    [(loc, _)] = erreurs(entree(salaire="1800"))
    assert loc == ("salaire",)


def test_the_python_input_accepts_dates_and_decimals_too() -> None:
    valide = EntreeSimulation.model_validate_json(json.dumps(entree()))
    assert EntreeSimulation.model_validate(valide.model_dump()) == valide
