"""ARE activities run directly (plain async methods): the import of the rectorats' enrolment
file and the schools file, the allocation computation, the commission permanente's table, the
batch publication, the complementary request's evaluation, the sessions and the spending
report's checks."""

import csv
import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from temporalio.exceptions import ApplicationError

from activities.are import (
    AreActivities,
    evaluer_complement_are,
    prochaine_session,
    prochaine_session_are,
    sessions_commission,
    verifier_bilan_are,
)
from models.are import (
    BilanDepose,
    BilanN1,
    DotationEtablissement,
    EntreeCalcul,
    EntreeEvaluationComplement,
    EntreeImport,
    EntreeSession,
    EntreeTable,
    EntreeVerificationBilan,
    LigneComplement,
    LotCampagne,
    Montants,
    ReliquatsConstates,
    ResultatImport,
    SituationBilanN1,
)
from rules import are
from rules.are import Enveloppe, LigneEffectif
from tests.fakes import FakePublisher

DONNEES = Path(__file__).parent.parent / "data" / "are"
D = Decimal
CAMPAGNE = "are-campagne:2023-2024"


def lire(chemin: str) -> str:
    return Path(chemin).read_text(encoding="utf-8")


def lire_csv(chemin: str) -> list[dict[str, str]]:
    with Path(chemin).open(encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter=";"))


def modifier(chemin: str, avant: str, apres: str) -> None:
    Path(chemin).write_text(lire(chemin).replace(avant, apres), encoding="utf-8")


def activites(tmp_path: Path, depot: Path | None = None) -> tuple[AreActivities, FakePublisher]:
    publisher = FakePublisher()
    return AreActivities(tmp_path / "sorties", publisher, depot), publisher


def entree_import(
    effectifs: str = "effectifs-2023-2024.csv",
    etablissements: str = "etablissements-2023-2024.csv",
    dossier: Path = DONNEES,
) -> EntreeImport:
    return EntreeImport(
        campagne=CAMPAGNE,
        annee_scolaire="2023-2024",
        version=1,
        fichier_effectifs=str(dossier / effectifs),
        fichier_etablissements=str(dossier / etablissements),
    )


async def importe(tmp_path: Path) -> tuple[AreActivities, ResultatImport]:
    act, _ = activites(tmp_path)
    resultat = await act.importer_effectifs(entree_import())
    assert resultat.valide
    return act, resultat


# --- import ---------------------------------------------------------------------------------


async def test_a_valid_enrolment_file_is_imported_school_by_school(tmp_path: Path) -> None:
    act, resultat = await importe(tmp_path)

    assert (resultat.nombre_etablissements, resultat.nombre_lignes) == (3, 10)
    assert resultat.donnees is not None
    donnees = json.loads(lire(resultat.donnees))
    premier = donnees["etablissements"][0]
    assert (premier["uai"], premier["academie"], premier["taux_boursiers_post_bac"]) == (
        "0750001A",
        "PARIS",
        "0.40",
    )
    assert premier["lignes"][0] == {
        "ligne": 2,
        "code_diplome": "50022139",
        "libelle_formation": "CUISINE (CAP)",
        "effectif": 24,
        "apprentis": 2,
    }
    assert Path(resultat.donnees).parent == act.dossier(CAMPAGNE)


@pytest.mark.parametrize(
    ("ligne", "champ", "valeur", "regle"),
    [
        (3, "academie", "LYON", "une des trois académies d'Île-de-France"),
        (4, "uai", "750001A", "7 chiffres et une lettre majuscule"),
        (5, "code_diplome", "5002213", "8 chiffres"),
        (6, "effectif", "-3", "entier positif ou nul"),
        (7, "apprentis", "40", "au plus égal à l'effectif de la ligne"),
        (8, "code_diplome", "50022139", "une seule ligne par établissement et formation"),
        (9, "uai", "0940009Z", "l'établissement figure dans le fichier des établissements"),
        (11, "(ligne)", "PARIS;0750001A;67010031", "autant de valeurs que de colonnes"),
    ],
)
async def test_a_file_with_errors_is_refused_naming_each_line_field_value_and_rule(
    tmp_path: Path, ligne: int, champ: str, valeur: str, regle: str
) -> None:
    act, _ = activites(tmp_path)

    resultat = await act.importer_effectifs(entree_import("effectifs-erreurs.csv"))

    assert not resultat.valide
    assert resultat.donnees is None
    (erreur,) = [e for e in resultat.erreurs if e.ligne == ligne]
    assert (erreur.fichier, erreur.champ, erreur.valeur) == ("effectifs", champ, valeur)
    assert regle in erreur.regle
    assert erreur.message.startswith(
        f"fichier des effectifs, ligne {ligne}, champ {champ} : valeur « {valeur} » refusée "
        f"(règle : {erreur.regle}"
    )


async def test_the_error_report_lists_every_error_in_line_order(tmp_path: Path) -> None:
    act, _ = activites(tmp_path)

    resultat = await act.importer_effectifs(entree_import("effectifs-erreurs.csv"))

    assert resultat.nombre_erreurs == 8
    assert resultat.rapport_erreurs is not None
    lignes = lire_csv(resultat.rapport_erreurs)
    assert [int(r["ligne"]) for r in lignes] == [3, 4, 5, 6, 7, 8, 9, 11]
    assert lignes[0]["message"] == resultat.erreurs[0].message


async def test_the_schools_file_refuses_a_percentage_a_fuzzy_answer_and_a_duplicate(
    tmp_path: Path,
) -> None:
    act, _ = activites(tmp_path)

    resultat = await act.importer_effectifs(
        entree_import(etablissements="etablissements-erreurs.csv")
    )

    assert [(e.fichier, e.ligne, e.champ, e.valeur) for e in resultat.erreurs] == [
        ("etablissements", 2, "taux_boursiers_post_bac", "35"),
        ("etablissements", 3, "a_repondu_enquete", "peut-être"),
        ("etablissements", 4, "uai", "0930002B"),
    ]
    assert "fraction entre 0 et 1 (ex. 0,35), pas un pourcentage" in resultat.erreurs[0].message


async def test_a_missing_column_and_a_missing_file_are_reported(tmp_path: Path) -> None:
    (tmp_path / "effectifs.csv").write_text(
        "academie;uai;code_diplome;effectif;apprentis\nPARIS;0750001A;50022139;24;0\n",
        encoding="utf-8",
    )
    act, _ = activites(tmp_path)

    resultat = await act.importer_effectifs(
        entree_import("effectifs.csv", "absent.csv", dossier=tmp_path)
    )

    assert [(e.fichier, e.ligne, e.champ) for e in resultat.erreurs] == [
        ("etablissements", 0, "(fichier)"),
    ]
    (tmp_path / "etablissements.csv").write_bytes(
        (DONNEES / "etablissements-2023-2024.csv").read_bytes()
    )
    resultat = await act.importer_effectifs(
        entree_import("effectifs.csv", "etablissements.csv", dossier=tmp_path)
    )
    assert [(e.ligne, e.champ, e.regle) for e in resultat.erreurs] == [
        (1, "libelle_formation", "colonne obligatoire de l'en-tête")
    ]


async def test_a_byte_order_mark_is_accepted_and_a_latin1_file_refused_at_its_line(
    tmp_path: Path,
) -> None:
    effectifs = (DONNEES / "effectifs-2023-2024.csv").read_text(encoding="utf-8")
    (tmp_path / "bom.csv").write_bytes(b"\xef\xbb\xbf" + effectifs.encode())
    (tmp_path / "latin1.csv").write_bytes(
        effectifs.replace("CUISINE (CAP)", "CUISINE (CAP) à Paris").encode("latin-1")
    )
    (tmp_path / "etablissements.csv").write_bytes(
        (DONNEES / "etablissements-2023-2024.csv").read_bytes()
    )
    act, _ = activites(tmp_path)

    assert (
        await act.importer_effectifs(entree_import("bom.csv", "etablissements.csv", tmp_path))
    ).valide
    resultat = await act.importer_effectifs(
        entree_import("latin1.csv", "etablissements.csv", tmp_path)
    )
    assert [(e.ligne, e.champ) for e in resultat.erreurs] == [(2, "(fichier)")]


async def test_with_a_depot_a_reference_outside_it_is_refused(tmp_path: Path) -> None:
    act, _ = activites(tmp_path, depot=DONNEES)

    assert (await act.importer_effectifs(entree_import(dossier=Path()))).valide
    resultat = await act.importer_effectifs(
        entree_import("../../../pyproject.toml", dossier=Path())
    )
    assert "hors du dépôt" in resultat.erreurs[0].message


# --- allocations and the table --------------------------------------------------------------


def calcul_direct(uai: str, reliquats: Montants) -> Montants:
    lignes = {
        "0750001A": (
            D("0.40"),
            [("50022139", 24, 2), ("40033404", 30, 0), ("32033422", 20, 4), ("67010031", 15, 0)],
        ),
    }[uai]
    d = are.calculer_dotation(
        "2023-2024",
        a_repondu_enquete=True,
        effectifs=[LigneEffectif(c, e, a) for c, e, a in lignes[1]],
        taux_boursiers_post_bac=lignes[0],
        reliquats=reliquats.par_enveloppe(),
    )
    return Montants.depuis({k: v.dotation for k, v in d.enveloppes.items()})


async def test_every_school_allocation_is_the_rules_one_with_its_leftovers_deducted(
    tmp_path: Path,
) -> None:
    act, imp = await importe(tmp_path)
    assert imp.donnees is not None
    assert imp.empreinte is not None
    reliquats = {
        "0750001A": Montants(pre_bac=D("502.00"), post_bac=D("1000.00")),
        "0910005E": Montants(pre_bac=D("10.00")),
    }

    resultat = await act.calculer_dotations(
        EntreeCalcul(
            campagne=CAMPAGNE,
            annee_scolaire="2023-2024",
            version=1,
            donnees=imp.donnees,
            empreinte=imp.empreinte,
            reliquats=reliquats,
        )
    )

    dotations = {d.uai: d for d in resultat.dotations}
    gastronomie = dotations["0750001A"]
    assert gastronomie.dotation == calcul_direct("0750001A", reliquats["0750001A"])
    assert gastronomie.dotation == Montants(pre_bac=D("8160.00"), post_bac=D("0.00"))
    assert gastronomie.motifs == ["RELIQUAT_COUVRE_POST_BAC"]
    assert dotations["0780003C"].motifs == ["ENQUETE_NON_REPONDUE"]
    assert dotations["0930002B"].dotation == Montants(pre_bac=D("7248"), post_bac=D("1057"))
    assert (resultat.nombre_etablissements, resultat.nombre_dotes) == (3, 2)
    assert resultat.dotation == Montants(pre_bac=D("15408"), post_bac=D("1057"))
    assert resultat.brut == Montants(pre_bac=D("21950"), post_bac=D("1963"))
    assert (resultat.forfait_standard, resultat.forfait_prepa_metiers) == (D(151), D(54))
    detail = json.loads(lire(resultat.calcul))
    assert detail["reliquats_hors_fichier"] == {
        "0910005E": {"pre_bac": "10.00", "post_bac": "0.00"}
    }


async def test_the_commission_table_has_one_line_per_school_and_a_readable_report(
    tmp_path: Path,
) -> None:
    act, imp = await importe(tmp_path)
    assert imp.donnees is not None
    assert imp.empreinte is not None
    calcul = await act.calculer_dotations(
        EntreeCalcul(
            campagne=CAMPAGNE,
            annee_scolaire="2023-2024",
            version=1,
            donnees=imp.donnees,
            empreinte=imp.empreinte,
        )
    )

    table = await act.produire_table_commission(
        EntreeTable(
            campagne=CAMPAGNE,
            annee_scolaire="2023-2024",
            version=1,
            calcul=calcul.calcul,
            empreinte=calcul.empreinte,
        )
    )

    assert Path(table.csv).name == "table-commission-2023-2024-v1.csv"
    lignes = lire_csv(table.csv)
    assert [(r["academie"], r["uai"], r["dotation_totale"]) for r in lignes] == [
        ("CRETEIL", "0930002B", "8305.00"),
        ("PARIS", "0750001A", "9568.00"),
        ("VERSAILLES", "0780003C", "0.00"),
    ]
    assert sum(D(r["dotation_totale"]) for r in lignes) == calcul.total
    rapport = lire(table.rapport)
    assert "| **total** | 23 913,00 € | 0,00 € | 17 873,00 € |" in rapport
    assert "n'a pas répondu aux enquêtes régionales : aucune dotation (1) : 0780003C" in rapport
    assert "lignes non éligibles SPECIALITE_NON_ELIGIBLE : 1" in rapport


async def test_the_commission_table_flags_a_missing_or_late_n1_report_in_its_last_column(
    tmp_path: Path,
) -> None:
    """docs/are.md, « Choices where the texts are silent »: the seeds deduct the leftovers a
    report declares and set nothing for a missing one (000 and 001, « Compte rendu d'utilisation
    des dotations »): the school is flagged for the commission, its allocation unchanged."""
    act, imp = await importe(tmp_path)
    assert imp.donnees is not None
    assert imp.empreinte is not None
    sans_signal = await act.calculer_dotations(
        EntreeCalcul(
            campagne=CAMPAGNE,
            annee_scolaire="2023-2024",
            version=1,
            donnees=imp.donnees,
            empreinte=imp.empreinte,
        )
    )
    manquant = BilanN1(
        situation=SituationBilanN1.MANQUANT,
        date_limite=date(2023, 10, 1),
        bilan="are-bilan:0930002B:2022-2023",
    )
    calcul = await act.calculer_dotations(
        EntreeCalcul(
            campagne=CAMPAGNE,
            annee_scolaire="2023-2024",
            version=2,
            donnees=imp.donnees,
            empreinte=imp.empreinte,
            bilans_n1={
                "0930002B": manquant,
                "0750001A": BilanN1(situation=SituationBilanN1.DEPOSE_EN_RETARD),
                "0910005E": manquant,
            },
        )
    )

    assert {d.uai: d.dotation for d in calcul.dotations} == {
        d.uai: d.dotation for d in sans_signal.dotations
    }
    assert {d.uai: d.bilan_n1 for d in calcul.dotations} == {
        "0750001A": BilanN1(situation=SituationBilanN1.DEPOSE_EN_RETARD),
        "0930002B": manquant,
        "0780003C": None,
    }
    table = await act.produire_table_commission(
        EntreeTable(
            campagne=CAMPAGNE,
            annee_scolaire="2023-2024",
            version=2,
            calcul=calcul.calcul,
            empreinte=calcul.empreinte,
        )
    )
    entete = lire(table.csv).splitlines()[0].split(";")
    assert entete[-2:] == ["motifs", "bilan_n1"]
    assert entete.index("dotation_totale") == 15
    assert [(r["uai"], r["dotation_totale"], r["bilan_n1"]) for r in lire_csv(table.csv)] == [
        ("0930002B", "8305.00", "manquant"),
        ("0750001A", "9568.00", "depose_en_retard"),
        ("0780003C", "0.00", ""),
    ]
    rapport = lire(table.rapport)
    assert "- bilan N-1 manquant (1) : 0930002B (échéance le 01/10/2023)" in rapport
    assert "- bilan N-1 déposé en retard (1) : 0750001A\n" in rapport
    assert (
        "- bilan N-1 d'établissements absents du fichier : 0910005E manquant "
        "(échéance le 01/10/2023)"
    ) in rapport
    assert "dotations calculées sans en tenir compte" in rapport
    assert "| **total** | 23 913,00 € | 0,00 € | 17 873,00 € |" in rapport


def test_payloads_from_before_the_n1_flag_stay_valid() -> None:
    """Inputs and events recorded before the flag existed (histories, replay fixtures)."""
    ancien = {
        "uai": "0750001A",
        "annee_scolaire": "2022-2023",
        "reliquats": {"pre_bac": "502.00", "post_bac": "0.00"},
        "bilan": "are-bilan:0750001A:2022-2023",
    }
    assert ReliquatsConstates.model_validate(ancien).depose_en_retard is False
    entree = EntreeCalcul.model_validate(
        {
            "campagne": CAMPAGNE,
            "annee_scolaire": "2023-2024",
            "version": 1,
            "donnees": "import-v1.json",
            "empreinte": "0" * 64,
        }
    )
    assert entree.bilans_n1 == {}
    ligne = DotationEtablissement.model_validate(
        {"uai": "0750001A", "dotation": {}, "reliquats": {}, "motifs": []}
    )
    assert ligne.bilan_n1 is None


async def test_a_stage_refuses_a_file_changed_since_the_previous_stage(tmp_path: Path) -> None:
    act, imp = await importe(tmp_path)
    assert imp.donnees is not None
    modifier(imp.donnees, "24", "25")

    with pytest.raises(ApplicationError) as refus:
        await act.calculer_dotations(
            EntreeCalcul(
                campagne=CAMPAGNE,
                annee_scolaire="2023-2024",
                version=1,
                donnees=imp.donnees,
                empreinte=imp.empreinte or "",
            )
        )
    assert (refus.value.type, refus.value.non_retryable) == ("FichierModifie", True)


# --- batch publication ----------------------------------------------------------------------


async def test_a_batch_notifies_every_school_and_orders_only_positive_envelopes(
    tmp_path: Path,
) -> None:
    act, publisher = activites(tmp_path)
    lot = LotCampagne(
        campagne=CAMPAGNE,
        annee_scolaire="2023-2024",
        deliberation="CP 2023-456",
        date_vote=date(2023, 11, 22),
        horodatage=datetime(2023, 11, 22, 15, tzinfo=UTC),
        dotations=[
            DotationEtablissement(
                uai="0750001A",
                dotation=Montants(pre_bac=D("8160.00"), post_bac=D("906.00")),
                reliquats=Montants(pre_bac=D("502.00")),
            ),
            DotationEtablissement(
                uai="0780003C",
                dotation=Montants(),
                reliquats=Montants(),
                motifs=["ENQUETE_NON_REPONDUE"],
            ),
        ],
    )

    resultat = await act.publier_lot(lot)
    await act.publier_lot(lot)  # a retried batch: the same ids again

    assert (resultat.notifications, resultat.ordres, resultat.montant) == (2, 2, D("9066.00"))
    premiers = publisher.records[: len(publisher.records) // 2]
    assert [(t, k, e.id) for t, k, e in premiers] == [
        ("guichet.notifications", "0750001A:2023-2024", f"{CAMPAGNE}/notification/0750001A"),
        ("guichet.paiements", "0750001A:2023-2024", f"{CAMPAGNE}/paiement/0750001A/pre_bac"),
        ("guichet.paiements", "0750001A:2023-2024", f"{CAMPAGNE}/paiement/0750001A/post_bac"),
        ("guichet.notifications", "0780003C:2023-2024", f"{CAMPAGNE}/notification/0780003C"),
    ]
    assert [e.id for _, _, e in publisher.records[4:]] == [e.id for _, _, e in premiers]
    ordre = premiers[1][2].data
    assert (ordre["ordre_id"], ordre["beneficiaire"], ordre["montant"]) == (
        f"{CAMPAGNE}/paiement/0750001A/pre_bac",
        "0750001A",
        "8160.00",
    )
    message = premiers[0][2].data["message"]
    assert "commission permanente du 22/11/2023 (CP 2023-456)" in message
    assert "8 160,00 € (pré-bac) et 906,00 € (post-bac)" in message
    assert "502,00 € (pré-bac)" in message


# --- complementary requests and sessions ----------------------------------------------------


async def test_a_complementary_request_is_priced_per_eligible_line_and_envelope() -> None:
    lignes = [
        LigneComplement(
            code_diplome="67010031",
            libelle_formation="3EME PREPA-METIERS",
            enveloppe=Enveloppe.PRE_BAC,
            effectif_supplementaire=10,
        ),
        LigneComplement(
            code_diplome="50022139",
            libelle_formation="CUISINE (CAP)",
            enveloppe=Enveloppe.POST_BAC,
            effectif_supplementaire=3,
        ),
        LigneComplement(
            code_diplome="32033422",
            libelle_formation="BTS MHR",
            enveloppe=Enveloppe.POST_BAC,
            effectif_supplementaire=2,
        ),
    ]

    evaluation = await evaluer_complement_are(
        EntreeEvaluationComplement(annee_scolaire="2023-2024", lignes=lignes)
    )

    assert [(lig.eligible, lig.montant, lig.motif) for lig in evaluation.lignes] == [
        (True, D("540.00"), None),
        (False, D("0.00"), "ENVELOPPE_INCOHERENTE"),
        (True, D("302.00"), None),
    ]
    assert evaluation.montants_demandes == Montants(pre_bac=D("540"), post_bac=D("302"))
    assert evaluation.version_regle == "are-2023-2024.1"


@pytest.mark.parametrize(
    ("jour", "attendue"),
    [
        (date(2023, 9, 1), "CP 2023-09"),
        (date(2023, 11, 21), "CP 2023-11"),
        (date(2023, 11, 22), "CP 2024-01"),  # a session day: its agenda is closed
        (date(2024, 7, 3), None),
    ],
)
async def test_the_next_session_is_strictly_after_the_day(jour: date, attendue: str | None) -> None:
    resultat = await prochaine_session_are(EntreeSession(jour=jour))

    assert (resultat.session.reference if resultat.session else None) == attendue


def test_every_session_says_its_dates_are_invented_and_sessions_are_distinct() -> None:
    sessions = sessions_commission()
    assert len({s.date_session for s in sessions}) == len(sessions) == 7
    assert prochaine_session([], date(2023, 1, 1)) is None
    with (Path(are.__file__).parents[1] / "data" / "are" / "sessions_commission.csv").open(
        encoding="utf-8"
    ) as f:
        assert all("dates inventées" in r["source"] for r in csv.DictReader(f, delimiter=";"))


# --- spending reports -----------------------------------------------------------------------


def bilan(**champs: object) -> BilanDepose:
    data: dict[str, object] = {
        "uai": "0750001A",
        "annee_scolaire": "2023-2024",
        "date_depot": "2024-09-12",
        "dotations_recues": {"pre_bac": "1000.00", "post_bac": "300.00"},
        "reliquats_anterieurs": {"pre_bac": "100.00", "post_bac": "0.00"},
        "depenses": [
            {
                "code_diplome": "50022139",
                "libelle_formation": "CUISINE (CAP)",
                "enveloppe": "pre_bac",
                "type_equipement": "protection_individuelle",
                "nombre_eleves": 12,
                "montant": "900.00",
            }
        ],
    }
    data.update(champs)
    return BilanDepose.model_validate(data)


async def test_declared_allocations_other_than_ordered_are_an_anomaly_naming_the_rule() -> None:
    verification = await verifier_bilan_are(
        EntreeVerificationBilan(
            bilan=bilan(),
            dotations_versees=Montants(pre_bac=D("1000.00"), post_bac=D("450.00")),
            reliquats_connus=Montants(pre_bac=D("100.00")),
        )
    )

    assert not verification.valide
    (anomalie,) = verification.anomalies
    assert (anomalie.code, anomalie.enveloppe) == ("DOTATIONS_NON_CONCORDANTES", Enveloppe.POST_BAC)
    assert anomalie.message.startswith("dotations_recues.post_bac « 300.00 »")


async def test_a_valid_report_leaves_leftovers_per_envelope() -> None:
    verification = await verifier_bilan_are(EntreeVerificationBilan(bilan=bilan()))

    assert verification.valide
    assert verification.reliquats == Montants(pre_bac=D("200.00"), post_bac=D("300.00"))
    assert (verification.depenses, verification.eleves_aides) == (Montants(pre_bac=D("900")), 12)
