"""Messages, character sets and value formats of the field table (section « Descriptif des
données », column « Description »): names, dates, sessions, codes."""

import re
import unicodedata
from datetime import date, datetime

from rules.exapro.champs import _LIBELLES, Examen

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
