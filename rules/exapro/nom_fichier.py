"""The file name (section « Descriptif des données »):
`<nom_fichier>_<version>_<annee_session>_<JJMMAAAAHHMM>.csv|.xml`."""

import re
from dataclasses import dataclass
from datetime import datetime

from rules.exapro.blocs import Format
from rules.exapro.champs import NOM_FICHIER, Erreur, Examen
from rules.exapro.formats import (
    _NOM_FICHIER_DATE,
    _NOM_FICHIER_VERSION,
    _sur_valeur,
    format_session,
    session_valide,
)

# --- file name ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NomFichier:
    nom: str
    version: str
    annee_session: str
    date_extraction: str
    extension: str


_PREFIXES = sorted(Examen, key=lambda e: -len(e.value))
_CODES = frozenset(e.value for e in Examen)


def examen_du_nom_fichier(nom: str) -> Examen | None:
    """The exam named by the start of `<nom_fichier>` (« BCP2021_2.0_2021_... » is a BCP file),
    else by one word of the name that is an exam code (« candidats_bcp.xml »).

    Choice: the text's only example starts with the exam code. XML names are free (see
    `valider_nom_fichier`), so a name is also read word by word (words: runs of letters and
    digits): exactly one word equal to BCP, BP, MC3, MC4, CAP or ARI (any case) names the exam.
    Otherwise (no such word, or two different ones) there is no exam and `--examen` (or the
    drop event's `examen`) must say it."""
    debut = nom.upper()
    for examen in _PREFIXES:
        if debut.startswith(examen.value):
            return examen
    base = debut.rpartition(".")[0] or debut
    mots = {mot for mot in re.split(r"[^0-9A-Z]+", base) if mot in _CODES}
    return Examen(mots.pop()) if len(mots) == 1 else None


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


def valider_nom_fichier(
    nom: str, examen: Examen, format: Format = "csv"
) -> tuple[list[Erreur], str | None]:
    """Section « Descriptif des données »: « Le fichier CSV doit avoir un nom au format
    <nom_fichier>_<version>_<annee_session>_<date d'extraction(JJMMAAAAHHMM)>.csv (exemple :
    BCP2021_2.0_2021_301120170000.csv) ».

    Returns the errors (line 0, field `nom_fichier`) and the session year of the name when it
    is well formed for the exam. Choice: the date has 12 digits (the text writes « JJMMAAAHHMM »
    but its example has 12) and must be a real date and time; the version is digits, a dot,
    digits (the example has 2.0).

    The rule names the CSV file only: **an XML file's name is free** (`format` « xml », the
    format read from the file's content): no error, and no session from the name (the XML
    `entete` carries `annee_session`, mandatory there), so a name never rejects an XML file.
    """
    if format == "xml":
        return [], None
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
