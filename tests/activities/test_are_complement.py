"""The conditions of a complementary request against the year's campaign
(`activities.are.conditions_complement`, seeds 000/001 « Dotation complémentaire »)."""

from datetime import date
from pathlib import Path

from activities.are import Import, conditions_complement, importer
from models.are import (
    EntreeConditionsComplement,
    EtatCampagne,
    LigneComplement,
    StatutCampagne,
    VoteCommission,
)
from rules.are import Enveloppe

DONNEES = Path(__file__).parents[1] / "data" / "are"
CAMPAGNE = "are-campagne:2023-2024"


def import_2023_2024() -> Import:
    effectifs = DONNEES / "effectifs-2023-2024.csv"
    etablissements = DONNEES / "etablissements-2023-2024.csv"
    lu = importer(
        "2023-2024",
        str(effectifs),
        effectifs.read_bytes(),
        str(etablissements),
        etablissements.read_bytes(),
    )
    assert isinstance(lu, Import)
    return lu


def campagne(statut: StatutCampagne, *, votee: bool) -> EtatCampagne:
    vote = VoteCommission(
        auteur="i", date_vote=date(2023, 9, 29), deliberation="CP 2023-372", version_table=1
    )
    return EtatCampagne(cle="2023-2024", statut=statut, vote=vote if votee else None)


def demande(*lignes: tuple[str, Enveloppe, int, int | None]) -> EntreeConditionsComplement:
    return EntreeConditionsComplement(
        uai="0750001A",
        annee_scolaire="2023-2024",
        lignes=[
            LigneComplement(
                code_diplome=code,
                libelle_formation="formation",
                enveloppe=env,
                effectif_supplementaire=sup,
                effectif_rentree=rentree,
            )
            for code, env, sup, rentree in lignes
        ],
    )


CUISINE = ("50022139", Enveloppe.PRE_BAC, 12, 34)


def test_an_unknown_or_unvoted_campaign_fails_the_condition_naming_its_status() -> None:
    inconnue = conditions_complement(CAMPAGNE, None, None, demande(CUISINE))
    assert not inconnue.remplies
    assert inconnue.motifs[0].startswith("CAMPAGNE_NON_VOTEE : annee_scolaire « 2023-2024 »")
    assert "pas encore ouverte" in inconnue.motifs[0]
    table = conditions_complement(
        CAMPAGNE, campagne(StatutCampagne.TABLE_PRODUITE, votee=False), None, demande(CUISINE)
    )
    assert (table.statut_campagne, table.lignes) == ("table_produite", [])
    assert "(au statut table_produite)" in table.motifs[0]


def test_lines_are_compared_with_the_n1_counts_of_the_voted_campaign() -> None:
    resultat = conditions_complement(
        CAMPAGNE,
        campagne(StatutCampagne.PAYEE, votee=True),
        import_2023_2024(),
        demande(
            CUISINE,  # n-1: 24 - 2 apprentices = 22
            ("32033422", Enveloppe.POST_BAC, 3, 8),  # n-1: 16 x 0.40 = 6.4 -> 6 holders
            ("40033404", Enveloppe.PRE_BAC, 2, 30),  # n-1: 30, no increase
            ("32031404", Enveloppe.POST_BAC, 2, None),  # absent n-1 (0), count not declared
        ),
    )
    assert [(lig.effectif_n1, lig.motif) for lig in resultat.lignes] == [
        (22, None),
        (6, "SUPPLEMENT_SUPERIEUR_A_L_AUGMENTATION"),
        (30, "AUGMENTATION_NULLE"),
        (0, "EFFECTIF_RENTREE_NON_DECLARE"),
    ]
    assert resultat.deliberation == "CP 2023-372"
    assert len(resultat.motifs) == 3
    assert (
        "lignes[1] (32033422, post_bac) : effectif_supplementaire « 3 » dépasse l'augmentation "
        "constatée (8 − 6 = 2)" in resultat.motifs[0]
    )
    assert "effectif_rentree « 30 » ne dépasse pas les 30 élèves n-1" in resultat.motifs[1]
    assert "effectif_rentree non renseigné" in resultat.motifs[2]


def test_a_voted_campaign_whose_import_cannot_be_read_is_a_reason_not_a_failure() -> None:
    resultat = conditions_complement(
        CAMPAGNE, campagne(StatutCampagne.VOTEE, votee=True), None, demande(CUISINE)
    )
    assert not resultat.remplies
    assert resultat.motifs[0].startswith("DONNEES_CAMPAGNE_ILLISIBLES")
