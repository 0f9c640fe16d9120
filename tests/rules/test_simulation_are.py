from typing import Any

import pytest
from pydantic import ValidationError

from rules.simulation_are import (
    EntreeCpge,
    EntreeDotation,
    EntreeForfaits,
    simuler_cpge,
    simuler_dotation,
    simuler_forfaits,
)


def entree_dotation(**changes: Any) -> dict[str, Any]:
    donnees: dict[str, Any] = {
        "annee_scolaire": "2023-2024",
        "uai": "0750001A",
        "a_repondu_enquete": True,
        "effectifs": [
            {"code_diplome": "67010031", "effectif": 20},
            {"code_diplome": "50025524", "effectif": 30, "apprentis": 4},
            {"code_diplome": "32025520", "effectif": 33},
        ],
        "taux_boursiers_post_bac": "0.5",
        "reliquats": {"pre_bac": "100.00", "post_bac": "67.50"},
    }
    donnees.update(changes)
    return donnees


def dotation(**changes: Any) -> dict[str, Any]:
    sortie = simuler_dotation(EntreeDotation.model_validate(entree_dotation(**changes)))
    return sortie.model_dump(mode="json")


def erreur(modele: type[EntreeDotation | EntreeForfaits | EntreeCpge], donnees: Any) -> str:
    with pytest.raises(ValidationError) as info:
        modele.model_validate(donnees)
    return str(info.value)


# --- dotation -------------------------------------------------------------------------------


def test_dotation_simulation_gives_lines_envelopes_and_total_as_strings() -> None:
    s = dotation()
    assert s["lignes"] == [
        {
            "code_diplome": "67010031",
            "eligible": True,
            "hors_liste": False,
            "enveloppe": "pre_bac",
            "effectif_retenu": 20,
            "motif": None,
        },
        {
            "code_diplome": "50025524",
            "eligible": True,
            "hors_liste": False,
            "enveloppe": "pre_bac",
            "effectif_retenu": 26,
            "motif": None,
        },
        {
            "code_diplome": "32025520",
            "eligible": True,
            "hors_liste": False,
            "enveloppe": "post_bac",
            "effectif_retenu": 33,
            "motif": None,
        },
    ]
    assert s["boursiers_post_bac"] == 17
    assert s["enveloppes"] == {
        "pre_bac": {"brut": "5006.00", "reliquat": "100.00", "dotation": "4906.00"},
        "post_bac": {"brut": "2567.00", "reliquat": "67.50", "dotation": "2499.50"},
    }
    assert s["total"] == "7405.50"
    assert s["motifs"] == []
    assert s["forfaits"] == {"standard": "151.00", "prepa_metiers": "54.00"}
    assert s["version_regle"] == "are-2023-2024.1"


def test_dotation_simulation_2021_2022_flags_specialty_344_as_ineligible() -> None:
    s = dotation(
        annee_scolaire="2021-2022",
        effectifs=[{"code_diplome": "40034403", "effectif": 10}],
        reliquats={"pre_bac": "0", "post_bac": "0"},
    )
    assert s["lignes"][0]["eligible"] is False
    assert s["lignes"][0]["hors_liste"] is False
    assert s["lignes"][0]["motif"] == "SPECIALITE_NON_ELIGIBLE"
    assert s["total"] == "0.00"


def test_dotation_simulation_of_a_school_without_survey_answer_gives_zero() -> None:
    s = dotation(a_repondu_enquete=False)
    assert s["total"] == "0.00"
    assert s["enveloppes"]["pre_bac"]["dotation"] == "0.00"
    assert s["enveloppes"]["post_bac"]["dotation"] == "0.00"
    assert s["motifs"] == ["ENQUETE_NON_REPONDUE"]


def test_dotation_simulation_with_leftovers_above_gross_gives_zero_for_that_envelope() -> None:
    s = dotation(reliquats={"pre_bac": "9999.99", "post_bac": "0"})
    assert s["enveloppes"]["pre_bac"] == {
        "brut": "5006.00",
        "reliquat": "9999.99",
        "dotation": "0.00",
    }
    assert s["total"] == "2567.00"
    assert s["motifs"] == ["RELIQUAT_COUVRE_PRE_BAC"]


def test_dotation_simulation_leftovers_default_to_zero() -> None:
    donnees = entree_dotation()
    del donnees["reliquats"]
    s = simuler_dotation(EntreeDotation.model_validate(donnees)).model_dump(mode="json")
    assert s["total"] == "7573.00"


def test_dotation_simulation_flags_an_unlisted_code() -> None:
    s = dotation(
        effectifs=[{"code_diplome": "40025510", "effectif": 1}],
        reliquats={"pre_bac": "0", "post_bac": "0"},
    )
    assert s["lignes"][0]["hors_liste"] is True
    assert s["lignes"][0]["eligible"] is True
    assert s["motifs"] == ["FORMATIONS_HORS_LISTE"]


def test_unknown_school_year_fails_validation_naming_the_field() -> None:
    message = erreur(EntreeDotation, entree_dotation(annee_scolaire="2024-2025"))
    assert "annee_scolaire" in message
    assert "2024-2025" in message


@pytest.mark.parametrize("uai", ["075001A", "0750001", "0750001a", "A0750001"])
def test_bad_uai_fails_validation_naming_the_field(uai: str) -> None:
    message = erreur(EntreeDotation, entree_dotation(uai=uai))
    assert "uai" in message
    assert uai in message


@pytest.mark.parametrize("taux", ["35", "1.01", "-0.1"])
def test_a_percentage_or_out_of_range_scholarship_rate_is_refused(taux: str) -> None:
    message = erreur(EntreeDotation, entree_dotation(taux_boursiers_post_bac=taux))
    assert "taux_boursiers_post_bac" in message
    assert "entre 0 et 1" in message


@pytest.mark.parametrize(
    ("ligne", "champ"),
    [
        ({"code_diplome": "4002551", "effectif": 1}, "effectifs.0.code_diplome"),
        ({"code_diplome": "4002551X", "effectif": 1}, "effectifs.0.code_diplome"),
        ({"code_diplome": "40025510", "effectif": -1}, "effectifs.0.effectif"),
        ({"code_diplome": "40025510", "effectif": 1, "apprentis": -1}, "effectifs.0.apprentis"),
        ({"code_diplome": "40025510", "effectif": 1, "apprentis": 2}, "effectifs.0"),
        ({"code_diplome": "40025510", "effectif": 1, "inconnu": 2}, "effectifs.0.inconnu"),
    ],
)
def test_bad_enrolment_line_fails_validation_naming_the_field(
    ligne: dict[str, Any], champ: str
) -> None:
    message = erreur(EntreeDotation, entree_dotation(effectifs=[ligne]))
    assert champ in message


@pytest.mark.parametrize(
    ("reliquats", "champ"),
    [
        ({"pre_bac": "-1", "post_bac": "0"}, "reliquats.pre_bac"),
        ({"pre_bac": "0", "post_bac": "1.234"}, "reliquats.post_bac"),
        ({"pre_bac": "0", "autre": "1"}, "reliquats.autre"),
    ],
)
def test_bad_leftovers_fail_validation_naming_the_field(
    reliquats: dict[str, str], champ: str
) -> None:
    assert champ in erreur(EntreeDotation, entree_dotation(reliquats=reliquats))


def test_unknown_field_fails_validation() -> None:
    assert "commune" in erreur(EntreeDotation, entree_dotation(commune="Paris"))


# --- forfaits -------------------------------------------------------------------------------


def test_forfaits_simulation_reproduces_arrete_2023_087() -> None:
    s = simuler_forfaits(
        EntreeForfaits.model_validate(
            {
                "forfaits_precedents": {
                    "standard": "142",
                    "prepa_metiers": "51",
                    "cpge_concours": "290",
                },
                "ipc_decembre_n_2": "107.4",
                "ipc_decembre_n_1": "114.18",
            }
        )
    ).model_dump(mode="json")
    assert s == {
        "evolution_pct": "6.31",
        "reconduits": False,
        "forfaits": {"standard": "151.00", "prepa_metiers": "54.00", "cpge_concours": "308.00"},
    }


def test_forfaits_simulation_with_a_negative_index_change_keeps_the_rates() -> None:
    s = simuler_forfaits(
        EntreeForfaits.model_validate(
            {
                "forfaits_precedents": {"standard": "151", "prepa_metiers": "54"},
                "ipc_decembre_n_2": "114.18",
                "ipc_decembre_n_1": "113.50",
            }
        )
    ).model_dump(mode="json")
    assert s["evolution_pct"] == "-0.60"
    assert s["reconduits"] is True
    assert s["forfaits"] == {"standard": "151.00", "prepa_metiers": "54.00", "cpge_concours": None}


@pytest.mark.parametrize(
    ("changes", "champ"),
    [
        ({"ipc_decembre_n_1": "0"}, "ipc_decembre_n_1"),
        ({"ipc_decembre_n_2": "-3"}, "ipc_decembre_n_2"),
        ({"ipc_decembre_n_2": "abc"}, "ipc_decembre_n_2"),
        (
            {"forfaits_precedents": {"standard": "-1", "prepa_metiers": "54"}},
            "forfaits_precedents.standard",
        ),
        ({"forfaits_precedents": {"standard": "151"}}, "forfaits_precedents.prepa_metiers"),
    ],
)
def test_bad_forfaits_input_fails_validation_naming_the_field(
    changes: dict[str, Any], champ: str
) -> None:
    donnees: dict[str, Any] = {
        "forfaits_precedents": {"standard": "142", "prepa_metiers": "51"},
        "ipc_decembre_n_2": "107.4",
        "ipc_decembre_n_1": "114.18",
    }
    donnees.update(changes)
    assert champ in erreur(EntreeForfaits, donnees)


# --- CPGE -----------------------------------------------------------------------------------


def cpge(**changes: Any) -> dict[str, Any]:
    donnees: dict[str, Any] = {
        "annee_scolaire": "2023-2024",
        "annee_cpge": 2,
        "quotient_familial": "10140",
        "nombre_concours": 4,
    }
    donnees.update(changes)
    return simuler_cpge(EntreeCpge.model_validate(donnees)).model_dump(mode="json")


def test_cpge_simulation_caps_at_three_competitions_at_the_quotient_ceiling() -> None:
    assert cpge() == {
        "eligible": True,
        "forfait_par_concours": "308.00",
        "concours_retenus": 3,
        "montant": "924.00",
        "motifs": ["CONCOURS_PLAFONNES"],
    }


def test_cpge_simulation_above_the_quotient_ceiling_gives_nothing() -> None:
    s = cpge(quotient_familial="10140.01")
    assert s["eligible"] is False
    assert s["montant"] == "0.00"
    assert s["motifs"] == ["QUOTIENT_FAMILIAL_SUPERIEUR_AU_PLAFOND"]


@pytest.mark.parametrize(
    ("changes", "champ"),
    [
        ({"annee_scolaire": "2021-2022"}, "annee_scolaire"),
        ({"annee_cpge": 3}, "annee_cpge"),
        ({"quotient_familial": "-1"}, "quotient_familial"),
        ({"nombre_concours": -1}, "nombre_concours"),
    ],
)
def test_bad_cpge_input_fails_validation_naming_the_field(
    changes: dict[str, Any], champ: str
) -> None:
    donnees: dict[str, Any] = {
        "annee_scolaire": "2023-2024",
        "annee_cpge": 2,
        "quotient_familial": "9000",
        "nombre_concours": 1,
    }
    donnees.update(changes)
    assert champ in erreur(EntreeCpge, donnees)
