"""ARE activities: the side effects and rule evaluations of the three ARE workflows.

- the campaign: import the rectorats' enrolment file and the schools file, validated line by
  line (`importer_effectifs_are`); compute every school's allocation with `rules.are`
  (`calculer_dotations_are`); write the commission permanente's table as CSV and a readable
  report (`produire_table_commission_are`); after the vote, publish the notifications and
  payment orders of a batch of schools (`publier_lot_are`);
- every workflow: deliver an internal event to another ARE workflow, starting it if needed
  (`signaler_dossiers_are`);
- the complementary request: evaluate its lines against the year's eligibility
  (`evaluer_complement_are`) and find the next commission permanente session
  (`prochaine_session_are`, reference data `rules/data/are/sessions_commission.csv`);
- the spending report: check it with `rules.are.verifier_bilan` (`verifier_bilan_are`).

Files go to the directory given to `AreActivities` (one folder per campaign); the stages hand
over through JSON files named by version and checked by their SHA-256, so the workflow history
only carries summaries (one line per school, a few figures). Sources: seeds 000 and 001 (see
docs/are.md).
"""

import asyncio
import csv
import hashlib
import io
import os
import re
import tempfile
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Literal, TypeVar

import structlog
from pydantic import BaseModel, Field
from temporalio import activity
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError

from events import topics
from events.publisher import Publisher, encode
from models.are import (
    ACADEMIES,
    WORKFLOW_CAMPAGNE,
    AnomalieBilan,
    DotationEtablissement,
    EntreeCalcul,
    EntreeEvaluationComplement,
    EntreeImport,
    EntreeSession,
    EntreeTable,
    EntreeVerificationBilan,
    ErreurImport,
    EvaluationComplement,
    LigneComplement,
    LigneEvaluee,
    LotCampagne,
    Montants,
    RefusSignal,
    ResultatCalcul,
    ResultatImport,
    ResultatLot,
    ResultatSession,
    ResultatSignaux,
    SessionCommission,
    SignalDossier,
    SignauxDossiers,
    TableCommission,
    VerificationBilan,
    cle_etablissement,
    id_notification_campagne,
    id_ordre_campagne,
    texte_montant,
)
from models.evenements import CloudEvent, EntreeDossier
from models.recherche import au_demarrage
from models.sortants import Notification, OrdrePaiementEmis
from rules import are
from rules.are import Enveloppe
from rules.reference import read_csv

SOURCE = "/guichet"
ERREURS_DANS_LE_RESULTAT = 50
"""The workflow keeps the first errors; the error report has them all."""
PUBLICATIONS_SIMULTANEES = 50
SIGNAUX_SIMULTANES = 20

log = structlog.get_logger(__name__)

T = TypeVar("T")


# --- reading the files, line by line --------------------------------------------------------

COLONNES_EFFECTIFS = (
    "academie",
    "uai",
    "code_diplome",
    "libelle_formation",
    "effectif",
    "apprentis",
)
COLONNES_ETABLISSEMENTS = ("uai", "nom", "taux_boursiers_post_bac", "a_repondu_enquete")
NomFichier = Literal["effectifs", "etablissements"]
NOMS_FICHIERS: dict[NomFichier, str] = {
    "effectifs": "fichier des effectifs",
    "etablissements": "fichier des établissements",
}

REGLE_COLONNE = "colonne obligatoire de l'en-tête"
REGLE_NOMBRE_VALEURS = "autant de valeurs que de colonnes dans l'en-tête"
REGLE_ACADEMIE = f"une des trois académies d'Île-de-France ({', '.join(ACADEMIES)})"
REGLE_UAI = "7 chiffres et une lettre majuscule"
REGLE_CODE = "8 chiffres"
REGLE_LIBELLE = "texte obligatoire de 200 caractères au plus"
REGLE_ENTIER = "entier positif ou nul"
REGLE_APPRENTIS = "entier positif ou nul, au plus égal à l'effectif de la ligne"
REGLE_TAUX = "fraction entre 0 et 1 (ex. 0,35), pas un pourcentage"
REGLE_OUI_NON = "oui ou non"
REGLE_DOUBLON_LIGNE = "une seule ligne par établissement et formation"
REGLE_DOUBLON_UAI = "une seule ligne par établissement"
REGLE_UAI_CONNU = "l'établissement figure dans le fichier des établissements"
REGLE_ACADEMIE_UNIQUE = "une seule académie par établissement"
REGLE_FICHIER = "fichier CSV lisible, encodé en UTF-8, séparateur « ; »"

_ENTIER = re.compile(r"\d+")
_DECIMAL = re.compile(r"\d+(?:[.,]\d+)?")


def _erreur(
    fichier: NomFichier, ligne: int, champ: str, valeur: str, regle: str, *, detail: str = ""
) -> ErreurImport:
    """An error whose message names the file, the line, the field, the value and the rule."""
    message = (
        f"{NOMS_FICHIERS[fichier]}, ligne {ligne}, champ {champ} : valeur « {valeur} » refusée "
        f"(règle : {regle})"
    )
    if detail:
        message = f"{message} : {detail}"
    return ErreurImport(
        fichier=fichier, ligne=ligne, champ=champ, valeur=valeur, regle=regle, message=message
    )


@dataclass
class _Lecture:
    """The rows of one CSV file, each with its line number, and the errors found so far."""

    fichier: NomFichier
    lignes: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    erreurs: list[ErreurImport] = field(default_factory=list)

    def refuser(self, ligne: int, champ: str, valeur: str, regle: str, detail: str = "") -> None:
        self.erreurs.append(_erreur(self.fichier, ligne, champ, valeur, regle, detail=detail))


def lire_csv(fichier: NomFichier, contenu: bytes, colonnes: Sequence[str]) -> _Lecture:
    """Split a `;`-separated UTF-8 file (BOM accepted) into rows keyed by the header.

    Line numbers are those of the file (the header is line 1); empty lines are skipped; a row
    with a wrong number of values is refused whole. Extra columns are ignored.
    """
    lecture = _Lecture(fichier)
    try:
        texte = contenu.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        ligne = contenu[: exc.start].count(b"\n") + 1
        lecture.refuser(ligne, "(fichier)", repr(contenu[exc.start : exc.start + 4]), REGLE_FICHIER)
        return lecture
    lecteur = csv.reader(io.StringIO(texte, newline=""), delimiter=";")
    try:
        entete = [c.strip() for c in next(lecteur)]
    except StopIteration:
        lecture.refuser(1, "(en-tête)", "", REGLE_FICHIER, "fichier vide")
        return lecture
    manquantes = [c for c in colonnes if c not in entete]
    for colonne in manquantes:
        lecture.refuser(1, colonne, ";".join(entete), REGLE_COLONNE)
    if manquantes:
        return lecture
    try:
        for valeurs in lecteur:
            numero = lecteur.line_num
            if not any(v.strip() for v in valeurs):
                continue
            if len(valeurs) != len(entete):
                lecture.refuser(
                    numero,
                    "(ligne)",
                    ";".join(valeurs),
                    REGLE_NOMBRE_VALEURS,
                    f"{len(valeurs)} valeurs pour {len(entete)} colonnes",
                )
                continue
            lecture.lignes.append(
                (numero, {c: v.strip() for c, v in zip(entete, valeurs, strict=True)})
            )
    except csv.Error as exc:
        lecture.refuser(lecteur.line_num, "(ligne)", "", REGLE_FICHIER, str(exc))
    return lecture


class LigneImportee(BaseModel):
    ligne: int
    code_diplome: str
    libelle_formation: str
    effectif: int
    apprentis: int


class EtablissementImporte(BaseModel):
    uai: str
    nom: str
    academie: str | None = None
    taux_boursiers_post_bac: Decimal
    a_repondu_enquete: bool
    lignes: list[LigneImportee] = Field(default_factory=list)


class Import(BaseModel):
    """The validated content of the two files: one entry per school, with its lines."""

    annee_scolaire: str
    fichier_effectifs: str
    fichier_etablissements: str
    sha256_effectifs: str
    sha256_etablissements: str
    etablissements: list[EtablissementImporte]

    @property
    def nombre_lignes(self) -> int:
        return sum(len(e.lignes) for e in self.etablissements)


def _entier(lecture: _Lecture, numero: int, champ: str, valeur: str, regle: str) -> int | None:
    if not _ENTIER.fullmatch(valeur):
        lecture.refuser(numero, champ, valeur, regle)
        return None
    return int(valeur)


def _academie(valeur: str) -> str:
    return valeur.upper().replace("É", "E")


def valider_etablissements(
    contenu: bytes,
) -> tuple[dict[str, EtablissementImporte], set[str], list[ErreurImport]]:
    """The schools file: `uai;nom;taux_boursiers_post_bac;a_repondu_enquete`.

    The scholarship rate is the one the services académiques communicate (both seeds,
    « Modalités de calcul », note 1), as a fraction; the survey answer is the regional survey's
    (« Les établissements n'ayant pas répondu aux enquêtes régionales... »).
    """
    lecture = lire_csv("etablissements", contenu, COLONNES_ETABLISSEMENTS)
    etablissements: dict[str, EtablissementImporte] = {}
    premiere: dict[str, int] = {}
    for numero, v in lecture.lignes:
        avant = len(lecture.erreurs)
        uai = v["uai"]
        if not are.uai_valide(uai):
            lecture.refuser(numero, "uai", uai, REGLE_UAI)
        elif uai in premiere:
            lecture.refuser(
                numero, "uai", uai, REGLE_DOUBLON_UAI, f"déjà présent ligne {premiere[uai]}"
            )
        nom = v["nom"]
        if not nom or len(nom) > 200:
            lecture.refuser(numero, "nom", nom, REGLE_LIBELLE)
        taux_texte = v["taux_boursiers_post_bac"]
        taux: Decimal | None = None
        if _DECIMAL.fullmatch(taux_texte):
            taux = Decimal(taux_texte.replace(",", "."))
        if taux is None or taux > 1:
            lecture.refuser(numero, "taux_boursiers_post_bac", taux_texte, REGLE_TAUX)
        reponse = v["a_repondu_enquete"].lower()
        if reponse not in ("oui", "non"):
            lecture.refuser(numero, "a_repondu_enquete", v["a_repondu_enquete"], REGLE_OUI_NON)
        if len(lecture.erreurs) == avant and taux is not None:
            premiere[uai] = numero
            etablissements[uai] = EtablissementImporte(
                uai=uai, nom=nom, taux_boursiers_post_bac=taux, a_repondu_enquete=reponse == "oui"
            )
        elif are.uai_valide(uai):
            premiere.setdefault(uai, numero)
    return etablissements, set(premiere), lecture.erreurs


def valider_effectifs(
    contenu: bytes, etablissements: dict[str, EtablissementImporte], uai_lus: Iterable[str]
) -> list[ErreurImport]:
    """The rectorats' file: `academie;uai;code_diplome;libelle_formation;effectif;apprentis`,
    one line per school and formation (first-year enrolment of the n-1 school start, both
    seeds « Les effectifs pris en compte... effectifs stabilisés de la rentrée n-1 communiqués
    par les trois rectorats »). Valid lines are added to their school in `etablissements`.

    `uai_lus`: every school of the schools file, even one whose line was refused (its lines
    here are then not reported a second time as unknown).
    """
    lecture = lire_csv("effectifs", contenu, COLONNES_EFFECTIFS)
    connus = set(uai_lus)
    premiere: dict[tuple[str, str], int] = {}
    academie_de: dict[str, tuple[str, int]] = {}
    for numero, v in lecture.lignes:
        avant = len(lecture.erreurs)
        academie = _academie(v["academie"])
        if academie not in ACADEMIES:
            lecture.refuser(numero, "academie", v["academie"], REGLE_ACADEMIE)
        uai = v["uai"]
        if not are.uai_valide(uai):
            lecture.refuser(numero, "uai", uai, REGLE_UAI)
        elif uai not in connus:
            lecture.refuser(numero, "uai", uai, REGLE_UAI_CONNU)
        elif academie in ACADEMIES:
            deja = academie_de.setdefault(uai, (academie, numero))
            if deja[0] != academie:
                lecture.refuser(
                    numero,
                    "academie",
                    v["academie"],
                    REGLE_ACADEMIE_UNIQUE,
                    f"{uai} est en académie {deja[0]} ligne {deja[1]}",
                )
        code = v["code_diplome"]
        if not are.code_diplome_valide(code):
            lecture.refuser(numero, "code_diplome", code, REGLE_CODE)
        elif (uai, code) in premiere:
            lecture.refuser(
                numero,
                "code_diplome",
                code,
                REGLE_DOUBLON_LIGNE,
                f"{uai} / {code} déjà présent ligne {premiere[(uai, code)]}",
            )
        else:
            premiere[(uai, code)] = numero
        libelle = v["libelle_formation"]
        if not libelle or len(libelle) > 200:
            lecture.refuser(numero, "libelle_formation", libelle, REGLE_LIBELLE)
        effectif = _entier(lecture, numero, "effectif", v["effectif"], REGLE_ENTIER)
        apprentis = _entier(lecture, numero, "apprentis", v["apprentis"] or "0", REGLE_APPRENTIS)
        if effectif is not None and apprentis is not None and apprentis > effectif:
            lecture.refuser(
                numero, "apprentis", v["apprentis"], REGLE_APPRENTIS, f"effectif {effectif}"
            )
        if len(lecture.erreurs) == avant and uai in etablissements:
            assert effectif is not None
            assert apprentis is not None
            etablissement = etablissements[uai]
            etablissement.academie = academie
            etablissement.lignes.append(
                LigneImportee(
                    ligne=numero,
                    code_diplome=code,
                    libelle_formation=libelle,
                    effectif=effectif,
                    apprentis=apprentis,
                )
            )
    return lecture.erreurs


def importer(
    annee_scolaire: str,
    fichier_effectifs: str,
    contenu_effectifs: bytes,
    fichier_etablissements: str,
    contenu_etablissements: bytes,
) -> Import | list[ErreurImport]:
    """Both files validated line by line: the import, or every error (an import is all or
    nothing: a file with errors is refused whole and a corrected one is awaited)."""
    etablissements, lus, erreurs = valider_etablissements(contenu_etablissements)
    erreurs += valider_effectifs(contenu_effectifs, etablissements, lus)
    if erreurs:
        return sorted(erreurs, key=lambda e: (e.fichier != "effectifs", e.ligne))
    return Import(
        annee_scolaire=annee_scolaire,
        fichier_effectifs=fichier_effectifs,
        fichier_etablissements=fichier_etablissements,
        sha256_effectifs=hashlib.sha256(contenu_effectifs).hexdigest(),
        sha256_etablissements=hashlib.sha256(contenu_etablissements).hexdigest(),
        etablissements=sorted(etablissements.values(), key=lambda e: e.uai),
    )


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


def calculer(entree: EntreeCalcul, donnees: Import) -> Calcul:
    """Each school's allocation through `rules.are.calculer_dotation` (both seeds, « Modalités
    de calcul et d'attribution de la dotation »): its lines, scholarship rate, survey answer
    and the leftovers its last spending report left (0 when none was received)."""
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
                uai=e.uai, dotation=e.dotation, reliquats=e.reliquats, motifs=e.motifs
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
)


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
            ]
        )
    return sortie.getvalue()


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


# --- complementary requests -----------------------------------------------------------------


def evaluer_complement(
    annee_scolaire: str, lignes: Sequence[LigneComplement]
) -> EvaluationComplement:
    """Each line checked against the year's eligibility and priced.

    Both seeds, « Dotation complémentaire »: the request lists the extra pupils (pre-bac) or
    extra scholarship holders (post-bac) « par formation éligible au dispositif ». A line is
    eligible when its formation is (`rules.are.qualifier_formation`: specialty, level) and its
    envelope is the formation's level (« non fongibles »). Its amount is the extra count x the
    year's flat rate (3e prépa-métiers rate for 67010031): the texts do not price the
    complement; we read it as the initial allocation's formula applied to the extra pupils.
    """
    taux = are.forfaits(annee_scolaire)
    evaluees: list[LigneEvaluee] = []
    for ligne in lignes:
        q = are.qualifier_formation(ligne.code_diplome, annee_scolaire)
        forfait = taux.prepa_metiers if q.prepa_metiers else taux.standard
        motif: str | None = q.motif.value if q.motif else None
        if motif is None and q.niveau is not ligne.enveloppe:
            motif = "ENVELOPPE_INCOHERENTE"
        eligible = motif is None
        evaluees.append(
            LigneEvaluee(
                code_diplome=ligne.code_diplome,
                enveloppe=ligne.enveloppe,
                effectif_supplementaire=ligne.effectif_supplementaire,
                eligible=eligible,
                hors_liste=q.hors_liste,
                forfait=forfait,
                montant=are.arrondi(ligne.effectif_supplementaire * forfait)
                if eligible
                else Decimal("0.00"),
                motif=motif,
            )
        )
    return EvaluationComplement(
        version_regle=are.version_regle(annee_scolaire),
        lignes=evaluees,
        montants_demandes=Montants(
            pre_bac=sum(
                (e.montant for e in evaluees if e.enveloppe is Enveloppe.PRE_BAC), Decimal("0.00")
            ),
            post_bac=sum(
                (e.montant for e in evaluees if e.enveloppe is Enveloppe.POST_BAC), Decimal("0.00")
            ),
        ),
    )


def sessions_commission() -> list[SessionCommission]:
    """Commission permanente sessions (`rules/data/are/sessions_commission.csv`)."""
    return sorted(
        (
            SessionCommission(
                reference=r["reference"], date_session=date.fromisoformat(r["date_session"])
            )
            for r in read_csv("are", "sessions_commission.csv")
        ),
        key=lambda s: s.date_session,
    )


def prochaine_session(
    sessions: Iterable[SessionCommission], jour: date
) -> SessionCommission | None:
    """The first session strictly after `jour` (a request queued on a session day waits for
    the next one: the day's agenda is closed)."""
    return min(
        (s for s in sessions if s.date_session > jour), key=lambda s: s.date_session, default=None
    )


# --- spending reports -----------------------------------------------------------------------


def verifier(entree: EntreeVerificationBilan) -> VerificationBilan:
    """The spending report checked by `rules.are.verifier_bilan` (both seeds, « Compte rendu
    d'utilisation des dotations », « Les types d'équipements », « non fongibles »), after two
    reconciliations of our own: the declared allocations received must equal what the Région
    ordered (initial allocation and complements), and the declared leftovers of the year
    before must equal those the last report set, when guichet knows them."""
    bilan = entree.bilan
    anomalies: list[AnomalieBilan] = []
    for code, declare, connu, libelle in (
        (
            "DOTATIONS_NON_CONCORDANTES",
            bilan.dotations_recues,
            entree.dotations_versees,
            "dotations reçues",
        ),
        (
            "RELIQUATS_NON_CONCORDANTS",
            bilan.reliquats_anterieurs,
            entree.reliquats_connus,
            "reliquats antérieurs",
        ),
    ):
        if connu is None:
            continue
        for env in Enveloppe:
            if declare.de(env) != connu.de(env):
                champ = (
                    "dotations_recues" if code.startswith("DOTATIONS") else "reliquats_anterieurs"
                )
                anomalies.append(
                    AnomalieBilan(
                        code=code,
                        message=(
                            f"{champ}.{env.value} « {declare.de(env)} » : les {libelle} déclarées "
                            f"doivent être celles connues de la Région ({connu.de(env)} EUR)"
                        ),
                        enveloppe=env,
                    )
                )
    resultat = are.verifier_bilan(
        dotations_recues=bilan.dotations_recues.par_enveloppe(),
        reliquats_anterieurs=bilan.reliquats_anterieurs.par_enveloppe(),
        depenses=[
            are.Depense(
                enveloppe=d.enveloppe,
                type_equipement=d.type_equipement,
                montant=d.montant,
                code_diplome=d.code_diplome,
                nombre_eleves=d.nombre_eleves,
            )
            for d in bilan.depenses
        ],
    )
    anomalies += [
        AnomalieBilan(code=a.code.value, message=a.message, ligne=a.ligne, enveloppe=a.enveloppe)
        for a in resultat.anomalies
    ]
    return VerificationBilan(
        valide=not anomalies,
        anomalies=anomalies,
        ressources=Montants.depuis(resultat.ressources),
        depenses=Montants.depuis(resultat.depenses),
        reliquats=Montants.depuis(resultat.reliquats),
        eleves_aides=sum(d.nombre_eleves for d in bilan.depenses),
    )


# --- the activities -------------------------------------------------------------------------


def _sha256(contenu: bytes) -> str:
    return hashlib.sha256(contenu).hexdigest()


def ecrire(chemin: Path, contenu: bytes) -> str:
    """Write atomically (a retried activity rewrites the same bytes); returns the SHA-256."""
    chemin.parent.mkdir(parents=True, exist_ok=True)
    fd, temporaire = tempfile.mkstemp(dir=chemin.parent, prefix=f".{chemin.name}.")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(contenu)
        os.replace(temporaire, chemin)
    except BaseException:
        Path(temporaire).unlink(missing_ok=True)
        raise
    return _sha256(contenu)


def _lire_verifie(chemin: str, empreinte: str) -> bytes:
    contenu = Path(chemin).read_bytes()
    if _sha256(contenu) != empreinte:
        raise ApplicationError(
            f"{chemin} a changé depuis l'étape précédente (empreinte SHA-256 différente) : "
            "recalcul nécessaire",
            type="FichierModifie",
            non_retryable=True,
        )
    return contenu


async def _par_paquets(
    faire: Callable[[T], Awaitable[None]], elements: Sequence[T], taille: int
) -> None:
    """`faire` on every element, `taille` at a time."""
    for debut in range(0, len(elements), taille):
        await asyncio.gather(*(faire(e) for e in elements[debut : debut + taille]))


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


class AreActivities:
    """`repertoire`: where campaign files are written (one folder per campaign).
    `publisher`: Kafka, for the batched notifications and payment orders.
    `depot`: if given, relative file references of the events are read from it and a reference
    outside it is refused."""

    def __init__(self, repertoire: Path, publisher: Publisher, depot: Path | None = None) -> None:
        self._repertoire = repertoire
        self._publisher = publisher
        self._depot = depot.resolve() if depot else None

    def dossier(self, campagne: str) -> Path:
        """The campaign's output folder (`are-campagne:2023-2024` → `are-campagne_2023-2024`)."""
        return self._repertoire / re.sub(r"[^\w.-]", "_", campagne)

    def _source(self, reference: str) -> Path:
        chemin = Path(reference)
        if self._depot is None:
            return chemin
        chemin = (self._depot / chemin).resolve()
        if not chemin.is_relative_to(self._depot):
            raise ValueError(f"hors du dépôt {self._depot}")
        return chemin

    def _lire_source(self, fichier: NomFichier, reference: str) -> bytes | ErreurImport:
        try:
            return self._source(reference).read_bytes()
        except (OSError, ValueError) as exc:
            return _erreur(fichier, 0, "(fichier)", reference, REGLE_FICHIER, detail=str(exc))

    @activity.defn(name="importer_effectifs_are")
    async def importer_effectifs(self, entree: EntreeImport) -> ResultatImport:
        """Read and validate both files; write the normalized import (or the error report)."""
        return await asyncio.to_thread(self._importer, entree)

    def _importer(self, entree: EntreeImport) -> ResultatImport:
        dossier, v = self.dossier(entree.campagne), entree.version
        effectifs = self._lire_source("effectifs", entree.fichier_effectifs)
        etablissements = self._lire_source("etablissements", entree.fichier_etablissements)
        lu: Import | list[ErreurImport]
        if isinstance(effectifs, ErreurImport) or isinstance(etablissements, ErreurImport):
            lu = [e for e in (effectifs, etablissements) if isinstance(e, ErreurImport)]
        else:
            lu = importer(
                entree.annee_scolaire,
                entree.fichier_effectifs,
                effectifs,
                entree.fichier_etablissements,
                etablissements,
            )
        if isinstance(lu, list):
            chemin = dossier / f"erreurs-v{v}.csv"
            sortie = io.StringIO()
            ecrivain = csv.writer(sortie, delimiter=";", lineterminator="\n")
            ecrivain.writerow(["fichier", "ligne", "champ", "valeur", "regle", "message"])
            for e in lu:
                ecrivain.writerow([e.fichier, e.ligne, e.champ, e.valeur, e.regle, e.message])
            ecrire(chemin, sortie.getvalue().encode())
            log.info("import_are_refuse", campagne=entree.campagne, erreurs=len(lu))
            return ResultatImport(
                version=v,
                valide=False,
                nombre_erreurs=len(lu),
                erreurs=lu[:ERREURS_DANS_LE_RESULTAT],
                rapport_erreurs=str(chemin),
            )
        chemin = dossier / f"import-v{v}.json"
        empreinte = ecrire(chemin, lu.model_dump_json().encode())
        return ResultatImport(
            version=v,
            valide=True,
            nombre_etablissements=len(lu.etablissements),
            nombre_lignes=lu.nombre_lignes,
            donnees=str(chemin),
            empreinte=empreinte,
        )

    @activity.defn(name="calculer_dotations_are")
    async def calculer_dotations(self, entree: EntreeCalcul) -> ResultatCalcul:
        """Every school's allocation (rules.are), written in detail; a summary returned."""
        return await asyncio.to_thread(self._calculer, entree)

    def _calculer(self, entree: EntreeCalcul) -> ResultatCalcul:
        donnees = Import.model_validate_json(_lire_verifie(entree.donnees, entree.empreinte))
        detail = calculer(entree, donnees)
        chemin = self.dossier(entree.campagne) / f"calcul-v{entree.version}.json"
        empreinte = ecrire(chemin, detail.model_dump_json().encode())
        return resume(detail, str(chemin), empreinte)

    @activity.defn(name="produire_table_commission_are")
    async def produire_table_commission(self, entree: EntreeTable) -> TableCommission:
        """The commission permanente's table (CSV) and its readable report (Markdown)."""
        return await asyncio.to_thread(self._table, entree)

    def _table(self, entree: EntreeTable) -> TableCommission:
        calcul = Calcul.model_validate_json(_lire_verifie(entree.calcul, entree.empreinte))
        dossier, nom = self.dossier(entree.campagne), f"{entree.annee_scolaire}-v{entree.version}"
        chemin_csv = dossier / f"table-commission-{nom}.csv"
        chemin_rapport = dossier / f"rapport-commission-{nom}.md"
        empreinte = ecrire(chemin_csv, table_csv(calcul).encode())
        ecrire(chemin_rapport, rapport(calcul, str(chemin_csv)).encode())
        return TableCommission(
            version=entree.version,
            csv=str(chemin_csv),
            rapport=str(chemin_rapport),
            empreinte_csv=empreinte,
        )

    @activity.defn(name="publier_lot_are")
    async def publier_lot(self, lot: LotCampagne) -> ResultatLot:
        """Notify each school of the batch and order its payments (one order per school and
        envelope with a positive amount). Ids are derived from the campaign, the school and
        the envelope: a retried batch republishes the same ids (consumers deduplicate)."""
        records: list[tuple[str, CloudEvent]] = []
        ordres, montant = 0, Decimal("0.00")
        for d in lot.dotations:
            sujet = cle_etablissement(d.uai, lot.annee_scolaire)
            notification = Notification(
                dispositif=WORKFLOW_CAMPAGNE,
                destinataire="etablissement",
                objet=_objet_notification(d),
                message=message_dotation(lot, d),
            )
            records.append(
                (
                    topics.NOTIFICATIONS,
                    _sortant(
                        id_notification_campagne(lot.campagne, d.uai),
                        "guichet.notification.v1",
                        sujet,
                        lot,
                        notification,
                    ),
                )
            )
            for env in Enveloppe:
                somme = d.dotation.de(env)
                if somme <= 0:
                    continue
                ordre_id = id_ordre_campagne(lot.campagne, d.uai, env)
                ordre = OrdrePaiementEmis(
                    ordre_id=ordre_id,
                    dispositif=WORKFLOW_CAMPAGNE,
                    beneficiaire=d.uai,
                    montant=somme,
                    objet=(
                        f"ARE {lot.annee_scolaire} dotation initiale {env.value} "
                        f"({lot.deliberation})"
                    ),
                )
                records.append(
                    (
                        topics.PAIEMENTS,
                        _sortant(ordre_id, "guichet.paiement.ordre.v1", sujet, lot, ordre),
                    )
                )
                ordres += 1
                montant += somme

        async def publier(record: tuple[str, CloudEvent]) -> None:
            topic, event = record
            await self._publisher.publish(topic, event.subject, encode(event))

        await _par_paquets(publier, records, PUBLICATIONS_SIMULTANEES)
        log.info(
            "lot_are_publie",
            campagne=lot.campagne,
            etablissements=len(lot.dotations),
            ordres=ordres,
        )
        return ResultatLot(notifications=len(lot.dotations), ordres=ordres, montant=montant)


def _sortant(id_: str, type_: str, sujet: str, lot: LotCampagne, data: BaseModel) -> CloudEvent:
    return CloudEvent(
        id=id_,
        source=SOURCE,
        type=type_,
        subject=sujet,
        time=lot.horodatage,
        data=data.model_dump(mode="json"),
    )


@activity.defn(name="signaler_dossiers_are")
async def signaler_dossiers_are(entree: SignauxDossiers) -> ResultatSignaux:
    """Deliver each internal event to its workflow by signal-with-start (conflict policy
    USE_EXISTING), on this worker's task queue. A closed target is not restarted (policy
    REJECT_DUPLICATE): it is returned as a refusal for the sender to record."""
    client = activity.client()
    task_queue = activity.info().task_queue
    refus: list[RefusSignal] = []

    async def livrer(signal: SignalDossier) -> None:
        workflow_id = f"{signal.workflow}:{signal.cle}"
        try:
            await client.start_workflow(
                signal.workflow,
                EntreeDossier(cle=signal.cle),
                id=workflow_id,
                task_queue=task_queue,
                id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                start_signal="evenement",
                start_signal_args=[CloudEvent.model_validate(signal.evenement)],
                search_attributes=au_demarrage(signal.workflow),
            )
        except WorkflowAlreadyStartedError:
            refus.append(
                RefusSignal(
                    workflow_id=workflow_id,
                    motif=f"le dossier {workflow_id} est clos : l'événement n'y est pas appliqué",
                )
            )

    await _par_paquets(livrer, entree.signaux, SIGNAUX_SIMULTANES)
    return ResultatSignaux(refus=sorted(refus, key=lambda r: r.workflow_id))


@activity.defn(name="evaluer_complement_are")
async def evaluer_complement_are(entree: EntreeEvaluationComplement) -> EvaluationComplement:
    return evaluer_complement(entree.annee_scolaire, entree.lignes)


@activity.defn(name="prochaine_session_are")
async def prochaine_session_are(entree: EntreeSession) -> ResultatSession:
    """The next commission permanente session strictly after the given day, if any."""
    return ResultatSession(session=prochaine_session(sessions_commission(), entree.jour))


@activity.defn(name="verifier_bilan_are")
async def verifier_bilan_are(entree: EntreeVerificationBilan) -> VerificationBilan:
    return verifier(entree)
