"""Every school's allocation computed from a validated import (`rules.are.calculer_dotation`),
the summary the workflow keeps, the commission permanente's table (CSV) and report
(Markdown), and the message notifying a school of its allocation. Pure: no file, no clock."""

import csv
import io
from collections import Counter
from collections.abc import Iterable
from decimal import Decimal

from pydantic import BaseModel, Field

from activities.are.fichiers import Import
from models.are import (
    BilanN1,
    DotationEtablissement,
    EntreeCalcul,
    LotCampagne,
    Montants,
    ResultatCalcul,
    SituationBilanN1,
    texte_montant,
)
from rules import are
from rules.are import Enveloppe

# --- computing the allocations --------------------------------------------------------------


class LigneCalculee(BaseModel):
    code_diplome: str
    libelle_formation: str
    effectif: int
    apprentis: int
    effectif_retenu: int
    eligible: bool
    hors_liste: bool
    enveloppe: Enveloppe | None
    motif: str | None


class EtablissementCalcule(BaseModel):
    uai: str
    nom: str
    academie: str | None
    taux_boursiers_post_bac: Decimal
    a_repondu_enquete: bool
    effectif_prepa_metiers: int
    effectif_pre_bac: int
    effectif_post_bac: int
    boursiers_post_bac: int
    brut: Montants
    reliquats: Montants
    reliquats_recus: bool
    dotation: Montants
    motifs: list[str]
    lignes: list[LigneCalculee]
    bilan_n1: BilanN1 | None = None
    """N-1 report missing at its due date or deposited late: shown, not computed with."""


class Calcul(BaseModel):
    """Every school's allocation, in detail (the table and the report are written from it)."""

    campagne: str
    annee_scolaire: str
    version: int
    version_regle: str
    forfait_standard: Decimal
    forfait_prepa_metiers: Decimal
    acte: str
    fichier_effectifs: str
    fichier_etablissements: str
    etablissements: list[EtablissementCalcule]
    reliquats_hors_fichier: dict[str, Montants]
    bilans_n1_hors_fichier: dict[str, BilanN1] = Field(default_factory=dict)


def calculer(entree: EntreeCalcul, donnees: Import) -> Calcul:
    """Each school's allocation through `rules.are.calculer_dotation` (both seeds, « Modalités
    de calcul et d'attribution de la dotation »): its lines, scholarship rate, survey answer
    and the leftovers its last spending report left (0 when none was received). A missing or
    late N-1 report is carried to the school's line, never into the computation (docs/are.md,
    « Choices where the texts are silent »)."""
    forfaits = are.forfaits(entree.annee_scolaire)
    resultats: list[EtablissementCalcule] = []
    for e in donnees.etablissements:
        reliquats = entree.reliquats.get(e.uai)
        d = are.calculer_dotation(
            entree.annee_scolaire,
            a_repondu_enquete=e.a_repondu_enquete,
            effectifs=[
                are.LigneEffectif(lig.code_diplome, lig.effectif, lig.apprentis) for lig in e.lignes
            ],
            taux_boursiers_post_bac=e.taux_boursiers_post_bac,
            reliquats=(reliquats or Montants()).par_enveloppe(),
        )
        resultats.append(
            EtablissementCalcule(
                uai=e.uai,
                nom=e.nom,
                academie=e.academie,
                taux_boursiers_post_bac=e.taux_boursiers_post_bac,
                a_repondu_enquete=e.a_repondu_enquete,
                effectif_prepa_metiers=d.effectif_prepa_metiers,
                effectif_pre_bac=d.effectif_pre_bac_hors_prepa_metiers,
                effectif_post_bac=d.effectif_post_bac,
                boursiers_post_bac=d.boursiers_post_bac,
                brut=Montants.depuis({k: v.brut for k, v in d.enveloppes.items()}),
                reliquats=Montants.depuis({k: v.reliquat for k, v in d.enveloppes.items()}),
                reliquats_recus=reliquats is not None,
                dotation=Montants.depuis({k: v.dotation for k, v in d.enveloppes.items()}),
                motifs=[m.value for m in d.motifs],
                lignes=[
                    LigneCalculee(
                        code_diplome=lig.code_diplome,
                        libelle_formation=source.libelle_formation,
                        effectif=source.effectif,
                        apprentis=source.apprentis,
                        effectif_retenu=lig.effectif_retenu,
                        eligible=lig.eligible,
                        hors_liste=lig.hors_liste,
                        enveloppe=lig.enveloppe,
                        motif=lig.motif.value if lig.motif else None,
                    )
                    for lig, source in zip(d.lignes, e.lignes, strict=True)
                ],
                bilan_n1=entree.bilans_n1.get(e.uai),
            )
        )
    presents = {e.uai for e in donnees.etablissements}
    return Calcul(
        campagne=entree.campagne,
        annee_scolaire=entree.annee_scolaire,
        version=entree.version,
        version_regle=are.version_regle(entree.annee_scolaire),
        forfait_standard=forfaits.standard,
        forfait_prepa_metiers=forfaits.prepa_metiers,
        acte=forfaits.acte,
        fichier_effectifs=donnees.fichier_effectifs,
        fichier_etablissements=donnees.fichier_etablissements,
        etablissements=resultats,
        reliquats_hors_fichier={u: m for u, m in entree.reliquats.items() if u not in presents},
        bilans_n1_hors_fichier={u: b for u, b in entree.bilans_n1.items() if u not in presents},
    )


def _somme(montants: Iterable[Montants]) -> Montants:
    total = Montants()
    for m in montants:
        total = total.plus(m)
    return total


def resume(calcul: Calcul, fichier: str, empreinte: str) -> ResultatCalcul:
    """What the workflow keeps: totals and one short line per school."""
    etablissements = calcul.etablissements
    return ResultatCalcul(
        version=calcul.version,
        version_regle=calcul.version_regle,
        forfait_standard=calcul.forfait_standard,
        forfait_prepa_metiers=calcul.forfait_prepa_metiers,
        brut=_somme(e.brut for e in etablissements),
        reliquats=_somme(e.reliquats for e in etablissements),
        dotation=_somme(e.dotation for e in etablissements),
        nombre_etablissements=len(etablissements),
        nombre_dotes=sum(1 for e in etablissements if e.dotation.total > 0),
        dotations=[
            DotationEtablissement(
                uai=e.uai,
                dotation=e.dotation,
                reliquats=e.reliquats,
                motifs=e.motifs,
                bilan_n1=e.bilan_n1,
            )
            for e in etablissements
        ],
        calcul=fichier,
        empreinte=empreinte,
    )


# --- the commission permanente's table ------------------------------------------------------

COLONNES_TABLE = (
    "academie",
    "uai",
    "nom",
    "a_repondu_enquete",
    "effectif_prepa_metiers",
    "effectif_pre_bac",
    "effectif_post_bac",
    "taux_boursiers_post_bac",
    "boursiers_post_bac",
    "brut_pre_bac",
    "reliquat_pre_bac",
    "dotation_pre_bac",
    "brut_post_bac",
    "reliquat_post_bac",
    "dotation_post_bac",
    "dotation_totale",
    "motifs",
    "bilan_n1",
)
"""The last column, `bilan_n1` (empty, `manquant`, `depose_en_retard`), came after the others:
their positions did not move."""


def _ordre_table(e: EtablissementCalcule) -> tuple[str, str]:
    return (e.academie or "", e.uai)


def table_csv(calcul: Calcul) -> str:
    """One line per school (amounts with a dot and two decimals, for re-import)."""
    sortie = io.StringIO()
    ecrivain = csv.writer(sortie, delimiter=";", lineterminator="\n")
    ecrivain.writerow(COLONNES_TABLE)
    for e in sorted(calcul.etablissements, key=_ordre_table):
        ecrivain.writerow(
            [
                e.academie or "",
                e.uai,
                e.nom,
                "oui" if e.a_repondu_enquete else "non",
                e.effectif_prepa_metiers,
                e.effectif_pre_bac,
                e.effectif_post_bac,
                e.taux_boursiers_post_bac,
                e.boursiers_post_bac,
                f"{e.brut.pre_bac:.2f}",
                f"{e.reliquats.pre_bac:.2f}",
                f"{e.dotation.pre_bac:.2f}",
                f"{e.brut.post_bac:.2f}",
                f"{e.reliquats.post_bac:.2f}",
                f"{e.dotation.post_bac:.2f}",
                f"{e.dotation.total:.2f}",
                " ".join(e.motifs),
                e.bilan_n1.situation.value if e.bilan_n1 else "",
            ]
        )
    return sortie.getvalue()


SITUATIONS_BILAN_N1 = {
    SituationBilanN1.MANQUANT: "manquant",
    SituationBilanN1.DEPOSE_EN_RETARD: "déposé en retard",
}


def echeance_bilan_n1(bilan: BilanN1) -> str:
    """« (échéance le 01/10/2023) », or nothing when the due date is unknown."""
    return f" (échéance le {bilan.date_limite:%d/%m/%Y})" if bilan.date_limite else ""


def _points_bilans_n1(calcul: Calcul) -> list[str]:
    """The schools whose N-1 report guichet asked is missing at its due date or came late (the
    table's column `bilan_n1`), with the due date; the allocation does not depend on it."""
    signales = {e.uai: e.bilan_n1 for e in calcul.etablissements if e.bilan_n1}
    lignes = []
    for situation, texte in SITUATIONS_BILAN_N1.items():
        concernes = sorted(u for u, b in signales.items() if b.situation is situation)
        if concernes:
            lignes.append(
                f"- bilan N-1 {texte} ({len(concernes)}) : "
                + ", ".join(f"{u}{echeance_bilan_n1(signales[u])}" for u in concernes)
            )
    if calcul.bilans_n1_hors_fichier:
        lignes.append(
            "- bilan N-1 d'établissements absents du fichier : "
            + ", ".join(
                f"{u} {SITUATIONS_BILAN_N1[b.situation]}{echeance_bilan_n1(b)}"
                for u, b in sorted(calcul.bilans_n1_hors_fichier.items())
            )
        )
    if lignes:
        lignes.append(
            "- bilans N-1 manquants ou déposés en retard : dotations calculées sans en tenir "
            "compte (les textes déduisent les reliquats que déclare le bilan et ne prévoient "
            "rien pour un bilan manquant ou tardif) ; à la commission d'en décider"
        )
    return lignes


LIBELLES_MOTIFS = {
    "ENQUETE_NON_REPONDUE": "n'a pas répondu aux enquêtes régionales : aucune dotation",
    "RELIQUAT_COUVRE_PRE_BAC": "reliquats pré-bac supérieurs ou égaux à la dotation calculée",
    "RELIQUAT_COUVRE_POST_BAC": "reliquats post-bac supérieurs ou égaux à la dotation calculée",
    "FORMATIONS_HORS_LISTE": (
        "formations absentes de la liste annexée (décidées par leur spécialité)"
    ),
}


def _ligne_montants(libelle: str, brut: Decimal, reliquat: Decimal, dotation: Decimal) -> str:
    return (
        f"| {libelle} | {texte_montant(brut)} | {texte_montant(reliquat)} | "
        f"{texte_montant(dotation)} |"
    )


def rapport(calcul: Calcul, chemin_csv: str) -> str:
    """The readable report for the commission permanente (Markdown)."""
    es = calcul.etablissements
    brut = _somme(e.brut for e in es)
    reliquats = _somme(e.reliquats for e in es)
    dotation = _somme(e.dotation for e in es)
    lignes = [
        f"# ARE {calcul.annee_scolaire} — table de la commission permanente "
        f"(version {calcul.version})",
        "",
        f"Dotations initiales de l'aide régionale à l'équipement des lycées, campagne "
        f"{calcul.campagne}. Règles {calcul.version_regle} ; forfaits "
        f"{texte_montant(calcul.forfait_standard)} par élève (1re année de CAP, bac "
        f"technologique et bac professionnel des formations éligibles, boursiers post-bac) et "
        f"{texte_montant(calcul.forfait_prepa_metiers)} par élève de 3e prépa-métiers "
        f"({calcul.acte}).",
        "",
        f"- Effectifs (rectorats, rentrée n-1) : `{calcul.fichier_effectifs}`",
        f"- Établissements (taux de boursiers, enquête régionale) : "
        f"`{calcul.fichier_etablissements}`",
        f"- Table détaillée : `{chemin_csv}`",
        "",
        "## Totaux",
        "",
        "| enveloppe | montant calculé | reliquats n-1 | dotation |",
        "| --- | ---: | ---: | ---: |",
        _ligne_montants("pré-bac", brut.pre_bac, reliquats.pre_bac, dotation.pre_bac),
        _ligne_montants("post-bac", brut.post_bac, reliquats.post_bac, dotation.post_bac),
        _ligne_montants("**total**", brut.total, reliquats.total, dotation.total),
        "",
        "Les enveloppes pré-bac et post-bac ne sont pas fongibles : les reliquats de chacune ne "
        "sont déduits que de la même enveloppe, sans jamais la rendre négative.",
        "",
        f"- Établissements : {len(es)} ; dotés : {sum(1 for e in es if e.dotation.total > 0)}",
        f"- Élèves retenus : {sum(e.effectif_prepa_metiers for e in es)} en 3e prépa-métiers, "
        f"{sum(e.effectif_pre_bac for e in es)} autres pré-bac, "
        f"{sum(e.boursiers_post_bac for e in es)} boursiers post-bac "
        f"(sur {sum(e.effectif_post_bac for e in es)} élèves post-bac)",
        f"- Établissements sans bilan n-1 reçu (aucun reliquat déduit) : "
        f"{sum(1 for e in es if not e.reliquats_recus)}",
        "",
        "## Points d'attention",
        "",
    ]
    points = 0
    for motif, libelle in LIBELLES_MOTIFS.items():
        concernes = [e for e in es if motif in e.motifs]
        if concernes:
            points += 1
            lignes.append(
                f"- {libelle} ({len(concernes)}) : " + ", ".join(e.uai for e in concernes)
            )
    non_eligibles = Counter(
        lig.motif for e in es for lig in e.lignes if not lig.eligible and lig.motif
    )
    for motif_ligne, nombre in sorted(non_eligibles.items()):
        points += 1
        lignes.append(f"- lignes non éligibles {motif_ligne} : {nombre}")
    if calcul.reliquats_hors_fichier:
        points += 1
        lignes.append(
            "- reliquats reçus pour des établissements absents du fichier : "
            + ", ".join(sorted(calcul.reliquats_hors_fichier))
        )
    bilans_n1 = _points_bilans_n1(calcul)
    points += len(bilans_n1)
    lignes += bilans_n1
    if not points:
        lignes.append("Aucun.")
    lignes += ["", "## Dotations par académie", ""]
    for academie in sorted({e.academie or "" for e in es}):
        membres = sorted((e for e in es if (e.academie or "") == academie), key=_ordre_table)
        lignes += [
            f"### {academie or 'sans ligne d’effectifs'}",
            "",
            "| UAI | établissement | pré-bac | post-bac | total | motifs |",
            "| --- | --- | ---: | ---: | ---: | --- |",
        ]
        for e in membres:
            lignes.append(
                f"| {e.uai} | {e.nom} | {texte_montant(e.dotation.pre_bac)} | "
                f"{texte_montant(e.dotation.post_bac)} | {texte_montant(e.dotation.total)} | "
                f"{' '.join(e.motifs)} |"
            )
        sous_total = _somme(e.dotation for e in membres)
        lignes += [
            f"| **total** | {len(membres)} établissement(s) | "
            f"{texte_montant(sous_total.pre_bac)} | {texte_montant(sous_total.post_bac)} | "
            f"{texte_montant(sous_total.total)} | |",
            "",
        ]
    return "\n".join(lignes)


def _objet_notification(d: DotationEtablissement) -> str:
    if "ENQUETE_NON_REPONDUE" in d.motifs:
        return "DOTATION_NULLE"
    return "DOTATION_ATTRIBUEE" if d.total > 0 else "DOTATION_NULLE"


def message_dotation(lot: LotCampagne, d: DotationEtablissement) -> str:
    texte = (
        f"Aide régionale à l'équipement {lot.annee_scolaire} : la commission permanente du "
        f"{lot.date_vote:%d/%m/%Y} ({lot.deliberation}) vous attribue "
        f"{texte_montant(d.dotation.pre_bac)} (pré-bac) et {texte_montant(d.dotation.post_bac)} "
        f"(post-bac)."
    )
    if d.reliquats.total > 0:
        texte += (
            f" Reliquats de l'année précédente déduits par enveloppe : "
            f"{texte_montant(d.reliquats.pre_bac)} (pré-bac), "
            f"{texte_montant(d.reliquats.post_bac)} (post-bac)."
        )
    raisons = [MOTIFS_ETABLISSEMENT[m] for m in d.motifs if m in MOTIFS_ETABLISSEMENT]
    return " ".join([texte, *raisons])


MOTIFS_ETABLISSEMENT = {
    "ENQUETE_NON_REPONDUE": "Votre établissement n'a pas répondu aux enquêtes régionales : "
    "aucune dotation n'est attribuée.",
    "RELIQUAT_COUVRE_PRE_BAC": "Vos reliquats pré-bac couvrent la dotation pré-bac calculée.",
    "RELIQUAT_COUVRE_POST_BAC": "Vos reliquats post-bac couvrent la dotation post-bac calculée.",
}
