import copy
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from pydantic import ValidationError

from events.catalogue_cae_dom import CONVENTION_EXEMPLE
from models.cae_dom import (
    ConventionCaeDom,
    NumeroConvention,
    RenouvellementCaeDom,
    SituationRenouvellement,
)
from models.personnel import chemins_personnels
from rules import cae_dom
from rules.cae_dom import Motif

SUPPRIME = object()


def _donnees(**chemins: Any) -> dict[str, Any]:
    """The catalogue's example Cerfa (complete, valid); `contrat__type_contrat="CDI"` replaces
    one field (`SUPPRIME` removes it)."""
    donnees: dict[str, Any] = copy.deepcopy(CONVENTION_EXEMPLE)
    for chemin, valeur in chemins.items():
        *parents, dernier = chemin.split("__")
        noeud = donnees
        for parent in parents:
            noeud = noeud[parent]
        if valeur is SUPPRIME:
            del noeud[dernier]
        else:
            noeud[dernier] = copy.deepcopy(valeur)
    return donnees


def _convention(**chemins: Any) -> ConventionCaeDom:
    return ConventionCaeDom.model_validate(_donnees(**chemins))


def _refus(**chemins: Any) -> tuple[str, str]:
    """The single error of an invalid Cerfa: its path and its message."""
    with pytest.raises(ValidationError) as erreur:
        _convention(**chemins)
    [e] = erreur.value.errors()
    return ".".join(str(p) for p in e["loc"]), e["msg"]


def test_a_complete_cerfa_is_accepted_and_round_trips_through_json() -> None:
    convention = _convention()
    assert ConventionCaeDom.model_validate_json(convention.model_dump_json()) == convention


# --- convention number -----------------------------------------------------------------------


@pytest.mark.parametrize("texte", ["971-24-00123-01-02", "971 24 00123 01 02", "97124001230102"])
def test_convention_number_is_parsed_into_its_five_parts(texte: str) -> None:
    numero = NumeroConvention.model_validate(texte)
    assert (
        numero.departement,
        numero.annee,
        numero.numero_ordre,
        numero.avenant_renouvellement,
        numero.avenant_modification,
    ) == ("971", 2024, 123, 1, 2)
    assert str(numero) == "971-24-00123-01-02"
    assert numero.cle_dossier == "971-24-00123"
    assert not numero.est_initiale


def test_convention_number_is_written_as_text_in_json() -> None:
    assert _convention().model_dump(mode="json")["numero_convention"] == "971-24-00123-00-00"


@pytest.mark.parametrize(
    ("numero", "regle"),
    [
        ("971-24-123-00-00", "format attendu DDD-AA-NNNNN-RR-MM"),
        ("971-2024-00123-00-00", "format attendu DDD-AA-NNNNN-RR-MM"),
        ("971-24-00123-00", "format attendu DDD-AA-NNNNN-RR-MM"),
        ("971-24-00000-00-00", "n° d'ordre 00000"),
        ("976-24-00123-00-00", "HORS_TERRITOIRE"),
        ("075-24-00123-00-00", "HORS_TERRITOIRE"),
    ],
)
def test_a_bad_convention_number_is_refused_with_the_rule(numero: str, regle: str) -> None:
    chemin, message = _refus(numero_convention=numero)
    assert chemin.startswith("numero_convention")
    assert regle in message


def test_the_convention_department_must_be_where_the_contract_is_performed() -> None:
    chemin, message = _refus(numero_convention="972-24-00123-00-00")
    assert chemin == ""
    assert "numero_convention.departement « 972 »" in message
    assert "97110" in message


def test_a_contract_performed_in_saint_martin_belongs_to_department_978() -> None:
    lieu = {"voie": "rue de la République", "code_postal": "97150", "commune": "Marigot"}
    convention = _convention(numero_convention="978-24-00001-00-00", contrat__lieu_execution=lieu)
    assert convention.numero_convention.departement == "978"


# --- employer --------------------------------------------------------------------------------


@pytest.mark.parametrize("siret", ["73282932000074", "732 829 320 00074"])
def test_a_siret_with_a_right_luhn_key_is_accepted(siret: str) -> None:
    assert _convention(employeur__siret=siret).employeur.siret == "73282932000074"


@pytest.mark.parametrize(
    ("siret", "cause"),
    [
        ("73282932000075", "clé de contrôle fausse"),
        ("7328293200007", "longueur incorrecte"),
        ("7328293200007A", "caractères non admis"),
    ],
)
def test_a_bad_siret_is_refused_naming_the_field_the_value_and_luhn(siret: str, cause: str) -> None:
    chemin, message = _refus(employeur__siret=siret)
    assert chemin == "employeur.siret"
    assert f"siret « {siret} »" in message
    assert "Luhn" in message
    assert cause in message


@pytest.mark.parametrize(("naf", "attendu"), [("10.71C", "10.71C"), ("1071c", "10.71C")])
def test_a_naf_code_is_accepted_and_written_with_its_dot(naf: str, attendu: str) -> None:
    assert _convention(employeur__code_naf=naf).employeur.code_naf == attendu


@pytest.mark.parametrize("naf", ["1071", "10.7C", "10.71CC", "AB.71C"])
def test_a_malformed_naf_code_is_refused(naf: str) -> None:
    chemin, message = _refus(employeur__code_naf=naf)
    assert (chemin, naf in message, "NAF rév. 2" in message) == ("employeur.code_naf", True, True)


@pytest.mark.parametrize("statut", ["50", "98", "99"])
def test_employer_status_codes_of_table_1_are_accepted(statut: str) -> None:
    assert _convention(employeur__statut=statut).employeur.statut == statut


def test_an_employer_status_outside_table_1_is_refused() -> None:
    chemin, message = _refus(employeur__statut="51")
    assert chemin == "employeur.statut"
    assert "tableau 1" in message
    assert "50 (Association)" in message


@pytest.mark.parametrize(
    ("code_postal", "departement"),
    [
        ("97110", "971"),
        ("97200", "972"),
        ("97300", "973"),
        ("97400", "974"),
        ("97500", "975"),
        ("97133", "977"),
        ("97150", "978"),
    ],
)
def test_an_employer_in_the_territory_is_accepted(code_postal: str, departement: str) -> None:
    convention = _convention(
        employeur__adresse__code_postal=code_postal,
        numero_convention=f"{departement}-24-00123-00-00",
    )
    assert convention.employeur.adresse.departement == departement


@pytest.mark.parametrize("code_postal", ["97600", "75001", "97510"])
def test_an_employer_postal_code_outside_the_territory_is_refused(code_postal: str) -> None:
    chemin, message = _refus(employeur__adresse__code_postal=code_postal)
    assert chemin == "employeur.adresse.code_postal"
    assert f"« {code_postal} »" in message
    assert "territoire du CAE-DOM" in message


def test_a_place_of_work_outside_the_territory_is_refused() -> None:
    lieu = {"voie": "rue de Rivoli", "code_postal": "75001", "commune": "Paris"}
    chemin, _ = _refus(contrat__lieu_execution=lieu)
    assert chemin == "contrat.lieu_execution.code_postal"


def test_a_mailing_address_or_an_employee_may_be_outside_the_territory() -> None:
    ailleurs = {"voie": "rue de Rivoli", "code_postal": "75001", "commune": "Paris"}
    convention = _convention(employeur__adresse_correspondance=ailleurs, salarie__adresse=ailleurs)
    assert convention.salarie.adresse.code_postal == "75001"


def test_a_malformed_postal_code_is_refused_anywhere() -> None:
    chemin, message = _refus(salarie__adresse__code_postal="7500")
    assert chemin == "salarie.adresse.code_postal"
    assert "5 chiffres" in message


def test_a_malformed_email_is_refused() -> None:
    chemin, _ = _refus(employeur__adresse__adresse_electronique="contact.boulangerie.gp")
    assert chemin == "employeur.adresse.adresse_electronique"


@pytest.mark.parametrize("idcc", ["0843", None])
def test_a_collective_agreement_identifier_of_four_digits_or_none_is_kept(idcc: str | None) -> None:
    convention = _convention(employeur__identifiant_convention_collective=idcc)
    assert convention.employeur.identifiant_convention_collective == idcc


def test_a_collective_agreement_identifier_of_three_digits_is_refused() -> None:
    chemin, _ = _refus(employeur__identifiant_convention_collective="843")
    assert chemin == "employeur.identifiant_convention_collective"


def test_without_the_sworn_statement_the_hiring_authorisation_date_is_required() -> None:
    chemin, message = _refus(employeur__declaration_a_jour_sans_licenciement_economique=False)
    assert chemin == "employeur.date_demande_autorisation_embauche"
    assert "DIECCTE" in message
    convention = _convention(
        employeur__declaration_a_jour_sans_licenciement_economique=False,
        employeur__date_demande_autorisation_embauche="2024-01-05",
    )
    assert convention.employeur.date_demande_autorisation_embauche == date(2024, 1, 5)


# --- employee --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("nir", "date_naissance", "departement"),
    [
        ("185069711234533", "1985-06-10", "971"),
        ("1 85 06 971 123 45 33", "1985-06-10", "971"),
        ("253072B07300470", "1953-07-01", "2B"),
        ("253072A07300443", "1953-07-01", "2A"),
    ],
)
def test_a_nir_with_its_key_is_accepted_corsica_included(
    nir: str, date_naissance: str, departement: str
) -> None:
    convention = _convention(
        salarie__nir=nir,
        salarie__date_naissance=date_naissance,
        salarie__departement_naissance=departement,
    )
    assert len(convention.salarie.nir) == 15


@pytest.mark.parametrize(
    ("nir", "cause"),
    [
        ("185069711234534", "clé de contrôle fausse"),
        ("253072B07300443", "clé de contrôle fausse"),
        ("253072C07300443", "caractères non admis"),
        ("18506971123453", "longueur incorrecte"),
    ],
)
def test_a_bad_nir_is_refused_with_the_rule(nir: str, cause: str) -> None:
    chemin, message = _refus(salarie__nir=nir)
    assert chemin == "salarie.nir"
    assert f"« {nir} »" in message
    assert "2A ou 2B" in message
    assert cause in message


def test_a_nir_whose_birth_year_differs_from_the_birth_date_is_refused() -> None:
    chemin, message = _refus(salarie__date_naissance="1986-06-10")
    assert chemin == "salarie"
    assert "nir" in message
    assert "année de naissance" in message


def test_a_nir_whose_birth_month_differs_from_the_birth_date_is_refused() -> None:
    _, message = _refus(salarie__date_naissance="1985-07-10")
    assert "mois de naissance" in message


@pytest.mark.parametrize("departement", ["2A", "99"])
def test_a_birth_department_of_corsica_or_abroad_is_kept(departement: str) -> None:
    convention = _convention(salarie__departement_naissance=departement)
    assert convention.salarie.departement_naissance == departement


def test_birth_department_00_is_refused() -> None:
    chemin, _ = _refus(salarie__departement_naissance="00")
    assert chemin == "salarie.departement_naissance"


# --- prior situation -------------------------------------------------------------------------


@pytest.mark.parametrize("niveau", ["70", "51", "00"])
def test_training_levels_of_table_2_are_accepted(niveau: str) -> None:
    assert _convention(situation__niveau_formation=niveau).situation.niveau_formation == niveau


def test_a_training_level_outside_table_2_is_refused() -> None:
    chemin, message = _refus(situation__niveau_formation="55")
    assert chemin == "situation.niveau_formation"
    assert "tableau 2" in message


def test_a_registered_job_seeker_must_say_since_when() -> None:
    chemin, _ = _refus(situation__inscrit_pole_emploi_depuis=SUPPRIME)
    assert chemin == "situation.inscrit_pole_emploi_depuis"


def test_a_registered_job_seeker_must_give_the_pole_emploi_identifier() -> None:
    _, message = _refus(numero_ide=SUPPRIME)
    assert "numero_ide" in message


def test_a_malformed_pole_emploi_identifier_is_refused() -> None:
    assert _refus(numero_ide="12-34")[0] == "numero_ide"


def test_an_rsa_beneficiary_must_say_whether_it_is_increased_and_since_when() -> None:
    assert _refus(
        situation__beneficiaire_rsa=True, situation__minima_sociaux_depuis="24_mois_et_plus"
    )[0] == ("situation.rsa_majore")
    assert _refus(situation__beneficiaire_rsa=True, situation__rsa_majore=False)[0] == (
        "situation.minima_sociaux_depuis"
    )


# --- contract --------------------------------------------------------------------------------


def test_a_cdd_without_end_date_is_refused() -> None:
    chemin, message = _refus(contrat__date_fin_prevue=SUPPRIME)
    assert chemin == "contrat.date_fin_prevue"
    assert "obligatoire pour un CDD" in message


def test_a_cdi_has_no_end_date() -> None:
    convention = _convention(contrat__type_contrat="CDI", contrat__date_fin_prevue=SUPPRIME)
    assert convention.contrat.date_fin_prevue is None
    chemin, _ = _refus(contrat__type_contrat="CDI")
    assert chemin == "contrat.date_fin_prevue"


def test_a_cdd_ending_on_its_hiring_day_is_refused() -> None:
    assert _refus(contrat__date_fin_prevue="2024-01-15")[0] == "contrat.date_fin_prevue"


@pytest.mark.parametrize(("rome", "attendu"), [("D1102", "D1102"), ("k2204", "K2204")])
def test_a_rome_code_is_a_letter_and_four_digits(rome: str, attendu: str) -> None:
    assert _convention(contrat__code_rome=rome).contrat.code_rome == attendu


@pytest.mark.parametrize("rome", ["D110", "11102", "DD1102", "D11023"])
def test_a_malformed_rome_code_is_refused(rome: str) -> None:
    chemin, message = _refus(contrat__code_rome=rome)
    assert (chemin, "une lettre et 4 chiffres" in message) == ("contrat.code_rome", True)


def test_weekly_hours_are_given_in_hours_and_minutes() -> None:
    convention = _convention(contrat__duree_hebdomadaire={"heures": 17, "minutes": 30})
    assert convention.contrat.duree_hebdomadaire.en_heures == Fraction(35, 2)


@pytest.mark.parametrize(
    "duree", [{"heures": 35, "minutes": 60}, {"heures": 0, "minutes": 0}, {"heures": 49}]
)
def test_impossible_weekly_hours_are_refused(duree: dict[str, int]) -> None:
    assert _refus(contrat__duree_hebdomadaire=duree)[0].startswith("contrat.duree_hebdomadaire")


# --- actions ---------------------------------------------------------------------------------


def test_an_other_support_action_must_be_described() -> None:
    chemin, _ = _refus(actions__accompagnement_professionnel=[{"type": "autre", "initiative": 3}])
    assert chemin == "actions.accompagnement_professionnel.0.precision"


def test_an_action_type_is_ticked_once() -> None:
    formation = [{"type": "remise_a_niveau", "initiative": 1}] * 2
    chemin, message = _refus(actions__formation=formation)
    assert (chemin, "remise_a_niveau" in message) == ("actions.formation", True)


def test_an_action_initiative_is_1_2_or_3() -> None:
    formation = [{"type": "remise_a_niveau", "initiative": 4}]
    assert _refus(actions__formation=formation)[0] == "actions.formation.0.initiative"


def test_professionalisation_periods_need_the_target_level_of_table_2() -> None:
    assert _refus(actions__periodes_professionnalisation=True)[0] == (
        "actions.niveau_qualification_vise"
    )
    assert _refus(
        actions__periodes_professionnalisation=True, actions__niveau_qualification_vise="99"
    )[1].count("tableau 2")
    convention = _convention(
        actions__periodes_professionnalisation=True, actions__niveau_qualification_vise="40"
    )
    assert convention.actions.niveau_qualification_vise == "40"


# --- coverage --------------------------------------------------------------------------------


def test_coverage_ending_before_it_starts_is_refused() -> None:
    chemin, message = _refus(prise_en_charge__date_fin="2024-01-14")
    assert chemin == "prise_en_charge.date_fin"
    assert "2024-01-14" in message


def test_an_initial_convention_takes_effect_on_the_hiring_day() -> None:
    chemin, message = _refus(prise_en_charge__date_effet="2024-02-01")
    assert "identique à la date d'embauche" in message
    assert chemin == ""


def test_a_renewal_may_take_effect_after_the_hiring_day() -> None:
    convention = _convention(
        numero_convention="971-24-00123-01-00", prise_en_charge__date_effet="2024-02-01"
    )
    assert convention.prise_en_charge.date_effet == date(2024, 2, 1)


def test_coverage_cannot_start_before_hiring() -> None:
    _, message = _refus(
        numero_convention="971-24-00123-01-00", prise_en_charge__date_effet="2024-01-14"
    )
    assert "avant l'embauche" in message


def test_coverage_cannot_outlast_the_cdd() -> None:
    _, message = _refus(prise_en_charge__date_fin="2025-01-15")
    assert "fin prévue du CDD" in message


def test_a_monthly_aid_level_for_full_time_in_cents_is_kept() -> None:
    convention = _convention(prise_en_charge__niveau_prime_mensuel="1000.00")
    assert convention.prise_en_charge.niveau_prime_mensuel == Decimal("1000.00")


@pytest.mark.parametrize("niveau", ["0", "1000.001", "-5"])
def test_a_monthly_aid_level_not_positive_or_below_the_cent_is_refused(niveau: str) -> None:
    chemin, _ = _refus(prise_en_charge__niveau_prime_mensuel=niveau)
    assert chemin == "prise_en_charge.niveau_prime_mensuel"


# --- rules through the model -----------------------------------------------------------------


def test_a_convention_concluded_after_hiring_is_not_eligible() -> None:
    convention = _convention(date_signature_etat="2024-01-16")
    assert convention.date_convention == date(2024, 1, 16)
    assert convention.motifs_refus() == [Motif.CONVENTION_APRES_EMBAUCHE]


def test_rsa_financed_by_the_department_is_read_as_rsa_socle_for_30_months() -> None:
    convention = _convention(
        situation__beneficiaire_rsa=True,
        situation__rsa_majore=False,
        situation__minima_sociaux_depuis="12_a_23_mois",
    )
    assert convention.duree_maximale_mois() == 30


def test_an_rsa_beneficiary_turning_50_in_the_first_two_years_gets_60_months() -> None:
    convention = _convention(
        salarie__nir="175069711234538",
        salarie__date_naissance="1975-06-10",
        situation__beneficiaire_rsa=True,
        situation__rsa_majore=False,
        situation__minima_sociaux_depuis="12_a_23_mois",
    )
    assert convention.duree_maximale_mois() == 60


def test_a_planned_qualifying_training_extends_to_60_months() -> None:
    formation = [{"type": "formation_qualifiante", "initiative": 2}]
    assert _convention(actions__formation=formation).duree_maximale_mois() == 60


def test_a_renewal_counts_the_maximum_from_the_initial_start_the_hiring_day_by_default() -> None:
    """Issue 18: before, a renewal Cerfa counted from its own start (2025-01-15) and was
    accepted to 2026-01-15; the initial convention started on the hiring day (2024-01-15)."""
    convention = _convention(
        numero_convention="971-24-00123-01-00",
        contrat__type_contrat="CDI",
        contrat__date_fin_prevue=SUPPRIME,
        prise_en_charge__date_effet="2025-01-15",
        prise_en_charge__date_fin="2026-01-15",
    )
    assert convention.motifs_refus() == [Motif.DUREE_MAXIMALE_DEPASSEE]
    assert convention.motifs_refus(debut_initial=date(2025, 1, 15)) == []


def test_the_convention_schedule_uses_hours_and_minutes_against_the_collective_duration() -> None:
    echeances = _convention().echeancier()
    assert echeances[0].trimestre == "2024-T1"
    # 1000 x 26/35 x (17/31 + 2) = 1893.087...
    assert echeances[0].montant == Decimal("1893.09")
    assert echeances[-1].au == date(2025, 1, 14)


# --- issue 18: renewal Cerfa, situation at renewal ------------------------------------------


def _cerfa_renouvellement(**chemins: Any) -> ConventionCaeDom:
    """A renewal Cerfa (01-00): hired on 2022-03-01, renewed from 2024-03-01, signed after."""
    return _convention(
        numero_convention="971-24-00123-01-00",
        contrat__type_contrat="CDI",
        contrat__date_fin_prevue=None,
        contrat__date_embauche="2022-03-01",
        prise_en_charge__date_effet="2024-03-01",
        prise_en_charge__date_fin="2025-02-28",
        **chemins,
    )


def test_a_renewal_cerfa_signed_after_the_hiring_is_not_refused_for_it() -> None:
    cerfa = _cerfa_renouvellement(situation__travailleur_handicape=True)
    assert cerfa.debut_initial == date(2022, 3, 1)
    assert cerfa.motifs_refus() == []


def test_a_renewal_cerfa_counts_its_maximum_from_the_initial_start() -> None:
    cerfa = _cerfa_renouvellement()
    assert cerfa.duree_maximale_mois() == 24
    assert cerfa.motifs_refus() == [Motif.DUREE_MAXIMALE_DEPASSEE]


def test_a_renewal_cerfa_may_name_the_initial_start() -> None:
    cerfa = _cerfa_renouvellement(date_effet_initiale="2023-03-01")
    assert cerfa.debut_initial == date(2023, 3, 1)
    assert cerfa.motifs_refus() == []  # 2023-03-01 + 24 months - 1 day = 2025-02-28


def test_an_initial_convention_takes_no_initial_start() -> None:
    chemin, message = _refus(date_effet_initiale="2024-01-15")
    assert chemin == ""  # a check across sections: pydantic gives no path
    assert "date_effet_initiale « 2024-01-15 » : sans objet pour une convention initiale" in message


def test_the_initial_start_cannot_follow_the_renewal() -> None:
    with pytest.raises(ValidationError, match=r"date_effet_initiale « 2024-04-01 » : la prise"):
        _cerfa_renouvellement(date_effet_initiale="2024-04-01")


def test_a_renewal_without_situation_stays_valid() -> None:
    avenant = RenouvellementCaeDom.model_validate(
        {
            "numero_convention": "971-24-00123-01-00",
            "date_signature": "2024-12-20",
            "date_fin": "2026-01-14",
        }
    )
    assert avenant.situation is None


def test_a_minimum_benefit_at_renewal_needs_the_date_of_birth() -> None:
    with pytest.raises(ValidationError) as erreur:
        SituationRenouvellement.model_validate({"beneficiaire_ass": True})
    assert (
        "situation.date_naissance (non renseigné) : obligatoire pour un bénéficiaire de l'ASS"
        in str(erreur.value)
    )


def test_the_situation_at_renewal_gives_the_facts_of_the_maximum() -> None:
    situation = SituationRenouvellement.model_validate(
        {"beneficiaire_ass": True, "date_naissance": "1975-06-10"}
    )
    beneficiaire = situation.beneficiaire(date(1975, 6, 10))
    assert beneficiaire.percoit_minima_sociaux
    assert cae_dom.duree_maximale_mois(beneficiaire, date(2024, 1, 15)) == 60


def test_the_birth_date_of_the_situation_is_a_personal_field() -> None:
    assert ("situation", "date_naissance") in chemins_personnels(RenouvellementCaeDom)
