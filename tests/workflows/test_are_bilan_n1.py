"""A school's N-1 spending report missing at its due date, or deposited late, on the next
campaign's commission table (issue 18): flagged, the allocation unchanged (docs/are.md,
« Choices where the texts are silent »: the seeds deduct the leftovers a report declares and set
nothing for a missing one, 000 and 001 « Compte rendu d'utilisation des dotations »). A module
of its own: its 2023-2024 campaign would otherwise be the one `test_are.py` opens."""

import csv
import html
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from models.are import (
    BILAN_DEMANDE,
    DecisionCampagne,
    EtatCampagne,
    Montants,
    SituationBilanN1,
    StatutBilan,
    StatutCampagne,
    TypeDecisionCampagne,
)
from tests.attente import attendre
from tests.workflows.test_are import (
    ATTENTE_S,
    DONNEES,
    Banc,
    D,
    banc,
    bilan,
    depense,
    dotations_attendues,
    etat_bilan,
    etat_campagne,
    lire,
    sleep_until,
    statut_campagne,
    today,
)
from workers.console import commission, fiche_are
from workers.console.socle import environnement

__all__ = ["banc"]


def lignes_table(chemin: str) -> dict[str, dict[str, str]]:
    with Path(chemin).open(encoding="utf-8") as f:
        return {r["uai"]: r for r in csv.DictReader(f, delimiter=";")}


def page_campagne(etat: EtatCampagne) -> str:
    """The console's campaign page (its template, as `PagesAre.campagne` fills it), as text."""
    vue = fiche_are.campagne(etat, None)
    dossier = SimpleNamespace(
        cle=f"are-campagne:{etat.cle}",
        reference=etat.cle,
        statut=etat.statut.value,
        dispositif="are-campagne",
    )
    rendu = (
        environnement()
        .get_template("are_campagne.html")
        .render(
            prefixe="/console",
            dossier=dossier,
            etat=etat,
            note=None,
            table=commission.table_commission(etat),
            campagne=vue,
            filtres={"q": "", "academie": "", "observation": ""},
            lycees=vue.etablissements,
            export="",
        )
    )
    return html.unescape(rendu)


async def ouvrir(banc: Banc, annee: str) -> EtatCampagne:
    """The year's campaign opened with the sample files; its reports asked in 400 days, after
    every test."""
    bilans = await today(banc.env) + timedelta(days=400)
    await banc.envoyer(
        "etablissements.are.campagne-ouverte.v1",
        annee,
        {
            "annee_scolaire": annee,
            "fichier_effectifs": str(DONNEES / "effectifs-2023-2024.csv"),
            "fichier_etablissements": str(DONNEES / "etablissements-2023-2024.csv"),
            "date_demande_bilans": bilans.isoformat(),
        },
    )
    return await statut_campagne(banc, annee, StatutCampagne.TABLE_PRODUITE)


async def demander_bilan(banc: Banc, uai: str, annee: str, dotation: dict[str, str]) -> Any:
    """The report asked as the campaign asks it (`guichet.are.bilan-demande.v1`): due in 3
    months."""
    cle = f"{uai}:{annee}"
    await banc.interne(
        "are-bilan",
        cle,
        BILAN_DEMANDE,
        {
            "uai": uai,
            "annee_scolaire": annee,
            "dotation_initiale": dotation,
            "reliquats_anterieurs": {"pre_bac": "0.00", "post_bac": "0.00"},
            "campagne": f"are-campagne:{annee}",
            "deliberation": "CP test",
        },
    )
    etat = await attendre(
        lambda: etat_bilan(banc, cle),
        ATTENTE_S,
        "le bilan demandé",
        jusqu_a=lambda e: e.statut is StatutBilan.ATTENTE_BILAN,
    )
    assert etat.date_limite is not None
    return etat.date_limite


async def version(banc: Banc, annee: str, v: int) -> EtatCampagne:
    return await attendre(
        lambda: etat_campagne(banc, annee),
        ATTENTE_S,
        f"la table de la campagne {annee} en version {v}",
        jusqu_a=lambda e: (
            e.table is not None
            and e.table.version == v
            and e.statut is StatutCampagne.TABLE_PRODUITE
        ),
    )


async def test_a_report_missing_at_its_due_date_flags_the_school_on_next_years_table(
    banc: Banc,
) -> None:
    uai, cle = "0930002B", "0930002B:2022-2023"
    limite = await demander_bilan(
        banc, uai, "2022-2023", {"pre_bac": "6900.00", "post_bac": "1000.00"}
    )
    campagne = await ouvrir(banc, "2023-2024")
    assert campagne.calcul is not None
    assert campagne.table is not None
    avant = {d.uai: d.dotation for d in campagne.calcul.dotations}
    assert avant == dotations_attendues("2023-2024")
    assert {r["bilan_n1"] for r in lignes_table(campagne.table.csv).values()} == {""}

    # The due day is over: late, and the 2023-2024 campaign is told; before the vote, a new
    # version of the table flags the school, every allocation as it was.
    await sleep_until(banc.env, limite + timedelta(days=1))
    assert (await etat_bilan(banc, cle)).statut is StatutBilan.EN_RETARD
    campagne = await version(banc, "2023-2024", 2)
    signale = campagne.bilans_n1[uai]
    assert (signale.situation, signale.date_limite, signale.bilan, signale.apres_vote) == (
        SituationBilanN1.MANQUANT,
        limite,
        f"are-bilan:{cle}",
        False,
    )
    assert set(campagne.bilans_n1) == {uai}  # reports guichet never asked: not flagged
    assert campagne.calcul is not None
    assert campagne.table is not None
    assert {d.uai: d.dotation for d in campagne.calcul.dotations} == avant
    assert {d.uai: d.bilan_n1 for d in campagne.calcul.dotations if d.bilan_n1} == {
        uai: signale.pour_la_table()
    }
    table = lignes_table(campagne.table.csv)
    assert {u: (r["dotation_totale"], r["bilan_n1"]) for u, r in table.items()} == {
        "0750001A": ("9568.00", ""),
        "0930002B": ("8305.00", "manquant"),
        "0780003C": ("0.00", ""),
    }
    assert f"- bilan N-1 manquant (1) : {uai} (échéance le {limite:%d/%m/%Y})" in lire(
        campagne.table.rapport
    )
    (message,) = [
        n["message"]
        for n in banc.sortants("2023-2024", "guichet.notification.v1")
        if n["objet"] == "TABLE_COMMISSION" and "version 2" in n["message"]
    ]
    assert "1 bilan(s) N-1 manquant(s)" in message
    assert (await etat_bilan(banc, cle)).anomalies == []

    # The report, valid but late: its leftovers are deducted (the seeds' rule) and the flag
    # becomes « déposé en retard »; the table is recomputed once more.
    #   pre-bac 6 900.00 - 6 476.00 = 424.00 ; post-bac 1 000.00 - 1 000.00 = 0.00
    await banc.envoyer(
        "etablissements.are.bilan-depose.v1",
        cle,
        bilan(
            uai,
            "2022-2023",
            limite + timedelta(days=1),
            [
                depense("pre_bac", "materiel_outillage_instruments", "6476.00"),
                depense("post_bac", "vetement_representation", "1000.00"),
            ],
            dotations_recues={"pre_bac": "6900.00", "post_bac": "1000.00"},
        ),
    )
    etat = await attendre(
        lambda: etat_bilan(banc, cle),
        ATTENTE_S,
        "le bilan validé",
        jusqu_a=lambda e: e.statut is StatutBilan.VALIDE,
    )
    assert (etat.reliquats, etat.depose_en_retard) == (Montants(pre_bac=D("424")), True)
    campagne = await version(banc, "2023-2024", 3)
    signale = campagne.bilans_n1[uai]
    assert (signale.situation, signale.date_limite) == (SituationBilanN1.DEPOSE_EN_RETARD, limite)
    assert campagne.calcul is not None
    assert campagne.table is not None
    reliquats = {uai: Montants(pre_bac=D("424"))}
    assert {d.uai: d.dotation for d in campagne.calcul.dotations} == dotations_attendues(
        "2023-2024", reliquats
    )
    assert lignes_table(campagne.table.csv)[uai]["bilan_n1"] == "depose_en_retard"
    assert lignes_table(campagne.table.csv)[uai]["dotation_totale"] == "7881.00"  # 8305 - 424
    assert f"- bilan N-1 déposé en retard (1) : {uai} (échéance le {limite:%d/%m/%Y})" in lire(
        campagne.table.rapport
    )

    # The campaign page and the commission table's export say it.
    vue = fiche_are.campagne(campagne, None)
    (ligne,) = [e for e in vue.etablissements if e.uai == uai]
    assert ("BILAN_N1_DEPOSE_EN_RETARD", "Bilan N-1 déposé en retard") in ligne.observations
    assert [(b.uai, b.libelle, b.dans_la_table) for b in vue.bilans_n1] == [
        (uai, "Bilan N-1 déposé en retard", True)
    ]
    vue_table = commission.table_commission(campagne)
    assert vue_table is not None
    export = commission.table_csv(vue_table)
    assert export[0][-1] == "Bilan N-1"
    assert [r[-1] for r in export[1:-1]] == ["", "", "depose_en_retard"]  # by UAI
    texte = page_campagne(campagne)
    assert 'data-code="BILAN_N1_DEPOSE_EN_RETARD">Bilan N-1 déposé en retard</span>' in texte
    assert "Bilans N-1 manquants ou déposés en retard" in texte


async def test_a_report_missing_after_the_vote_is_shown_the_voted_table_unchanged(
    banc: Banc,
) -> None:
    uai, cle = "0750001A", "0750001A:2020-2021"
    campagne = await ouvrir(banc, "2021-2022")
    assert campagne.table is not None
    vote = DecisionCampagne(
        type=TypeDecisionCampagne.VOTER,
        auteur="instructeur.test",
        date_vote=await today(banc.env),
        deliberation="CP 2021-372",
        version_table=campagne.table.version,
    )
    await banc.handle("are-campagne:2021-2022").execute_update(
        "decider", vote, result_type=StatutCampagne
    )
    votee = await statut_campagne(banc, "2021-2022", StatutCampagne.PAYEE)

    limite = await demander_bilan(banc, uai, "2020-2021", {"pre_bac": "0.00", "post_bac": "0.00"})
    await sleep_until(banc.env, limite + timedelta(days=1))
    campagne = await attendre(
        lambda: etat_campagne(banc, "2021-2022"),
        ATTENTE_S,
        "le bilan 2020-2021 signalé",
        jusqu_a=lambda e: uai in e.bilans_n1,
    )

    assert (await etat_bilan(banc, cle)).statut is StatutBilan.EN_RETARD
    signale = campagne.bilans_n1[uai]
    assert (signale.situation, signale.date_limite, signale.apres_vote) == (
        SituationBilanN1.MANQUANT,
        limite,
        True,
    )
    assert campagne.statut is StatutCampagne.PAYEE
    assert campagne.table == votee.table
    assert campagne.calcul == votee.calcul
    assert campagne.anomalies == []
    vue = fiche_are.campagne(campagne, None)
    libelle = f"Bilan N-1 manquant (échéance le {limite:%d/%m/%Y}) (signalé après le vote)"
    (ligne,) = [e for e in vue.etablissements if e.uai == uai]
    assert ("BILAN_N1_MANQUANT", libelle) in ligne.observations
    assert [(b.uai, b.libelle, b.dans_la_table, b.apres_vote) for b in vue.bilans_n1] == [
        (uai, libelle, False, True)
    ]
    texte = page_campagne(campagne)
    assert f'data-code="BILAN_N1_MANQUANT">{libelle}</span>' in texte
    assert "non : signalé après le vote, la table votée n'est pas modifiée" in texte
    assert '<a href="/console/dossiers/are-bilan%3A0750001A%3A2020-2021">' in texte
