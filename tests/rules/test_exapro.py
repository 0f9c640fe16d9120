"""EXAPRO field and row rules (seed 002, « Descriptif des données »)."""

import unicodedata

import pytest

from rules.exapro import (
    NOM_FICHIER,
    Contexte,
    Erreur,
    Examen,
    examen_du_nom_fichier,
    valider_candidat,
    valider_colonnes,
    valider_entete,
    valider_nom_fichier,
    verifier_nom,
)
from tests.factories import CANDIDAT_BCP

AUTRES = {
    Examen.BP: {"categ_socio_pro": "", "serie": "33608", "categorie": "410", "INE": ""},
    Examen.MC3: {"categ_socio_pro": "", "serie": "33410", "categorie": "110"},
    Examen.MC4: {"categ_socio_pro": "", "serie": "33501", "categorie": "110"},
    Examen.CAP: {"categ_socio_pro": "", "serie": "22139", "categorie": "122"},
    Examen.ARI: {"categ_socio_pro": "", "serie": "25510", "categorie": "131"},
}
SESSIONS = {
    Examen.BCP: "2024",
    Examen.ARI: "2024",
    Examen.BP: "2024-06",
    Examen.MC3: "2024-06",
    Examen.MC4: "2024-06",
    Examen.CAP: "2024-06",
}
NE_AU_MAROC = {
    "pays_naissance": "350",
    "depCOM_naissance": "",
    "commune_naissance": "RABAT",
    "nationalite": "350",
}
RESIDE_EN_BELGIQUE = {"pays": "131", "code_postal": "1000", "localite": "BRUXELLES"}


def ligne(examen: Examen = Examen.BCP, **modifs: str) -> dict[str, str]:
    return {**CANDIDAT_BCP, **AUTRES.get(examen, {}), **modifs}


def erreurs(
    examen: Examen = Examen.BCP,
    session: str | None = "",
    *,
    controle_ine: bool = False,
    **modifs: str,
) -> list[tuple[str, str]]:
    return erreurs_avec(examen, modifs, session, controle_ine=controle_ine)


def erreurs_avec(
    examen: Examen,
    modifs: dict[str, str],
    session: str | None = "",
    *,
    controle_ine: bool = False,
) -> list[tuple[str, str]]:
    """(field, rule) of each error of a valid row of `examen` changed by `modifs`; session ""
    is the exam's 2024 session, None an unknown session."""
    ctx = Contexte(examen, SESSIONS[examen] if session == "" else session, controle_ine)
    return [(e.champ, e.regle) for e in valider_candidat(ligne(examen, **modifs), ctx, 7)]


@pytest.mark.parametrize("examen", list(Examen))
def test_a_complete_row_of_each_exam_has_no_error(examen: Examen) -> None:
    assert erreurs(examen) == []


# (exam, field, valid modifications, invalid modifications, rule broken)
REGLES = [
    ("civilite.valeur", Examen.BCP, "civilite", {"civilite": "M"}, {"civilite": "H"}),
    ("obligatoire", Examen.BCP, "civilite", {"civilite": "F"}, {"civilite": ""}),
    ("obligatoire", Examen.BCP, "nom_famille", {}, {"nom_famille": ""}),
    ("obligatoire", Examen.BCP, "prenoms", {}, {"prenoms": ""}),
    ("taille", Examen.BCP, "nom_famille", {"nom_famille": "A" * 100}, {"nom_famille": "A" * 101}),
    ("taille", Examen.BCP, "nom_usage", {"nom_usage": "B" * 100}, {"nom_usage": "B" * 101}),
    ("taille", Examen.BCP, "prenoms", {"prenoms": "C" * 40}, {"prenoms": "C" * 41}),
    (
        "nom.caracteres",
        Examen.BCP,
        "nom_famille",
        {"nom_famille": "D'ARC"},
        {"nom_famille": "D4RC"},
    ),
    ("nom.caracteres", Examen.BCP, "nom_usage", {"nom_usage": "LÉON/NOËL"}, {"nom_usage": "LEON."}),
    ("nom.caracteres", Examen.BCP, "prenoms", {"prenoms": "Zoé Åsa"}, {"prenoms": "Zoé_Åsa"}),
    (
        "nom.debut",
        Examen.BCP,
        "nom_famille",
        {"nom_famille": "'T HOOFT"},
        {"nom_famille": " HOOFT"},
    ),
    ("nom.debut", Examen.BCP, "prenoms", {"prenoms": "Anne-Lise"}, {"prenoms": "-Anne"}),
    (
        "nom.speciaux",
        Examen.BCP,
        "nom_famille",
        {"nom_famille": "MOREAU--LEROY"},
        {"nom_famille": "MOREAU -LEROY"},
    ),
    ("ine.format", Examen.BCP, "INE", {"INE": "123456789ZZ"}, {"INE": "12345678ZZZ"}),
    ("ine.format", Examen.BCP, "INE", {"INE": ""}, {"INE": "123456789zz"}),
    ("obligatoire", Examen.BCP, "pays_naissance", NE_AU_MAROC, {"pays_naissance": ""}),
    (
        "pays.code",
        Examen.BCP,
        "pays_naissance",
        {**NE_AU_MAROC, "pays_naissance": "AUT"},
        {"pays_naissance": "350 "},
    ),
    ("obligatoire", Examen.BCP, "date_naissance", {}, {"date_naissance": ""}),
    (
        "date.format",
        Examen.BCP,
        "date_naissance",
        {"date_naissance": "01/01/2008"},
        {"date_naissance": "1/1/2008"},
    ),
    (
        "date.reelle",
        Examen.BCP,
        "date_naissance",
        {"date_naissance": "29/02/2008"},
        {"date_naissance": "29/02/2007"},
    ),
    (
        "obligatoire",
        Examen.BCP,
        "depCOM_naissance",
        {"depCOM_naissance": "02A", "commune_naissance": "2A004"},
        {"depCOM_naissance": ""},
    ),
    (
        "departement.code",
        Examen.BCP,
        "depCOM_naissance",
        {"depCOM_naissance": "976", "commune_naissance": "97611"},
        {"depCOM_naissance": "977A"},
    ),
    (
        "departement.code",
        Examen.BCP,
        "depCOM_naissance",
        {"depCOM_naissance": "971", "commune_naissance": "97101"},
        {"depCOM_naissance": "020"},
    ),
    (
        "departement.format",
        Examen.BCP,
        "depCOM_naissance",
        {**NE_AU_MAROC, "depCOM_naissance": "RB"},
        {**NE_AU_MAROC, "depCOM_naissance": "RÂB"},
    ),
    ("obligatoire", Examen.BCP, "commune_naissance", {}, {"commune_naissance": ""}),
    (
        "commune.insee",
        Examen.BCP,
        "commune_naissance",
        {"commune_naissance": "54395"},
        {"commune_naissance": "5439"},
    ),
    (
        "taille",
        Examen.BCP,
        "commune_naissance",
        {**NE_AU_MAROC, "commune_naissance": "R" * 50},
        {**NE_AU_MAROC, "commune_naissance": "R" * 51},
    ),
    (
        "commune.caracteres",
        Examen.BCP,
        "commune_naissance",
        {**NE_AU_MAROC, "commune_naissance": "SALÉ, 2° – NORD/SUD. L'OUEST-1"},
        {**NE_AU_MAROC, "commune_naissance": "SALÉ!"},
    ),
    (
        "commune.numerique",
        Examen.BCP,
        "commune_naissance",
        {**NE_AU_MAROC, "commune_naissance": "10000 RABAT"},
        {**NE_AU_MAROC, "commune_naissance": "10000"},
    ),
    ("obligatoire", Examen.BCP, "nationalite", {"nationalite": "AUT"}, {"nationalite": ""}),
    ("pays.code", Examen.BCP, "nationalite", {"nationalite": "139"}, {"nationalite": "PRT"}),
    ("obligatoire", Examen.BCP, "pays", RESIDE_EN_BELGIQUE, {"pays": ""}),
    ("pays.code", Examen.BCP, "pays", RESIDE_EN_BELGIQUE, {**RESIDE_EN_BELGIQUE, "pays": "132B"}),
    (
        "pays.aut_residence",
        Examen.BCP,
        "pays",
        RESIDE_EN_BELGIQUE,
        {**RESIDE_EN_BELGIQUE, "pays": "AUT"},
    ),
    ("obligatoire", Examen.BCP, "adresse_1", {}, {"adresse_1": ""}),
    ("taille", Examen.BCP, "adresse_1", {"adresse_1": "a" * 38}, {"adresse_1": "a" * 39}),
    ("taille", Examen.BCP, "adresse_4", {"adresse_4": "a" * 38}, {"adresse_4": "a" * 39}),
    (
        "adresse.caracteres",
        Examen.BCP,
        "adresse_1",
        {"adresse_1": "Rés. Les Pins, bât. 2, n° 4/5 - l'Est"},
        {"adresse_1": "Rés. Les Pins; bât. 2"},
    ),
    (
        "adresse.caracteres",
        Examen.BCP,
        "adresse_2",
        {"adresse_2": "Appt 12"},
        {"adresse_2": "Appt (12)"},
    ),
    ("adresse.caracteres", Examen.BCP, "adresse_3", {"adresse_3": "BP 12"}, {"adresse_3": "BP_12"}),
    ("obligatoire", Examen.BCP, "code_postal", {"code_postal": "97400"}, {"code_postal": ""}),
    (
        "code_postal.france",
        Examen.BCP,
        "code_postal",
        {"code_postal": "02100"},
        {"code_postal": "2100A"},
    ),
    (
        "code_postal.etranger",
        Examen.BCP,
        "code_postal",
        {**RESIDE_EN_BELGIQUE, "code_postal": ""},
        {**RESIDE_EN_BELGIQUE, "code_postal": "1000 BXL"},
    ),
    (
        "code_postal.etranger",
        Examen.BCP,
        "code_postal",
        {**RESIDE_EN_BELGIQUE, "code_postal": "SW1A1AA"},
        {**RESIDE_EN_BELGIQUE, "code_postal": "12345678901"},
    ),
    ("obligatoire", Examen.BCP, "localite", {}, {"localite": ""}),
    ("taille", Examen.BCP, "localite", {"localite": "L" * 50}, {"localite": "L" * 51}),
    (
        "adresse.caracteres",
        Examen.BCP,
        "localite",
        {"localite": "SAINT-ÉTIENNE"},
        {"localite": "ST ETIENNE (42)"},
    ),
    (
        "telephone.format",
        Examen.BCP,
        "telephone",
        {"telephone": "+33383123456"},
        {"telephone": "03.83.12.34.56"},
    ),
    (
        "telephone.format",
        Examen.BCP,
        "telephone_mobile",
        {"telephone_mobile": "+33612345678"},
        {"telephone_mobile": "06123+45678"},
    ),
    (
        "taille",
        Examen.BCP,
        "telephone_mobile",
        {"telephone_mobile": "+" + "1" * 24},
        {"telephone_mobile": "+" + "1" * 25},
    ),
    ("obligatoire", Examen.BCP, "telephone_mobile", {}, {"telephone_mobile": ""}),
    ("obligatoire", Examen.BCP, "adresse_mail", {}, {"adresse_mail": ""}),
    (
        "mail.format",
        Examen.BCP,
        "adresse_mail",
        {"adresse_mail": "o'neil.j_r{x}|y~z@mail-1.ac-lyon.fr"},
        {"adresse_mail": "jean@-mail.fr"},
    ),
    (
        "mail.format",
        Examen.BCP,
        "adresse_mail",
        {"adresse_mail": "jean@mail.fr"},
        {"adresse_mail": "jean@mail-.fr"},
    ),
    (
        "mail.format",
        Examen.BCP,
        "adresse_mail",
        {"adresse_mail": "a@b.c"},
        {"adresse_mail": "jean dupont@mail.fr"},
    ),
    (
        "taille",
        Examen.BCP,
        "adresse_mail",
        {"adresse_mail": "a" * 92 + "@mail.fr"},
        {"adresse_mail": "a" * 93 + "@mail.fr"},
    ),
    (
        "obligatoire",
        Examen.BCP,
        "categ_socio_pro",
        {"categ_socio_pro": "99"},
        {"categ_socio_pro": ""},
    ),
    (
        "csp.code",
        Examen.BCP,
        "categ_socio_pro",
        {"categ_socio_pro": "10"},
        {"categ_socio_pro": "1"},
    ),
    ("csp.code", Examen.CAP, "categ_socio_pro", {"categ_socio_pro": ""}, {"categ_socio_pro": "70"}),
    ("obligatoire", Examen.BCP, "etablissement", {}, {"etablissement": ""}),
    (
        "etablissement.format",
        Examen.BCP,
        "etablissement",
        {"etablissement": "07500012"},
        {"etablissement": "075000A"},
    ),
    (
        "etablissement.format",
        Examen.BCP,
        "etablissement",
        {"etablissement": "0750001Z"},
        {"etablissement": "0750001AB"},
    ),
    (
        "taille",
        Examen.BCP,
        "division_classe",
        {"division_classe": "12345678"},
        {"division_classe": "123456789"},
    ),
    (
        "division.caracteres",
        Examen.BCP,
        "division_classe",
        {"division_classe": "T;,&'><."},
        {"division_classe": "T/1"},
    ),
    (
        "division.caracteres",
        Examen.BCP,
        "division_classe",
        {"division_classe": "1ÈRE_B-2"},
        {"division_classe": "1RE B"},
    ),
    ("obligatoire", Examen.BCP, "serie", {}, {"serie": ""}),
    ("serie.code", Examen.BCP, "serie", {"serie": "25510"}, {"serie": "33608"}),
    ("serie.code", Examen.CAP, "serie", {"serie": "3320M"}, {"serie": "3320m"}),
    ("serie.fermee", Examen.BCP, "serie", {"serie": "22308"}, {"serie": "25007"}),
    ("serie.fermee", Examen.BP, "serie", {"serie": "31207"}, {"serie": "31206"}),
    ("serie.fermee", Examen.MC4, "serie", {"serie": "31101"}, {"serie": "31102"}),
    ("serie.fermee", Examen.ARI, "serie", {"serie": "33007"}, {"serie": "33003"}),
    (
        "enseignement.non_concerne",
        Examen.BP,
        "enseignement",
        {"enseignement": ""},
        {"enseignement": "EURO"},
    ),
    (
        "enseignement.non_concerne",
        Examen.MC3,
        "enseignement",
        {"enseignement": ""},
        {"enseignement": "DOMACTPHY"},
    ),
    (
        "enseignement.non_concerne",
        Examen.ARI,
        "enseignement",
        {"enseignement": ""},
        {"enseignement": "EURO"},
    ),
    (
        "enseignement.code",
        Examen.BCP,
        "enseignement",
        {"enseignement": "DOMSECINC"},
        {"enseignement": "domsecinc"},
    ),
    (
        "enseignement.code",
        Examen.MC4,
        "enseignement",
        {"enseignement": "DOMACTAQU"},
        {"enseignement": "EURO"},
    ),
    (
        "enseignement.specialite",
        Examen.MC4,
        "enseignement",
        {"serie": "33501", "enseignement": "DOMACTPHY"},
        {"serie": "33502", "enseignement": "DOMACTPHY"},
    ),
    (
        "enseignement.specialite",
        Examen.CAP,
        "enseignement",
        {"serie": "3320M", "enseignement": "AUTRE2"},
        {"serie": "3320M", "enseignement": "AUTRE1"},
    ),
    ("obligatoire", Examen.BCP, "categorie", {}, {"categorie": ""}),
    ("categorie.code", Examen.BCP, "categorie", {"categorie": "584"}, {"categorie": "110"}),
    ("categorie.code", Examen.ARI, "categorie", {"categorie": "230"}, {"categorie": "133"}),
    ("categorie.code", Examen.CAP, "categorie", {"categorie": "599"}, {"categorie": "411"}),
    (
        "obligatoire",
        Examen.BCP,
        "langue_section_euro",
        {"enseignement": "EURO", "langue_section_euro": "EUROSUE"},
        {"enseignement": "EURO"},
    ),
    (
        "langue.code",
        Examen.BCP,
        "langue_section_euro",
        {"enseignement": "EURO", "langue_section_euro": "EUROPOR"},
        {"enseignement": "EURO", "langue_section_euro": "EUROLAT"},
    ),
    (
        "langue.sans_euro",
        Examen.BCP,
        "langue_section_euro",
        {"enseignement": "DOMSECPUB"},
        {"enseignement": "DOMSECPUB", "langue_section_euro": "EUROANG"},
    ),
    (
        "langue.non_concerne",
        Examen.CAP,
        "langue_section_euro",
        {},
        {"langue_section_euro": "EUROANG"},
    ),
    ("version.valeur", Examen.BCP, "Version", {"Version": "1.0"}, {"Version": "1"}),
    (
        "annee_session.format",
        Examen.BCP,
        "annee_session",
        {"annee_session": "2024"},
        {"annee_session": "2024-06"},
    ),
    (
        "annee_session.format",
        Examen.BP,
        "annee_session",
        {"annee_session": "2024-06"},
        {"annee_session": "2024-13"},
    ),
    (
        "annee_session.incoherente",
        Examen.CAP,
        "annee_session",
        {"annee_session": "2024-06"},
        {"annee_session": "2024-09"},
    ),
    (
        "date_heure.format",
        Examen.BCP,
        "date_heure_export",
        {"date_heure_export": "15/01/2024 00:00"},
        {"date_heure_export": "15/01/2024 0:00"},
    ),
    (
        "date_heure.reelle",
        Examen.BCP,
        "date_heure_export",
        {"date_heure_export": "31/12/2024 23:59"},
        {"date_heure_export": "31/12/2024 23:60"},
    ),
]


@pytest.mark.parametrize(
    ("regle", "examen", "champ", "valide", "invalide"),
    REGLES,
    ids=[f"{r[0]}-{r[1]}-{r[2]}-{i}" for i, r in enumerate(REGLES)],
)
def test_each_rule_accepts_its_valid_value_and_reports_only_its_invalid_one(
    regle: str, examen: Examen, champ: str, valide: dict[str, str], invalide: dict[str, str]
) -> None:
    assert erreurs_avec(examen, valide) == []
    assert erreurs_avec(examen, invalide) == [(champ, regle)]


def test_the_ine_is_optional_without_the_ine_control() -> None:
    assert erreurs(INE="") == []


def test_the_ine_is_mandatory_for_a_school_candidate_with_the_ine_control() -> None:
    assert erreurs(controle_ine=True, INE="") == [("INE", "obligatoire")]
    assert erreurs(controle_ine=True) == []


@pytest.mark.parametrize("categorie", ["320", "412", "581"])
def test_the_ine_control_does_not_concern_apprentices_adults_or_former_pupils(
    categorie: str,
) -> None:
    assert erreurs(controle_ine=True, INE="", categorie=categorie) == []


def test_the_ine_control_concerns_cap_pupils_of_a_segpa() -> None:
    assert erreurs(Examen.CAP, controle_ine=True, INE="", categorie="124") == [
        ("INE", "obligatoire")
    ]


def test_categ_socio_pro_is_not_asked_outside_the_bcp() -> None:
    for examen in (Examen.BP, Examen.MC3, Examen.MC4, Examen.CAP, Examen.ARI):
        assert erreurs(examen, categ_socio_pro="") == []
        assert erreurs(examen, categ_socio_pro="84") == []


def test_bcp_teaching_options_apply_to_any_specialty() -> None:
    assert erreurs(serie="25510", enseignement="DOMSECINC") == []
    assert erreurs(serie="34403", enseignement="DOMSECPUB") == []


def test_a_double_hyphen_is_the_only_run_of_special_characters_allowed_in_names() -> None:
    assert verifier_nom("nom_famille", "DE LA--TOUR") == []
    for suite in ("DE--'TOUR", "DE---TOUR", "DE - TOUR", "O'/NEIL", "DE  TOUR"):
        assert [r for r, _ in verifier_nom("nom_famille", suite)] == ["nom.speciaux"], suite


def test_names_may_end_with_a_special_character_the_text_forbids_only_leading_ones() -> None:
    assert verifier_nom("nom_famille", "DUPONT-") == []


def test_names_accept_accented_latin_letters_of_foreign_candidates() -> None:
    for nom in ("Michał", "Şahin", "Ærø", "Cœur", "Đorđe", "Ñúñez", "Ÿvonne"):
        assert verifier_nom("prenoms", nom) == [], nom


def test_names_refuse_non_latin_letters_and_the_typographic_apostrophe() -> None:
    for nom in ("Αλέξης", "Иван", "D’ARC", "LÉA2", "Zoé!"):
        assert [r for r, _ in verifier_nom("prenoms", nom)] == ["nom.caracteres"], nom


def test_decomposed_accents_count_as_one_letter() -> None:
    decompose = unicodedata.normalize("NFD", "É" * 40)
    assert len(decompose) == 80
    assert erreurs(prenoms=decompose) == []


def test_a_plus_sign_in_the_email_local_part_is_refused_as_the_text_omits_it() -> None:
    assert erreurs(adresse_mail="manon+lycee@gmail.com") == [("adresse_mail", "mail.format")]


def test_an_email_domain_needs_a_dot_and_may_have_several() -> None:
    assert erreurs(adresse_mail="manon@localhost") == [("adresse_mail", "mail.format")]
    assert erreurs(adresse_mail="m.p@eleves.lycee-jean-zay.ac-orleans-tours.fr") == []


def test_a_phone_number_may_start_with_plus_only_at_the_start() -> None:
    assert erreurs(telephone="+33383123456") == []
    assert erreurs(telephone="0033383123456") == []
    assert erreurs(telephone="+") == [("telephone", "telephone.format")]


def test_a_commune_born_in_an_unknown_country_is_only_checked_for_size() -> None:
    assert erreurs(pays_naissance="999", depCOM_naissance="", commune_naissance="12345") == [
        ("pays_naissance", "pays.code")
    ]


def test_a_department_code_is_optional_for_a_candidate_born_abroad() -> None:
    assert erreurs_avec(Examen.BCP, NE_AU_MAROC) == []
    assert erreurs_avec(Examen.BCP, {**NE_AU_MAROC, "depCOM_naissance": "075"}) == []


def test_a_postal_code_is_optional_for_a_candidate_living_abroad() -> None:
    assert erreurs_avec(Examen.BCP, {**RESIDE_EN_BELGIQUE, "code_postal": ""}) == []


def test_a_specialty_not_yet_open_for_the_session_is_refused() -> None:
    assert erreurs(session="2023", serie="22707") == [("serie", "serie.pas_ouverte")]
    assert erreurs(session="2024", serie="22707") == []
    assert erreurs(Examen.CAP, session="2023-06", serie="31124") == [("serie", "serie.pas_ouverte")]


def test_a_specialty_is_checked_against_its_last_session_inclusive() -> None:
    assert erreurs(session="2021", serie="31202") == []
    assert erreurs(session="2022", serie="31202") == [("serie", "serie.fermee")]
    assert erreurs(Examen.CAP, session="2023-06", serie="23440") == []
    assert erreurs(Examen.CAP, session="2024-06", serie="23440") == [("serie", "serie.fermee")]


def test_without_a_known_session_only_the_specialty_list_is_checked() -> None:
    assert erreurs(session=None, serie="31202") == []
    assert erreurs(session=None, serie="99999") == [("serie", "serie.code")]


def test_a_row_own_session_is_the_one_its_specialty_is_checked_against() -> None:
    assert erreurs(session=None, annee_session="2021", serie="31202") == []
    assert erreurs(session=None, annee_session="2022", serie="31202") == [("serie", "serie.fermee")]


def test_every_error_of_a_row_is_reported_in_table_order() -> None:
    assert erreurs(
        civilite="X",
        nom_famille=" DUP0NT",
        INE="1",
        date_naissance="31/04/2007",
        pays="AUT",
        adresse_mail="x",
        serie="31299",
        categorie="000",
    ) == [
        ("civilite", "civilite.valeur"),
        ("nom_famille", "nom.caracteres"),
        ("nom_famille", "nom.debut"),
        ("INE", "ine.format"),
        ("date_naissance", "date.reelle"),
        ("pays", "pays.aut_residence"),
        ("adresse_mail", "mail.format"),
        ("serie", "serie.code"),
        ("categorie", "categorie.code"),
    ]


def test_an_error_names_the_line_the_field_and_the_value_in_french() -> None:
    [erreur] = valider_candidat(ligne(date_naissance="31/04/2007"), Contexte(Examen.BCP), 12)
    assert erreur.en_dict() == {
        "ligne": 12,
        "champ": "date_naissance",
        "valeur": "31/04/2007",
        "message": "Date de naissance (date_naissance) « 31/04/2007 » : cette date n'existe pas.",
    }


def test_a_missing_value_error_says_why_the_field_is_mandatory() -> None:
    [erreur] = valider_candidat(ligne(code_postal=""), Contexte(Examen.BCP), 3)
    assert erreur.valeur == ""
    assert "obligatoire" in erreur.message
    assert "résidant en France" in erreur.message


def test_a_missing_csv_column_of_a_mandatory_field_is_not_repeated_on_every_row() -> None:
    sans_telephone = {k: v for k, v in ligne().items() if k != "telephone_mobile"}
    assert valider_candidat(sans_telephone, Contexte(Examen.BCP, "2024"), 2) == []
    colonnes = valider_colonnes(frozenset(sans_telephone), Contexte(Examen.BCP))
    assert [(e.ligne, e.champ, e.regle) for e in colonnes] == [
        (1, "telephone_mobile", "colonne.absente")
    ]


def test_a_missing_csv_column_of_a_conditional_field_is_reported_on_the_rows_that_need_it() -> None:
    sans_code_postal = {k: v for k, v in ligne().items() if k != "code_postal"}
    assert valider_colonnes(frozenset(sans_code_postal), Contexte(Examen.BCP)) == []
    assert [e.regle for e in valider_candidat(sans_code_postal, Contexte(Examen.BCP), 2)] == [
        "obligatoire"
    ]


def test_the_csp_column_is_mandatory_in_a_bcp_file_only() -> None:
    colonnes = frozenset(k for k in ligne() if k != "categ_socio_pro")
    assert [e.champ for e in valider_colonnes(colonnes, Contexte(Examen.BCP))] == [
        "categ_socio_pro"
    ]
    assert valider_colonnes(colonnes, Contexte(Examen.CAP)) == []


def test_the_xml_entete_fields_are_mandatory() -> None:
    ctx = Contexte(Examen.BCP, "2024")
    assert [(e.ligne, e.champ, e.regle) for e in valider_entete({}, ctx)] == [
        (0, "Version", "obligatoire"),
        (0, "annee_session", "obligatoire"),
        (0, "date_heure_export", "obligatoire"),
    ]
    entete = {"Version": "1.0", "annee_session": "2024", "date_heure_export": "15/01/2024 10:30"}
    assert valider_entete(entete, ctx) == []


def test_the_xml_entete_session_must_match_the_file_name() -> None:
    entete = {"Version": "1.0", "annee_session": "2023", "date_heure_export": "15/01/2024 10:30"}
    assert [e.regle for e in valider_entete(entete, Contexte(Examen.BCP, "2024"))] == [
        "annee_session.incoherente"
    ]


# --- file name ---


@pytest.mark.parametrize(
    ("nom", "examen"),
    [
        ("BCP2021_2.0_2021_301120170000.csv", Examen.BCP),
        ("BP2024_1.0_2024-06_160120240915.csv", Examen.BP),
        ("MC32024_1.0_2024-06_160120240915.xml", Examen.MC3),
        ("MC42024_1.0_2024-06_160120240915.csv", Examen.MC4),
        ("cap_lycee_1.0_2024-06_160120240915.CSV", Examen.CAP),
        ("ARI2024_1.0_2024_160120240915.xml", Examen.ARI),
    ],
)
def test_a_well_formed_file_name_names_its_exam_and_session(nom: str, examen: Examen) -> None:
    assert examen_du_nom_fichier(nom) is examen
    erreurs_nom, session = valider_nom_fichier(nom, examen)
    assert erreurs_nom == []
    assert session == nom.rsplit("_", 2)[1]


def test_a_file_name_starting_with_no_exam_code_names_no_exam() -> None:
    assert examen_du_nom_fichier("candidats_1.0_2024_160120240915.csv") is None
    assert examen_du_nom_fichier("MC2024_1.0_2024_160120240915.csv") is None


@pytest.mark.parametrize(
    ("nom", "regles"),
    [
        ("BCP2024.csv", ["nom_fichier.format"]),
        ("BCP2024_1.0_2024_160120240915.txt", ["nom_fichier.format"]),
        ("BCP2024__2024_160120240915.csv", ["nom_fichier.format"]),
        ("BCP2024_v1_2024_160120240915.csv", ["nom_fichier.version"]),
        ("BCP2024_1.0_2024-06_160120240915.csv", ["nom_fichier.annee_session"]),
        ("BCP2024_1.0_2024_1601202409.csv", ["nom_fichier.date"]),
        ("BCP2024_1.0_2024_300220240915.csv", ["nom_fichier.date"]),
        ("BCP2024_1.0_2024_160120242415.csv", ["nom_fichier.date"]),
        (
            "BCP2024_1_24_2024.csv",
            ["nom_fichier.version", "nom_fichier.annee_session", "nom_fichier.date"],
        ),
    ],
)
def test_a_malformed_file_name_is_reported_on_line_zero(nom: str, regles: list[str]) -> None:
    erreurs_nom, _ = valider_nom_fichier(nom, Examen.BCP)
    assert [e.regle for e in erreurs_nom] == regles
    assert all(e.ligne == 0 and e.champ == NOM_FICHIER and e.valeur == nom for e in erreurs_nom)


def test_a_bp_file_name_needs_a_year_and_month_session() -> None:
    erreurs_nom, session = valider_nom_fichier("BP2024_1.0_2024_160120240915.csv", Examen.BP)
    assert [e.regle for e in erreurs_nom] == ["nom_fichier.annee_session"]
    assert session is None


def test_erreur_dict_has_exactly_the_four_report_keys() -> None:
    erreur = Erreur(3, "civilite", "X", "message", "civilite.valeur")
    assert list(erreur.en_dict()) == ["ligne", "champ", "valeur", "message"]
