"""The campaign's two input files read and validated line by line (both seeds, « Modalités
de calcul »): the rectorats' enrolment file and the schools file, each error naming the file,
the line, the field, the value and the rule. Pure: bytes in, an `Import` or the errors out."""

import csv
import hashlib
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

from models.are import (
    ACADEMIES,
    ErreurImport,
)
from rules import are

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
