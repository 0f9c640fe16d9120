"""Reading EXAPRO candidate files (CSV or XML) as a stream of blocks, and validating them.

Source: `shared/seeds/002_2091265ecbf7751f.txt`, section « Descriptif des données »: a file
« au format csv ou xml », the CSV with the « Champ CSV » names, the XML with the « Champ XML »
paths (`cyclades.entete.*`, `cyclades.candidat.*`).

The readers take an already-open binary stream and never open paths; they stream, so memory
stays bounded whatever the number of candidates:

- CSV: a header row of CSV field names (any case), separator `;` or `,` (detected on the
  header), UTF-8 with or without BOM, or ISO-8859-1 (detected: a file whose first non-ASCII
  line is not valid UTF-8 is read as Windows-1252, the superset of ISO-8859-1 written by
  Excel, falling back to ISO-8859-1 for a line with bytes Windows-1252 leaves undefined).
  `ligne` is the file's line number (the header is line 1; a record with a quoted line break
  gets the number of its first line).
- XML: root `cyclades`, one `entete` block, repeated `candidat` blocks, element names as in the
  table; read with `xml.etree.ElementTree.iterparse`, each block cleared once read. A DOCTYPE
  (hence any entity declaration) is refused before parsing starts: without it, expat knows
  only the five predefined entities and character references. `ligne` of a candidate is its
  position (1-based) among the `candidat` elements; the `entete` is line 0.

A file that cannot be read at all raises `LectureImpossible` with a French reason.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from rules.exapro.blocs import (
    _BLOC,
    TAILLE_MAX_BLOC_XML,
    TAILLE_MAX_LIGNE,
    TAILLE_MAX_PROLOGUE,
    Bloc,
    Format,
    LectureImpossible,
    Nature,
    _rembobine,
    detecter_format,
)
from rules.exapro.candidat import valider_candidat
from rules.exapro.champs import Erreur, Examen
from rules.exapro.entete import Contexte, valider_colonnes, valider_entete
from rules.exapro.formats import session_valide
from rules.exapro.lecture_csv import lire_csv
from rules.exapro.lecture_xml import lire_xml
from rules.exapro.nom_fichier import valider_nom_fichier

__all__ = [
    "TAILLE_MAX_BLOC_XML",
    "TAILLE_MAX_LIGNE",
    "TAILLE_MAX_PROLOGUE",
    "Bloc",
    "Format",
    "LectureImpossible",
    "Nature",
    "Rapport",
    "detecter_format",
    "lire",
    "lire_csv",
    "lire_xml",
    "valider_flux",
]


# --- the whole file ------------------------------------------------------------------------


def lire(flux: BinaryIO) -> tuple[Format, Iterator[Bloc]]:
    """The format (from the first significant byte) and the blocks of the file."""
    debut = flux.read(_BLOC)
    if not debut.strip():
        raise LectureImpossible("le fichier est vide")
    fmt = detecter_format(debut)
    source = _rembobine(debut, flux)
    return fmt, (lire_xml(source) if fmt == "xml" else lire_csv(source))


@dataclass
class Rapport:
    """The outcome of a file's validation (the JSON report of `guichet exapro validate`)."""

    fichier: str
    examen: Examen
    format: Format
    lignes: int = 0
    lignes_valides: int = 0
    erreurs: list[Erreur] = field(default_factory=list)

    def en_dict(self) -> dict[str, object]:
        return {
            "fichier": self.fichier,
            "examen": self.examen.value,
            "lignes": self.lignes,
            "lignes_valides": self.lignes_valides,
            "erreurs": [e.en_dict() for e in self.erreurs],
        }


def valider_flux(
    flux: BinaryIO, nom_fichier: str, examen: Examen, *, controle_ine: bool = False
) -> Rapport:
    """Reads and validates a whole file in one pass: the file name (line 0; CSV only, an XML
    name is free), the CSV header (line 1) or the XML `entete` (line 0), then every candidate.
    Errors keep file order.

    Raises `LectureImpossible` when the file cannot be read at all."""
    fmt, blocs = lire(flux)
    erreurs_nom, session = valider_nom_fichier(nom_fichier, examen, fmt)
    ctx = Contexte(examen, session, controle_ine)
    rapport = Rapport(nom_fichier, examen, fmt, erreurs=list(erreurs_nom))
    ajouter = rapport.erreurs.extend
    for bloc in blocs:
        ajouter(bloc.anomalies)
        if bloc.nature == "candidat":
            rapport.lignes += 1
            erreurs = (
                valider_candidat(bloc.valeurs, ctx, bloc.ligne) if bloc.valeurs is not None else []
            )
            ajouter(erreurs)
            if not erreurs and not bloc.anomalies:
                rapport.lignes_valides += 1
        elif bloc.nature == "colonnes":
            ajouter(valider_colonnes(frozenset(bloc.valeurs or ()), ctx, bloc.ligne))
        elif bloc.valeurs:
            ajouter(valider_entete(bloc.valeurs, ctx, bloc.ligne))
            annee = bloc.valeurs.get("annee_session", "")
            if session_valide(examen, annee):
                ctx = Contexte(examen, annee, controle_ine)
    return rapport
