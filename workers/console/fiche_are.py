"""What the ARE pages show (pure, but for reading the campaign's detailed computation): the
campaign's envelopes and schools, a complementary request, a spending report.

Sources (`models.textes`): the 2021-2022 règlement d'intervention (text 000) and the 2023-2024
modalités (text 001), « Modalités de calcul et d'attribution de la dotation », « Dotation
complémentaire », « Compte rendu d'utilisation des dotations ».

The campaign's state keeps one short line per school (allocation, leftovers, flags) and, per
school, its N-1 spending report when it is missing at its due date or came late (shown on the
school's line and in a list of its own, the allocation unchanged: docs/are.md); names,
académies and the headcounts retained are in the detailed computation the activity wrote
(`ResultatCalcul.calcul`, checked against its SHA-256). When that file cannot be read (another
machine, purged), the table shows what the state has and says what is missing.
"""

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from pydantic import ValidationError

from activities.are.dotations import Calcul
from models import libelles, textes
from models.are import (
    BilanN1Recu,
    EtatBilan,
    EtatCampagne,
    EtatComplement,
    Montants,
    SituationBilanN1,
)
from rules import are as regles

ENVELOPPES = (("pre_bac", "pré-bac"), ("post_bac", "post-bac"))


@dataclass(frozen=True)
class Enveloppe:
    code: str
    libelle: str
    forfait: str
    brut: Decimal
    reliquats: Decimal
    dotation: Decimal


@dataclass(frozen=True)
class Etablissement:
    uai: str
    nom: str
    academie: str
    effectif_pre_bac: int | None
    effectif_prepa_metiers: int | None
    effectif_post_bac: int | None
    boursiers_post_bac: int | None
    reliquats: Montants
    dotation: Montants
    observations: list[tuple[str, str]]
    """(code, label) of each flag."""


@dataclass(frozen=True)
class BilanN1:
    """A school whose N-1 spending report is missing at its due date or came late."""

    uai: str
    code: str
    libelle: str
    """« Bilan N-1 manquant (échéance le 01/10/2023) », « Bilan N-1 déposé en retard »."""
    bilan: str | None
    """The report's dossier (are-bilan:<UAI>:<année>)."""
    apres_vote: bool
    dans_la_table: bool
    """Whether the table shows it (a flag after the vote, or before the next computation, is
    not in the table)."""


@dataclass
class Campagne:
    enveloppes: list[Enveloppe] = field(default_factory=list)
    etablissements: list[Etablissement] = field(default_factory=list)
    academies: list[str] = field(default_factory=list)
    detail_absent: str | None = None
    source: str = ""
    bilans_n1: list[BilanN1] = field(default_factory=list)
    source_bilans: str = ""


def lire_calcul(chemin: str, empreinte: str) -> Calcul | str:
    """The detailed computation, or why it cannot be read."""
    try:
        contenu = Path(chemin).read_bytes()
    except OSError:
        return "le calcul détaillé n'est pas lisible depuis ce serveur (effectifs et noms absents)"
    if hashlib.sha256(contenu).hexdigest() != empreinte:
        return "le calcul détaillé a changé depuis la table (empreinte différente) : non affiché"
    try:
        return Calcul.model_validate_json(contenu)
    except ValidationError:
        return "le calcul détaillé n'est pas dans le format attendu : non affiché"


def _observations(motifs: list[str]) -> list[tuple[str, str]]:
    return [(m, libelles.libelle_motif(m)) for m in motifs]


CODES_BILAN_N1 = {
    SituationBilanN1.MANQUANT: "BILAN_N1_MANQUANT",
    SituationBilanN1.DEPOSE_EN_RETARD: "BILAN_N1_DEPOSE_EN_RETARD",
}


def observation_bilan_n1(bilan: BilanN1Recu) -> tuple[str, str]:
    """(code, label): « Bilan N-1 manquant (échéance le 01/10/2023) », « Bilan N-1 déposé en
    retard », « (signalé après le vote) » when the voted table does not show it."""
    code = CODES_BILAN_N1[bilan.situation]
    libelle = libelles.libelle_motif(code)
    if bilan.situation is SituationBilanN1.MANQUANT and bilan.date_limite:
        libelle += f" (échéance le {bilan.date_limite:%d/%m/%Y})"
    if bilan.apres_vote:
        libelle += " (signalé après le vote)"
    return code, libelle


def _bilans_n1(etat: EtatCampagne) -> list[BilanN1]:
    dans_la_table = {
        d.uai: d.bilan_n1.situation
        for d in (etat.calcul.dotations if etat.calcul else [])
        if d.bilan_n1
    }
    resultat = []
    for uai, b in sorted(etat.bilans_n1.items()):
        code, libelle = observation_bilan_n1(b)
        resultat.append(
            BilanN1(
                uai=uai,
                code=code,
                libelle=libelle,
                bilan=b.bilan,
                apres_vote=b.apres_vote,
                dans_la_table=dans_la_table.get(uai) is b.situation,
            )
        )
    return resultat


def campagne(etat: EtatCampagne, calcul: Calcul | str | None) -> Campagne:
    resultat = Campagne(
        source=textes.reference("001", "« Modalités de calcul et d'attribution de la dotation »")
        if etat.annee_scolaire and etat.annee_scolaire >= "2023-2024"
        else textes.reference("000", "« Modalités de calcul et d'attribution de la dotation »"),
        bilans_n1=_bilans_n1(etat),
        source_bilans=textes.reference("001", "« Compte rendu d'utilisation des dotations »"),
    )
    c = etat.calcul
    if c is None:
        return resultat
    forfaits = (
        f"{c.forfait_standard:.2f} € par élève (standard), "
        f"{c.forfait_prepa_metiers:.2f} € (3e prépa-métiers)".replace(".", ",")
    )
    resultat.enveloppes = [
        Enveloppe(
            code,
            libelle,
            forfaits
            if code == "pre_bac"
            else f"{c.forfait_standard:.2f} € par boursier".replace(".", ","),
            getattr(c.brut, code),
            getattr(c.reliquats, code),
            getattr(c.dotation, code),
        )
        for code, libelle in ENVELOPPES
    ]
    details = {}
    if isinstance(calcul, Calcul):
        details = {e.uai: e for e in calcul.etablissements}
    else:
        resultat.detail_absent = calcul
    for d in sorted(c.dotations, key=lambda d: d.uai):
        e = details.get(d.uai)
        signale = etat.bilans_n1.get(d.uai)
        resultat.etablissements.append(
            Etablissement(
                uai=d.uai,
                nom=e.nom if e else "—",
                academie=(e.academie or "—") if e else "—",
                effectif_pre_bac=e.effectif_pre_bac if e else None,
                effectif_prepa_metiers=e.effectif_prepa_metiers if e else None,
                effectif_post_bac=e.effectif_post_bac if e else None,
                boursiers_post_bac=e.boursiers_post_bac if e else None,
                reliquats=d.reliquats,
                dotation=d.dotation,
                observations=_observations(d.motifs)
                + ([observation_bilan_n1(signale)] if signale else []),
            )
        )
    resultat.academies = sorted({e.academie for e in resultat.etablissements if e.academie != "—"})
    return resultat


def filtrer(
    etablissements: list[Etablissement], *, q: str, academie: str, observation: str
) -> list[Etablissement]:
    """By UAI or name (`q`, contains, any case), académie, and with / without observation."""
    texte = q.strip().lower()
    return [
        e
        for e in etablissements
        if (not texte or texte in e.uai.lower() or texte in e.nom.lower())
        and (not academie or e.academie == academie)
        and (
            not observation
            or (observation == "oui" and e.observations)
            or (observation == "non" and not e.observations)
        )
    ]


# --- complementary request ------------------------------------------------------------------


@dataclass(frozen=True)
class LigneDemande:
    code_diplome: str
    libelle_formation: str
    enveloppe: str
    effectif: int
    eligible: bool | None
    forfait: Decimal | None
    montant: Decimal | None
    motif: str | None


def complement(etat: EtatComplement) -> dict[str, object]:
    evaluees = {e.code_diplome: e for e in etat.evaluation.lignes} if etat.evaluation else {}
    lignes = []
    if etat.demande:
        for ligne in etat.demande.lignes:
            ev = evaluees.get(ligne.code_diplome)
            lignes.append(
                LigneDemande(
                    code_diplome=ligne.code_diplome,
                    libelle_formation=ligne.libelle_formation,
                    enveloppe=libelles.libelle_champ(ligne.enveloppe.value),
                    effectif=ligne.effectif_supplementaire,
                    eligible=ev.eligible if ev else None,
                    forfait=ev.forfait if ev else None,
                    montant=ev.montant if ev else None,
                    motif=libelles.libelle_motif(ev.motif) if ev and ev.motif else None,
                )
            )
    d = etat.demande
    faits: list[tuple[str, str]] = []
    if d:
        faits = [
            ("Lycée (UAI)", d.uai),
            ("Année scolaire", d.annee_scolaire),
            ("Demande du", f"{d.date_demande:%d/%m/%Y} ({d.canal})"),
            ("Motif de la demande", d.motif),
        ]
    if etat.session:
        faits.append(
            (
                "Session de la commission",
                f"{etat.session.reference} du {etat.session.date_session:%d/%m/%Y}",
            )
        )
    for s in etat.sessions_ajournees:
        faits.append(("Session ajournée", f"{s.reference} du {s.date_session:%d/%m/%Y}"))
    return {
        "faits": faits,
        "lignes": lignes,
        "demande": etat.evaluation.montants_demandes if etat.evaluation else None,
        "version_regle": etat.evaluation.version_regle if etat.evaluation else None,
        "commission": etat.commission,
        "decisions": etat.decisions,
        "ordres": etat.ordres,
        "source": textes.reference("001", "« Dotation complémentaire »"),
    }


# --- spending report ------------------------------------------------------------------------


@dataclass(frozen=True)
class Poste:
    enveloppe: str
    type_equipement: str
    libelle: str
    eleves: int
    montant: Decimal


def bilan(etat: EtatBilan) -> dict[str, object]:
    types: Mapping[str, regles.TypeEquipement] = regles.types_equipement()
    postes: dict[tuple[str, str], list[Decimal | int]] = {}
    if etat.bilan:
        for ligne in etat.bilan.depenses:
            cle = (ligne.enveloppe.value, ligne.type_equipement)
            cumul = postes.setdefault(cle, [Decimal("0.00"), 0])
            cumul[0] = Decimal(cumul[0]) + ligne.montant
            cumul[1] = int(cumul[1]) + ligne.nombre_eleves
    faits: list[tuple[str, str]] = [
        ("Lycée (UAI)", etat.uai or "—"),
        ("Année scolaire", etat.annee_scolaire or "—"),
    ]
    if etat.date_demande:
        faits.append(("Bilan demandé le", f"{etat.date_demande:%d/%m/%Y}"))
    if etat.date_limite:
        faits.append(("À déposer avant le", f"{etat.date_limite:%d/%m/%Y}"))
    if etat.bilan:
        faits.append(
            (
                "Déposé le",
                f"{etat.bilan.date_depot:%d/%m/%Y}"
                + (" (en retard)" if etat.depose_en_retard else ""),
            )
        )
    faits.append(("Bilans reçus", str(etat.bilans_recus)))
    if etat.transmis_a:
        faits.append(("Reliquats transmis à", etat.transmis_a))
    recu = None
    if etat.bilan:
        recu = etat.bilan.dotations_recues.plus(etat.bilan.reliquats_anterieurs)
    return {
        "faits": faits,
        "recu": etat.bilan.dotations_recues if etat.bilan else None,
        "anterieurs": etat.bilan.reliquats_anterieurs if etat.bilan else None,
        "ressources": recu,
        "attendu": etat.dotations_versees(),
        "postes": [
            Poste(
                enveloppe=libelles.libelle_champ(env),
                type_equipement=code,
                libelle=types[code].libelle if code in types else f"{code} (type inconnu)",
                eleves=int(cumul[1]),
                montant=Decimal(cumul[0]),
            )
            for (env, code), cumul in sorted(postes.items())
        ],
        "verification": etat.verification,
        "reliquats": etat.reliquats,
        "complements": etat.complements,
        "decisions": etat.decisions,
        "source": textes.reference("001", "« Compte rendu d'utilisation des dotations »"),
    }
