"""EXAPRO generic candidate import (Cyclades): file name, field and row validation.

Source: `shared/seeds/002_2091265ecbf7751f.txt`, « Description des données de l'import
générique des candidatures pour les domaines EXAPRO », version 1.7 of 29/09/2023 (BCP, BP,
MC3, MC4, CAP, ARI). Sections cited below:

- « Descriptif des données »: the file name and the field table (mandatory flag, size,
  format, XML and CSV names) with its code lists (socio-professional categories, teaching
  options, candidate categories, European-section languages);
- « Liste des départements/COM français du COG », « Liste des pays du COG »;
- « Liste des codes spécialités » (« Valeurs possibles pour le BCP / BP / MC3 / MC4 / ARI /
  CAP », with the sessions they open or close).

Pure: no I/O but the packaged reference data (`rules/data/exapro/`), no clock. Every check
returns errors `Erreur(ligne, champ, valeur, message, regle)`: `champ` is the CSV field name
of the table, `message` is French and names the field, the value and the rule, `regle` is a
stable identifier of the rule (for tests and statistics, not shown to users).
Interpretations chosen where the text is silent are marked « Choice » and listed in
`docs/exapro.md`.
"""

import re
import unicodedata
from collections.abc import Container, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from functools import cache

from rules.reference import read_csv


class Examen(StrEnum):
    """The exams (« domaines ») of the data description."""

    BCP = "BCP"
    BP = "BP"
    MC3 = "MC3"
    MC4 = "MC4"
    CAP = "CAP"
    ARI = "ARI"


LIBELLES_EXAMEN: Mapping[Examen, str] = {
    Examen.BCP: "baccalauréat professionnel",
    Examen.BP: "brevet professionnel",
    Examen.MC3: "mention complémentaire de niveau 3",
    Examen.MC4: "mention complémentaire de niveau 4",
    Examen.CAP: "certificat d'aptitude professionnelle",
    Examen.ARI: "attestation de réussite intermédiaire (1re professionnelle)",
}

FRANCE = "100"
AUTRE_PAYS = "AUT"
NOM_FICHIER = "nom_fichier"
"""`champ` of the errors on the file name (the name is not a field of the table)."""
LIGNE_ENTIERE = ""
"""`champ` of an error on a whole CSV line (wrong number of fields)."""


@dataclass(frozen=True, slots=True)
class Erreur:
    ligne: int
    champ: str
    valeur: str
    message: str
    regle: str

    def en_dict(self) -> dict[str, str | int]:
        return {
            "ligne": self.ligne,
            "champ": self.champ,
            "valeur": self.valeur,
            "message": self.message,
        }


@dataclass(frozen=True, slots=True)
class Champ:
    """One row of the field table (section « Descriptif des données »)."""

    csv: str
    xml: str
    libelle: str
    obligatoire: str
    taille: str


# Section « Descriptif des données »: the table, in its order (XML name is the last part of
# « cyclades.entete.* » / « cyclades.candidat.* »).
CHAMPS_ENTETE: tuple[Champ, ...] = (
    Champ("Version", "version", "Version", "en XML oui, en CSV non", "3"),
    Champ(
        "annee_session",
        "annee_session",
        "Année de session",
        "en XML oui, en CSV non",
        "4 (BCP, ARI) ou 7 (BP, MC, CAP)",
    ),
    Champ(
        "date_heure_export",
        "date_heure_export",
        "Date-heure d'export",
        "en XML oui, en CSV non",
        "16",
    ),
)
CHAMPS_CANDIDAT: tuple[Champ, ...] = (
    Champ("civilite", "civilite", "Civilité", "oui", "1"),
    Champ("nom_famille", "nom_famille", "Nom de famille", "oui", "100"),
    Champ("nom_usage", "nom_usage", "Nom d'usage", "non", "100"),
    Champ("prenoms", "prenoms", "Prénoms", "oui", "40"),
    Champ("INE", "ine", "INE", "non (oui si contrôle INE pour un scolaire)", "11"),
    Champ("pays_naissance", "pays_naissance", "Pays de naissance", "oui", "3"),
    Champ("date_naissance", "date_naissance", "Date de naissance", "oui", "10"),
    Champ(
        "depCOM_naissance",
        "depCOM_naissance",
        "Département, DOM ou COM de naissance",
        "si né en France",
        "3",
    ),
    Champ(
        "commune_naissance",
        "commune_naissance",
        "Commune de naissance",
        "oui",
        "5 (Insee) ou 50 (étranger)",
    ),
    Champ("nationalite", "nationalite", "Nationalité", "oui", "3"),
    Champ("pays", "pays", "Pays de résidence", "oui", "3"),
    Champ("adresse_1", "adresse_1", "Adresse ligne 1", "oui", "38"),
    Champ("adresse_2", "adresse_2", "Adresse ligne 2", "non", "38"),
    Champ("adresse_3", "adresse_3", "Adresse ligne 3", "non", "38"),
    Champ("adresse_4", "adresse_4", "Adresse ligne 4", "non", "38"),
    Champ("code_postal", "code_postal", "Code postal", "si réside en France", "5 ou 10"),
    Champ("localite", "localite", "Localité", "oui", "50"),
    Champ("telephone", "telephone", "Téléphone personnel", "non", "25"),
    Champ("telephone_mobile", "telephone_mobile", "Téléphone mobile", "oui", "25"),
    Champ("adresse_mail", "adresse_mail", "Adresse mail", "oui", "100"),
    Champ(
        "categ_socio_pro",
        "categ_socio_pro",
        "Catégorie socio-professionnelle d'un représentant légal",
        "oui pour le BCP",
        "2",
    ),
    Champ("etablissement", "etablissement", "Numéro de l'établissement du candidat", "oui", "8"),
    Champ("division_classe", "division_classe", "Division de classe", "non", "8"),
    Champ("serie", "serie", "Spécialité", "oui", "5"),
    Champ("enseignement", "enseignement", "Enseignement", "non", ""),
    Champ("categorie", "categorie", "Catégorie du candidat", "oui", "3"),
    Champ(
        "langue_section_euro",
        "langue_section_euro",
        "Langue de la section européenne",
        "BCP avec enseignement EURO",
        "",
    ),
)
CHAMPS: tuple[Champ, ...] = CHAMPS_ENTETE + CHAMPS_CANDIDAT
NOMS_CSV: tuple[str, ...] = tuple(c.csv for c in CHAMPS)
CSV_PAR_XML_ENTETE: Mapping[str, str] = {c.xml: c.csv for c in CHAMPS_ENTETE}
CSV_PAR_XML_CANDIDAT: Mapping[str, str] = {c.xml: c.csv for c in CHAMPS_CANDIDAT}
_LIBELLES: Mapping[str, str] = {c.csv: c.libelle for c in CHAMPS} | {NOM_FICHIER: "Nom du fichier"}

_OBLIGATOIRES_TOUJOURS = (
    "civilite",
    "nom_famille",
    "prenoms",
    "pays_naissance",
    "date_naissance",
    "commune_naissance",
    "nationalite",
    "pays",
    "adresse_1",
    "localite",
    "telephone_mobile",
    "adresse_mail",
    "etablissement",
    "serie",
    "categorie",
)


def colonnes_obligatoires(examen: Examen) -> tuple[str, ...]:
    """CSV fields every row must fill, whatever its other values (section « Descriptif des
    données », column « Obligatoire »: « oui », and « Oui pour BCP » for `categ_socio_pro`)."""
    if examen is Examen.BCP:
        return (*_OBLIGATOIRES_TOUJOURS, "categ_socio_pro")
    return _OBLIGATOIRES_TOUJOURS


# --- reference data (rules/data/exapro/, extracted from the seed's lists) --------------------


@dataclass(frozen=True, slots=True)
class Specialite:
    examen: Examen
    code: str
    libelle: str
    premiere_session: int | None
    derniere_session: int | None


@dataclass(frozen=True)
class Referentiel:
    departements: frozenset[str]
    pays: frozenset[str]
    pays_residence: frozenset[str]
    categories_socio_pro: frozenset[str]
    categories: Mapping[Examen, frozenset[str]]
    categories_scolaires: Mapping[Examen, frozenset[str]]
    enseignements: Mapping[Examen, Mapping[str, str]]
    """Per exam: option code -> the one specialty it is for ('' = any specialty)."""
    langues: frozenset[str]
    specialites: Mapping[Examen, Mapping[str, Specialite]]


def _annee(texte: str) -> int | None:
    return int(texte) if texte else None


@cache
def referentiel() -> Referentiel:
    """The code lists of seed 002, read once from `rules/data/exapro/`."""
    pays = read_csv("exapro", "pays.csv")
    categories = read_csv("exapro", "categories_candidat.csv")
    enseignements = read_csv("exapro", "enseignements.csv")
    specialites: dict[Examen, dict[str, Specialite]] = {e: {} for e in Examen}
    for row in read_csv("exapro", "specialites.csv"):
        examen = Examen(row["examen"])
        specialites[examen][row["code"]] = Specialite(
            examen,
            row["code"],
            row["libelle"],
            _annee(row["premiere_session"]),
            _annee(row["derniere_session"]),
        )
    return Referentiel(
        departements=frozenset(r["code"] for r in read_csv("exapro", "departements.csv")),
        pays=frozenset(r["code"] for r in pays),
        pays_residence=frozenset(r["code"] for r in pays if r["residence"] == "oui"),
        categories_socio_pro=frozenset(
            r["code"] for r in read_csv("exapro", "categories_socio_professionnelles.csv")
        ),
        categories={
            e: frozenset(r["code"] for r in categories if r["examen"] == e) for e in Examen
        },
        categories_scolaires={
            e: frozenset(
                r["code"] for r in categories if r["examen"] == e and r["scolaire"] == "oui"
            )
            for e in Examen
        },
        enseignements={
            e: {r["code"]: r["specialite"] for r in enseignements if r["examen"] == e}
            for e in Examen
        },
        langues=frozenset(r["code"] for r in read_csv("exapro", "langues_section_euro.csv")),
        specialites=specialites,
    )


# --- messages ---------------------------------------------------------------------------


def _libelle(champ: str) -> str:
    return f"{_LIBELLES.get(champ, champ)} ({champ})"


def _sur_valeur(champ: str, valeur: str, regle: str) -> str:
    return f"{_libelle(champ)} « {valeur} » : {regle}"


def _manquant(champ: str, condition: str = "") -> str:
    precision = f" ({condition})" if condition else ""
    return f"{_libelle(champ)} : valeur obligatoire non renseignée{precision}."


# --- character sets (section « Descriptif des données », column « Description ») ----------

# Choice: « caractères alphabétiques » / « alphanumériques » are the Latin letters, accented
# ones included (Latin-1 and Latin Extended-A: é, ç, œ, ñ, ł, ş...), and for alphanumerics
# the digits 0-9. Values are compared in Unicode NFC, so a decomposed « é » counts as one
# letter.
_LETTRES = "A-Za-zÀ-ÖØ-öø-ÿĀ-ſ"
_SPECIAUX_NOM = " '/-"
_INTERDIT_NOM = re.compile(rf"[^{_LETTRES}{_SPECIAUX_NOM}]")
_SUITE_SPECIAUX_NOM = re.compile(r"[ '/-]{2,}")
_INTERDIT_ADRESSE = re.compile(rf"[^{_LETTRES}0-9 ,'/.°-]")
# The text shows « tiret – » (en dash) for the commune label: both dashes are accepted there.
_INTERDIT_COMMUNE = re.compile(rf"[^{_LETTRES}0-9 ,'/.°–-]")
_INTERDIT_DIVISION = re.compile(rf"[^{_LETTRES}0-9;,&'><._-]")

_REGLE_NOM = (
    "seuls les lettres (accentuées comprises), l'espace, l'apostrophe ', la barre oblique / "
    "et le tiret - sont admis"
)
_REGLE_ADRESSE = (
    "seuls les lettres, les chiffres, l'espace, la virgule, l'apostrophe ', la barre "
    "oblique /, le point, le degré ° et le tiret - sont admis"
)
_REGLE_DIVISION = "seuls les lettres, les chiffres et ; , & ' > < . - _ sont admis"


def _nfc(valeur: str) -> str:
    return valeur if valeur.isascii() else unicodedata.normalize("NFC", valeur)


_NOMS_CARACTERES = {" ": "espace", "'": "apostrophe", "/": "barre oblique", "-": "tiret"}


def _caracteres_interdits(motif: re.Pattern[str], valeur: str, regle: str) -> str:
    """« caractère(s) interdit(s) » naming the distinct forbidden characters of `valeur` in
    order of appearance, then the rule."""
    vus = list(dict.fromkeys(motif.findall(valeur)))
    noms = ", ".join(f"« {c} »" if c != " " else "espace" for c in vus)
    pluriel = "s" if len(vus) > 1 else ""
    return f"caractère{pluriel} interdit{pluriel} {noms} ; {regle}."


def verifier_taille(champ: str, valeur: str, maximum: int) -> list[str]:
    """Column « Taille » of the table: at most `maximum` characters."""
    n = len(_nfc(valeur))
    if n > maximum:
        return [_sur_valeur(champ, valeur, f"{n} caractères, {maximum} au maximum.")]
    return []


def verifier_nom(champ: str, valeur: str) -> list[tuple[str, str]]:
    """Nom de famille, nom d'usage, prénoms (one description cell spans the three rows).

    « Seuls les caractères alphabétiques et les caractères spéciaux espace, apostrophe ',
    slash / et tiret - sont autorisés. Il est interdit de mettre un espace au début, un tiret
    au début, deux caractères spéciaux à suivre sauf -- ».
    Choice: a run of special characters is allowed when it is one character or exactly
    « -- » (so « --- » and « -' » are refused). Returns (rule, message) pairs.
    """
    v = _nfc(valeur)
    erreurs: list[tuple[str, str]] = []
    if _INTERDIT_NOM.search(v):
        erreurs.append(
            (
                "nom.caracteres",
                _sur_valeur(champ, valeur, _caracteres_interdits(_INTERDIT_NOM, v, _REGLE_NOM)),
            )
        )
    if v[:1] in (" ", "-"):
        debut = "un espace" if v[0] == " " else "un tiret"
        erreurs.append(
            ("nom.debut", _sur_valeur(champ, valeur, f"ne doit pas commencer par {debut}."))
        )
    for suite in _SUITE_SPECIAUX_NOM.findall(v):
        if suite != "--":
            erreurs.append(
                (
                    "nom.speciaux",
                    _sur_valeur(
                        champ,
                        valeur,
                        "deux caractères spéciaux à la suite ("
                        + " puis ".join(_NOMS_CARACTERES[c] for c in suite)
                        + ") ; seul « -- » est admis.",
                    ),
                )
            )
            break
    return erreurs


# --- formats ------------------------------------------------------------------------------

_INE = re.compile(r"\d{9}[A-Z]{2}")
_DATE = re.compile(r"(\d{2})/(\d{2})/(\d{4})")
_DATE_HEURE = re.compile(r"(\d{2})/(\d{2})/(\d{4}) (\d{2}):(\d{2})")
_ANNEE = re.compile(r"\d{4}")
_ANNEE_MOIS = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
_TELEPHONE = re.compile(r"\+?\d+")
# Section « Descriptif des données », « Adresse mail »: local part among
# A-Za-z0-9!#$%&'*/=?^_`{|}~-. (the text prints « { } »: the « | » was lost with the table
# borders; « + » is not in the text and is refused), then @, then labels of A-Za-z0-9- that
# neither start nor end with « - », separated by dots. Choice: one dot at least, several
# allowed (« eleve.lycee-exemple.ac-lyon.fr »).
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_MAIL = re.compile(rf"[A-Za-z0-9!#$%&'*/=?^_`{{|}}~.-]+@{_LABEL}(?:\.{_LABEL})+")
# « 7 chiffres suivis d'un chiffre ou 'S' suivi d'une lettre majuscule A-Z Ou 8 chiffres »,
# size 8. Choice: 7 digits then one digit or one capital letter (the UAI/RNE « 0750001A »,
# the Cyclades code « 07500012 »); no 8-character reading with « S » then a letter exists.
_ETABLISSEMENT = re.compile(r"\d{7}[0-9A-Z]")
_DEPARTEMENT_ETRANGER = re.compile(r"[A-Za-z0-9]{2,3}")
_INSEE = re.compile(r"\d{5}|2[AB]\d{3}")
_CODE_POSTAL_FRANCE = re.compile(r"\d{5}")
_CODE_POSTAL_ETRANGER = re.compile(r"[A-Za-z0-9]{1,10}")
_NOM_FICHIER_VERSION = re.compile(r"\d+\.\d+")
_NOM_FICHIER_DATE = re.compile(r"(\d{2})(\d{2})(\d{4})(\d{2})(\d{2})")


def lire_date(valeur: str) -> date | None:
    """JJ/MM/AAAA as a real calendar date, else None."""
    m = _DATE.fullmatch(valeur)
    if m is None:
        return None
    try:
        return date(int(m[3]), int(m[2]), int(m[1]))
    except ValueError:
        return None


def verifier_date(champ: str, valeur: str) -> list[tuple[str, str]]:
    """« Date de naissance »: JJ/MM/AAAA, and a date that exists (no 31/04, no 29/02 of a
    common year)."""
    m = _DATE.fullmatch(valeur)
    if m is None:
        return [("date.format", _sur_valeur(champ, valeur, "format attendu JJ/MM/AAAA."))]
    if lire_date(valeur) is None:
        return [("date.reelle", _sur_valeur(champ, valeur, "cette date n'existe pas."))]
    return []


def verifier_date_heure(champ: str, valeur: str) -> list[tuple[str, str]]:
    """« Date-heure d'export »: JJ/MM/AAAA HH:mm (16 characters), a real date and time."""
    m = _DATE_HEURE.fullmatch(valeur)
    if m is None:
        return [
            ("date_heure.format", _sur_valeur(champ, valeur, "format attendu JJ/MM/AAAA HH:mm."))
        ]
    try:
        datetime(int(m[3]), int(m[2]), int(m[1]), int(m[4]), int(m[5]))  # noqa: DTZ001
    except ValueError:
        return [
            ("date_heure.reelle", _sur_valeur(champ, valeur, "cette date ou heure n'existe pas."))
        ]
    return []


def format_session(examen: Examen) -> str:
    """« Ex valeur BCP/ARI = 2024, Ex valeur BP/MCP/CAP = 2024-06 » (size 4 / 7)."""
    return "AAAA" if examen in (Examen.BCP, Examen.ARI) else "AAAA-MM"


def session_valide(examen: Examen, valeur: str) -> bool:
    motif = _ANNEE if examen in (Examen.BCP, Examen.ARI) else _ANNEE_MOIS
    return motif.fullmatch(valeur) is not None


def verifier_annee_session(examen: Examen, champ: str, valeur: str) -> list[tuple[str, str]]:
    """« Année de session »: AAAA for BCP and ARI, AAAA-MM (month 01 to 12) for BP, MC3, MC4
    and CAP."""
    if session_valide(examen, valeur):
        return []
    attendu = format_session(examen)
    exemple = "2024" if attendu == "AAAA" else "2024-06"
    return [
        (
            "annee_session.format",
            _sur_valeur(
                champ, valeur, f"format attendu {attendu} pour le {examen} (exemple {exemple})."
            ),
        )
    ]


# --- file name ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NomFichier:
    nom: str
    version: str
    annee_session: str
    date_extraction: str
    extension: str


_PREFIXES = sorted(Examen, key=lambda e: -len(e.value))


def examen_du_nom_fichier(nom: str) -> Examen | None:
    """The exam named by the start of `<nom_fichier>` (« BCP2021_2.0_2021_... » is a BCP file).

    Choice: the text's only example starts with the exam code; a name starting with none of
    BCP, BP, MC3, MC4, CAP, ARI (any case) gives no exam and `--examen` must say it."""
    debut = nom.upper()
    for examen in _PREFIXES:
        if debut.startswith(examen.value):
            return examen
    return None


def decouper_nom_fichier(nom: str) -> NomFichier | None:
    """`<nom_fichier>_<version>_<annee_session>_<JJMMAAAAHHMM>.csv|.xml` split in its parts,
    or None when it has not that shape (the parts are read from the right, so the free
    `<nom_fichier>` may itself contain « _ »)."""
    base, point, extension = nom.rpartition(".")
    if not point or extension.lower() not in ("csv", "xml"):
        return None
    parties = base.rsplit("_", 3)
    if len(parties) != 4 or not all(parties):
        return None
    return NomFichier(parties[0], parties[1], parties[2], parties[3], extension.lower())


def valider_nom_fichier(nom: str, examen: Examen) -> tuple[list[Erreur], str | None]:
    """Section « Descriptif des données »: « Le fichier CSV doit avoir un nom au format
    <nom_fichier>_<version>_<annee_session>_<date d'extraction(JJMMAAAAHHMM)>.csv (exemple :
    BCP2021_2.0_2021_301120170000.csv) »; the XML file likewise with `.xml`.

    Returns the errors (line 0, field `nom_fichier`) and the session year of the name when it
    is well formed for the exam. Choice: the date has 12 digits (the text writes « JJMMAAAHHMM »
    but its example has 12) and must be a real date and time; the version is digits, a dot,
    digits (the example has 2.0).
    """
    parties = decouper_nom_fichier(nom)
    if parties is None:
        message = _sur_valeur(
            NOM_FICHIER,
            nom,
            "le nom doit suivre le format <nom_fichier>_<version>_<annee_session>_"
            "<JJMMAAAAHHMM>.csv (ou .xml), par exemple BCP2024_1.0_2024_150120241030.csv.",
        )
        return [Erreur(0, NOM_FICHIER, nom, message, "nom_fichier.format")], None
    erreurs: list[Erreur] = []
    if not _NOM_FICHIER_VERSION.fullmatch(parties.version):
        erreurs.append(
            Erreur(
                0,
                NOM_FICHIER,
                nom,
                _sur_valeur(
                    NOM_FICHIER,
                    nom,
                    f"version « {parties.version} » invalide (chiffres, point, chiffres : 1.0).",
                ),
                "nom_fichier.version",
            )
        )
    session: str | None = parties.annee_session
    if not session_valide(examen, parties.annee_session):
        session = None
        erreurs.append(
            Erreur(
                0,
                NOM_FICHIER,
                nom,
                _sur_valeur(
                    NOM_FICHIER,
                    nom,
                    f"année de session « {parties.annee_session} » invalide : format attendu "
                    f"{format_session(examen)} pour le {examen}.",
                ),
                "nom_fichier.annee_session",
            )
        )
    m = _NOM_FICHIER_DATE.fullmatch(parties.date_extraction)
    date_ok = False
    if m is not None:
        try:
            datetime(int(m[3]), int(m[2]), int(m[1]), int(m[4]), int(m[5]))  # noqa: DTZ001
            date_ok = True
        except ValueError:
            date_ok = False
    if not date_ok:
        erreurs.append(
            Erreur(
                0,
                NOM_FICHIER,
                nom,
                _sur_valeur(
                    NOM_FICHIER,
                    nom,
                    f"date d'extraction « {parties.date_extraction} » invalide : 12 chiffres "
                    "JJMMAAAAHHMM formant une date et une heure réelles.",
                ),
                "nom_fichier.date",
            )
        )
    return erreurs, session


# --- context and rows ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Contexte:
    """What a row's checks need beyond the row itself.

    `annee_session`: the session of the file (from the XML `entete` or the file name), used
    when a CSV row has no `annee_session` of its own. `controle_ine`: the establishments have
    the « contrôle INE » set (or are public / private under contract of the Ministry, in
    France): the INE is then mandatory for school candidates.
    """

    examen: Examen
    annee_session: str | None = None
    controle_ine: bool = False


def _code_inconnu(champ: str, valeur: str, liste: str) -> str:
    return _sur_valeur(champ, valeur, f"code absent de {liste}.")


class _Ligne:
    """Collects a row's errors; `regle` identifies the rule broken."""

    __slots__ = ("erreurs", "ligne", "valeurs")

    def __init__(self, ligne: int, valeurs: Mapping[str, str]) -> None:
        self.ligne = ligne
        self.valeurs = valeurs
        self.erreurs: list[Erreur] = []

    def ajouter(self, champ: str, regle: str, message: str) -> None:
        self.erreurs.append(
            Erreur(self.ligne, champ, self.valeurs.get(champ) or "", message, regle)
        )

    def hors_liste(
        self, champ: str, valeur: str, codes: Container[str], regle: str, liste: str
    ) -> bool:
        """Report `valeur` if it is not one of `codes` (the reference `liste`); True if so."""
        if valeur in codes:
            return False
        self.ajouter(champ, regle, _code_inconnu(champ, valeur, liste))
        return True

    def ajouter_toutes(self, champ: str, erreurs: list[tuple[str, str]]) -> None:
        for regle, message in erreurs:
            self.ajouter(champ, regle, message)

    def taille(self, champ: str, valeur: str, maximum: int) -> None:
        for message in verifier_taille(champ, valeur, maximum):
            self.ajouter(champ, "taille", message)


def _verifier_entete(
    sortie: _Ligne, valeurs: Mapping[str, str], ctx: Contexte, *, obligatoire: bool
) -> None:
    version = valeurs.get("Version") or ""
    if version:
        if version != "1.0":
            sortie.ajouter(
                "Version",
                "version.valeur",
                _sur_valeur("Version", version, "la valeur attendue est 1.0."),
            )
    elif obligatoire:
        sortie.ajouter("Version", "obligatoire", _manquant("Version", "dans l'entête XML"))
    session = valeurs.get("annee_session") or ""
    if session:
        erreurs = verifier_annee_session(ctx.examen, "annee_session", session)
        sortie.ajouter_toutes("annee_session", erreurs)
        if not erreurs and ctx.annee_session is not None and session != ctx.annee_session:
            sortie.ajouter(
                "annee_session",
                "annee_session.incoherente",
                _sur_valeur(
                    "annee_session",
                    session,
                    f"ne correspond pas à l'année de session du fichier ({ctx.annee_session}).",
                ),
            )
    elif obligatoire:
        sortie.ajouter(
            "annee_session", "obligatoire", _manquant("annee_session", "dans l'entête XML")
        )
    export = valeurs.get("date_heure_export") or ""
    if export:
        sortie.ajouter_toutes("date_heure_export", verifier_date_heure("date_heure_export", export))
    elif obligatoire:
        sortie.ajouter(
            "date_heure_export",
            "obligatoire",
            _manquant("date_heure_export", "dans l'entête XML"),
        )


def valider_entete(valeurs: Mapping[str, str], ctx: Contexte, ligne: int = 0) -> list[Erreur]:
    """The XML `entete` block: « Version », « Année de session », « Date-heure d'export »
    are mandatory in XML (« En Xml : oui En CSV : non »). Version = 1.0; session AAAA (BCP,
    ARI) or AAAA-MM (BP, MC, CAP); export JJ/MM/AAAA HH:mm. Choice: a session different from
    the one of the file name is an error (`annee_session.incoherente`)."""
    sortie = _Ligne(ligne, valeurs)
    _verifier_entete(sortie, valeurs, ctx, obligatoire=True)
    return sortie.erreurs


def valider_colonnes(colonnes: frozenset[str], ctx: Contexte, ligne: int = 1) -> list[Erreur]:
    """CSV header: a column for each field that every row must fill (column « Obligatoire »
    = « oui », `categ_socio_pro` for the BCP). Choice: a missing mandatory column is reported
    once, on the header line, and not again on every row."""
    return [
        Erreur(
            ligne,
            champ,
            "",
            f"{_libelle(champ)} : colonne obligatoire absente de l'en-tête du fichier.",
            "colonne.absente",
        )
        for champ in colonnes_obligatoires(ctx.examen)
        if champ not in colonnes
    ]


def _rempli(s: _Ligne, champ: str, *, toujours: bool, condition: str = "") -> str | None:
    """The field's value when filled, else None after reporting it when it is mandatory.

    `toujours`: mandatory whatever the row (a CSV file without the column had it reported
    once on its header, so the row does not repeat it); `condition`: mandatory on this row
    because of another field, said in the message."""
    valeur = s.valeurs.get(champ)
    if valeur:
        return valeur
    exige = valeur is not None if toujours else bool(condition)
    if exige:
        s.ajouter(champ, "obligatoire", _manquant(champ, condition))
    return None


def valider_candidat(valeurs: Mapping[str, str], ctx: Contexte, ligne: int) -> list[Erreur]:
    """Every check of the field table on one candidate (section « Descriptif des données »),
    each error reported, in the order of the table.

    `valeurs` maps CSV field names to the raw values; a key absent means the CSV file has no
    such column (its absence is reported once on the header by `valider_colonnes`).
    """
    ref = referentiel()
    s = _Ligne(ligne, valeurs)
    # Entête fields, optional in CSV (« En CSV : non »): checked when present; a row's own
    # session is the one its specialty is checked against.
    _verifier_entete(s, valeurs, ctx, obligatoire=False)
    session = valeurs.get("annee_session") or ""
    if not session_valide(ctx.examen, session):
        session = ctx.annee_session or ""
    _identite(s)
    _ine(s, ctx, ref)
    pays_naissance = _pays_naissance(s, ref)
    if (date_naissance := _rempli(s, "date_naissance", toujours=True)) is not None:
        s.ajouter_toutes("date_naissance", verifier_date("date_naissance", date_naissance))
    _departement_naissance(s, ref, pays_naissance)
    _commune_naissance(s, pays_naissance)
    if (nationalite := _rempli(s, "nationalite", toujours=True)) is not None:
        s.hors_liste(
            "nationalite", nationalite, ref.pays, "pays.code", "la liste des pays du COG (ni 'AUT')"
        )
    pays = _pays_residence(s, ref)
    _adresse_postale(s, pays)
    _telephones_et_mail(s)
    _categorie_socio_pro(s, ctx.examen, ref)
    _etablissement(s)
    serie = _serie(s, ctx.examen, ref, session)
    enseignement = _enseignement(s, ctx.examen, ref, serie)
    _categorie(s, ctx.examen, ref)
    _langue_section_euro(s, ctx.examen, ref, enseignement)
    return s.erreurs


def _identite(s: _Ligne) -> None:
    """Civilité « M(Masculin) ou F(Féminin) »; nom de famille (100), nom d'usage (100, not
    mandatory), prénoms (40), one character rule (`verifier_nom`)."""
    civilite = _rempli(s, "civilite", toujours=True)
    if civilite is not None and civilite not in ("M", "F"):
        s.ajouter(
            "civilite",
            "civilite.valeur",
            _sur_valeur("civilite", civilite, "valeurs possibles M (masculin) ou F (féminin)."),
        )
    for champ, maximum, toujours in (
        ("nom_famille", 100, True),
        ("nom_usage", 100, False),
        ("prenoms", 40, True),
    ):
        if (valeur := _rempli(s, champ, toujours=toujours)) is not None:
            s.taille(champ, valeur, maximum)
            s.ajouter_toutes(champ, verifier_nom(champ, valeur))


def _ine(s: _Ligne, ctx: Contexte, ref: Referentiel) -> None:
    """INE: « 9 chiffres suivis de deux lettres » (Choice: capital letters). Mandatory « si le
    contrôle INE est coché dans le paramétrage établissement » or for school candidates of a
    public or private-under-contract establishment of the Ministry in France. Choice: the file
    does not say the establishment's settings, so `ctx.controle_ine` tells them, and « scolaire »
    is the `scolaire` flag of categories_candidat.csv."""
    ine = s.valeurs.get("INE") or ""
    if ine:
        if not _INE.fullmatch(ine):
            s.ajouter(
                "INE",
                "ine.format",
                _sur_valeur(
                    "INE", ine, "format attendu : 9 chiffres suivis de 2 lettres majuscules."
                ),
            )
        return
    categorie = s.valeurs.get("categorie") or ""
    if ctx.controle_ine and categorie in ref.categories_scolaires[ctx.examen]:
        s.ajouter(
            "INE",
            "obligatoire",
            _manquant(
                "INE",
                f"candidat scolaire, catégorie {categorie}, avec le contrôle INE",
            ),
        )


def _pays_naissance(s: _Ligne, ref: Referentiel) -> str | None:
    """Pays de naissance: a COG country code or 'AUT'. Returns the code when valid."""
    pays = _rempli(s, "pays_naissance", toujours=True)
    if pays is None:
        return None
    if s.hors_liste(
        "pays_naissance", pays, ref.pays, "pays.code", "la liste des pays du COG (ni 'AUT')"
    ):
        return None
    return pays


def _departement_naissance(s: _Ligne, ref: Referentiel, pays_naissance: str | None) -> None:
    """« Si pays de naissance = France : Code département selon la liste du COG ; sinon vide
    ou code département au format alphanumérique sans accent, sur 2 ou 3 caractères »."""
    if pays_naissance == FRANCE:
        departement = _rempli(
            s,
            "depCOM_naissance",
            toujours=False,
            condition="candidat né en France, pays de naissance 100",
        )
        if departement is not None:
            s.hors_liste(
                "depCOM_naissance",
                departement,
                ref.departements,
                "departement.code",
                "la liste des départements/COM du COG (exemples : 075, 02A, 971)",
            )
        return
    departement = s.valeurs.get("depCOM_naissance") or ""
    if departement and not _DEPARTEMENT_ETRANGER.fullmatch(departement):
        s.ajouter(
            "depCOM_naissance",
            "departement.format",
            _sur_valeur(
                "depCOM_naissance",
                departement,
                "hors de France, 2 ou 3 lettres sans accent ou chiffres, ou vide.",
            ),
        )


def _commune_naissance(s: _Ligne, pays_naissance: str | None) -> None:
    """« Si pays de naissance = France : Code Insee (5) ; sinon libellé de la commune (50) :
    caractères alphanumériques et espace , ' / . ° – ; caractères uniquement numériques
    interdits ». Choice: with an invalid birth country only the size is checked."""
    commune = _rempli(s, "commune_naissance", toujours=True)
    if commune is None:
        return
    if pays_naissance == FRANCE:
        if not _INSEE.fullmatch(commune):
            s.ajouter(
                "commune_naissance",
                "commune.insee",
                _sur_valeur(
                    "commune_naissance",
                    commune,
                    "pour un candidat né en France, code Insee de la commune sur 5 caractères "
                    "(exemples : 75056, 2A004).",
                ),
            )
        return
    s.taille("commune_naissance", commune, 50)
    if pays_naissance is None:
        return
    v = _nfc(commune)
    if _INTERDIT_COMMUNE.search(v):
        s.ajouter(
            "commune_naissance",
            "commune.caracteres",
            _sur_valeur(
                "commune_naissance",
                commune,
                _caracteres_interdits(_INTERDIT_COMMUNE, v, _REGLE_ADRESSE),
            ),
        )
    if commune.isdigit():
        s.ajouter(
            "commune_naissance",
            "commune.numerique",
            _sur_valeur(
                "commune_naissance",
                commune,
                "hors de France, le libellé de la commune est attendu, pas un code uniquement "
                "numérique.",
            ),
        )


def _pays_residence(s: _Ligne, ref: Referentiel) -> str | None:
    """Pays de résidence: a COG country code (the text offers 'AUT' for the birth country and
    the nationality only). Returns the code when valid."""
    pays = _rempli(s, "pays", toujours=True)
    if pays is None:
        return None
    if pays == AUTRE_PAYS:
        s.ajouter(
            "pays",
            "pays.aut_residence",
            _sur_valeur(
                "pays",
                pays,
                "'AUT' (autre pays) n'est pas admis pour le pays de résidence : code du pays "
                "selon la liste du COG.",
            ),
        )
        return None
    if s.hors_liste("pays", pays, ref.pays_residence, "pays.code", "la liste des pays du COG"):
        return None
    return pays


def _adresse_postale(s: _Ligne, pays: str | None) -> None:
    """Adresse lignes 1 (mandatory) to 4 (38 each), code postal (« si France oui sinon non »:
    5 digits in France, else up to 10 alphanumerics; Choice: no space), localité (50)."""
    for champ, toujours in (
        ("adresse_1", True),
        ("adresse_2", False),
        ("adresse_3", False),
        ("adresse_4", False),
    ):
        if (valeur := _rempli(s, champ, toujours=toujours)) is not None:
            _adresse(s, champ, valeur, 38)
    if pays == FRANCE:
        code_postal = _rempli(
            s,
            "code_postal",
            toujours=False,
            condition="candidat résidant en France, pays 100",
        )
        if code_postal is not None and not _CODE_POSTAL_FRANCE.fullmatch(code_postal):
            s.ajouter(
                "code_postal",
                "code_postal.france",
                _sur_valeur("code_postal", code_postal, "en France, 5 chiffres."),
            )
    else:
        code_postal = s.valeurs.get("code_postal") or ""
        if code_postal and not _CODE_POSTAL_ETRANGER.fullmatch(code_postal):
            s.ajouter(
                "code_postal",
                "code_postal.etranger",
                _sur_valeur(
                    "code_postal",
                    code_postal,
                    "hors de France, 10 lettres ou chiffres au plus, sans espace ni autre signe.",
                ),
            )
    if (localite := _rempli(s, "localite", toujours=True)) is not None:
        _adresse(s, "localite", localite, 50)


def _adresse(s: _Ligne, champ: str, valeur: str, maximum: int) -> None:
    """Adresse lignes 1-4 and localité: « Caractères alphanumériques et les caractères
    spéciaux espace, virgule (,), apostrophe ', slash /, point ., degré ° et tiret - »."""
    s.taille(champ, valeur, maximum)
    v = _nfc(valeur)
    if _INTERDIT_ADRESSE.search(v):
        s.ajouter(
            champ,
            "adresse.caracteres",
            _sur_valeur(champ, valeur, _caracteres_interdits(_INTERDIT_ADRESSE, v, _REGLE_ADRESSE)),
        )


def _telephones_et_mail(s: _Ligne) -> None:
    """Téléphone personnel (optional) and mobile (mandatory): « + et chiffres sans espace »,
    25 (Choice: « + » only in first position). Adresse mail (100): `_MAIL`."""
    for champ, toujours in (("telephone", False), ("telephone_mobile", True)):
        if (valeur := _rempli(s, champ, toujours=toujours)) is None:
            continue
        s.taille(champ, valeur, 25)
        if not _TELEPHONE.fullmatch(valeur):
            s.ajouter(
                champ,
                "telephone.format",
                _sur_valeur(
                    champ,
                    valeur,
                    "seuls des chiffres, précédés éventuellement de « + », sans espace ni point "
                    "(exemple : +33612345678 ou 0612345678).",
                ),
            )
    if (mail := _rempli(s, "adresse_mail", toujours=True)) is not None:
        s.taille("adresse_mail", mail, 100)
        if not _MAIL.fullmatch(mail):
            s.ajouter(
                "adresse_mail",
                "mail.format",
                _sur_valeur(
                    "adresse_mail",
                    mail,
                    "adresse invalide : caractères A-Z a-z 0-9 ! # $ % & ' * / = ? ^ _ ` { | } ~ "
                    "- . puis @ puis un domaine de la forme exemple.fr (lettres, chiffres, "
                    "tirets, sans tiret au début ni à la fin d'une partie).",
                ),
            )


def _categorie_socio_pro(s: _Ligne, examen: Examen, ref: Referentiel) -> None:
    """« Oui pour BCP »; « Non demandé pour BP et MCP », « Non demandé pour le CAP ». Choice:
    outside the BCP (ARI included) an empty value is fine and a filled one must still be a
    code of the list."""
    bcp = examen is Examen.BCP
    csp = _rempli(s, "categ_socio_pro", toujours=bcp, condition="exigée pour le BCP" if bcp else "")
    if csp is not None:
        s.hors_liste(
            "categ_socio_pro",
            csp,
            ref.categories_socio_pro,
            "csp.code",
            "la liste des catégories socio-professionnelles",
        )


def _etablissement(s: _Ligne) -> None:
    """Établissement (8): `_ETABLISSEMENT`. Division de classe (8, optional): alphanumerics
    and ; , & ' > < . - _"""
    etablissement = _rempli(s, "etablissement", toujours=True)
    if etablissement is not None and not _ETABLISSEMENT.fullmatch(etablissement):
        s.ajouter(
            "etablissement",
            "etablissement.format",
            _sur_valeur(
                "etablissement",
                etablissement,
                "code RNE/UAI ou Cyclades attendu : 7 chiffres suivis d'un chiffre ou d'une "
                "lettre majuscule (exemple : 0750001A).",
            ),
        )
    division = s.valeurs.get("division_classe") or ""
    if division:
        s.taille("division_classe", division, 8)
        v = _nfc(division)
        if _INTERDIT_DIVISION.search(v):
            s.ajouter(
                "division_classe",
                "division.caracteres",
                _sur_valeur(
                    "division_classe",
                    division,
                    _caracteres_interdits(_INTERDIT_DIVISION, v, _REGLE_DIVISION),
                ),
            )


def _serie(s: _Ligne, examen: Examen, ref: Referentiel, session: str) -> str | None:
    """Spécialité: a code of the exam's list (section « Liste des codes spécialités »), open
    for the session. Returns the code when it is in the list."""
    serie = _rempli(s, "serie", toujours=True)
    if serie is None:
        return None
    specialite = ref.specialites[examen].get(serie)
    if specialite is None:
        s.ajouter(
            "serie",
            "serie.code",
            _code_inconnu("serie", serie, f"la liste des spécialités du {examen}"),
        )
        return None
    _verifier_ouverture(s, specialite, session)
    return serie


def _enseignement(s: _Ligne, examen: Examen, ref: Referentiel, serie: str | None) -> str:
    """Enseignement (optional): BCP EURO / DOMSECINC / DOMSECPUB (any specialty); MC4
    DOMACTPHY / DOMACTAQU for 33501 only; CAP ASSMAT1 / EMPDOM1 / AUTRE1 for 33205 and ASSMAT2
    / EMPDOM2 / AUTRE2 for 3320M; « BP, ARI : non concernés » (Choice: MC3 too, no value is
    listed for it). Returns the value."""
    enseignement = s.valeurs.get("enseignement") or ""
    if not enseignement:
        return ""
    options = ref.enseignements[examen]
    if not options:
        s.ajouter(
            "enseignement",
            "enseignement.non_concerne",
            _sur_valeur(
                "enseignement",
                enseignement,
                f"aucun enseignement n'est prévu pour le {examen} : laisser vide.",
            ),
        )
    elif enseignement not in options:
        s.ajouter(
            "enseignement",
            "enseignement.code",
            _code_inconnu(
                "enseignement",
                enseignement,
                f"la liste des enseignements du {examen} ({', '.join(options)})",
            ),
        )
    elif options[enseignement] and serie is not None and options[enseignement] != serie:
        s.ajouter(
            "enseignement",
            "enseignement.specialite",
            _sur_valeur(
                "enseignement",
                enseignement,
                f"cet enseignement ne concerne que la spécialité {options[enseignement]}, pas "
                f"la spécialité {serie}.",
            ),
        )
    return enseignement


def _categorie(s: _Ligne, examen: Examen, ref: Referentiel) -> None:
    """Catégorie du candidat: a code of the exam's list (« Valeurs possibles pour ... »)."""
    categorie = _rempli(s, "categorie", toujours=True)
    if categorie is not None:
        s.hors_liste(
            "categorie",
            categorie,
            ref.categories[examen],
            "categorie.code",
            f"la liste des catégories de candidat du {examen}",
        )


def _langue_section_euro(s: _Ligne, examen: Examen, ref: Referentiel, enseignement: str) -> None:
    """« pour BCP si enseignement = EURO : oui sinon : non »; « BP, MCP, ARI, CAP : non
    concernés ». Choice: a language outside the BCP, or without the EURO teaching, is an
    error (it would be silently lost)."""
    langue = s.valeurs.get("langue_section_euro") or ""
    if examen is not Examen.BCP:
        if langue:
            s.ajouter(
                "langue_section_euro",
                "langue.non_concerne",
                _sur_valeur(
                    "langue_section_euro",
                    langue,
                    f"le {examen} n'a pas de section européenne : laisser vide.",
                ),
            )
        return
    if enseignement == "EURO":
        choisie = _rempli(
            s,
            "langue_section_euro",
            toujours=False,
            condition="enseignement EURO, section européenne",
        )
        if choisie is not None:
            s.hors_liste(
                "langue_section_euro",
                choisie,
                ref.langues,
                "langue.code",
                "la liste des langues de section européenne",
            )
    elif langue:
        s.ajouter(
            "langue_section_euro",
            "langue.sans_euro",
            _sur_valeur(
                "langue_section_euro",
                langue,
                "une langue de section européenne n'est admise qu'avec l'enseignement EURO.",
            ),
        )


def _verifier_ouverture(s: _Ligne, specialite: Specialite, session: str) -> None:
    """Section « Liste des codes spécialités »: « (1ère session 2023) », « (dernière session
    2022) », « (fin du rattrapage 2023) », « Pour la session 2024, fermeture des codes ... ».
    Checked only when the session is known (row, XML entête or file name)."""
    if not session:
        return
    annee = int(session[:4])
    code = specialite.code
    if specialite.premiere_session is not None and annee < specialite.premiere_session:
        s.ajouter(
            "serie",
            "serie.pas_ouverte",
            _sur_valeur(
                "serie",
                code,
                f"la spécialité « {specialite.libelle} » n'ouvre qu'à la session "
                f"{specialite.premiere_session} (session du fichier : {annee}).",
            ),
        )
    if specialite.derniere_session is not None and annee > specialite.derniere_session:
        s.ajouter(
            "serie",
            "serie.fermee",
            _sur_valeur(
                "serie",
                code,
                f"la spécialité « {specialite.libelle} » est fermée : dernière session "
                f"{specialite.derniere_session} (session du fichier : {annee}).",
            ),
        )
