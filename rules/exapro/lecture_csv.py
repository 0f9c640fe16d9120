"""The EXAPRO CSV reader: a header row of CSV field names, then one candidate per record
(see `rules.exapro.lecture` for the encodings and separators accepted)."""

import codecs
import csv
import io
from collections.abc import Iterator
from typing import TYPE_CHECKING, BinaryIO

from rules.exapro.blocs import (
    _BLOC,
    TAILLE_MAX_LIGNE,
    Bloc,
    LectureImpossible,
    _refuser_utf16,
    _rembobine,
)
from rules.exapro.champs import LIGNE_ENTIERE, NOMS_CSV, Erreur
from rules.exapro.ordre import verifier_ordre

if TYPE_CHECKING:
    from _csv import Reader


# --- CSV -----------------------------------------------------------------------------------

_PAR_NOM_MINUSCULE = {nom.lower(): nom for nom in NOMS_CSV}


class _Decodeur:
    """Decodes physical lines: UTF-8 (BOM or not) or Windows-1252/ISO-8859-1, decided on the
    first non-ASCII line (ASCII reads the same in both, so nothing read before changes)."""

    def __init__(self) -> None:
        self.encodage: str | None = None

    def decoder(self, brut: bytes, numero: int) -> str:
        if self.encodage is None:
            if numero == 1 and brut.startswith(codecs.BOM_UTF8):
                self.encodage = "utf-8"
                brut = brut[len(codecs.BOM_UTF8) :]
            elif brut.isascii():
                return brut.decode("ascii")
            else:
                try:
                    texte = brut.decode("utf-8")
                except UnicodeDecodeError:
                    self.encodage = "iso-8859-1"
                else:
                    self.encodage = "utf-8"
                    return texte
        if self.encodage == "utf-8":
            try:
                return brut.decode("utf-8")
            except UnicodeDecodeError:
                raise LectureImpossible(
                    f"ligne {numero} : octets invalides en UTF-8 alors que le fichier est en "
                    "UTF-8 ; enregistrez le fichier entier dans un seul encodage"
                ) from None
        try:
            return brut.decode("cp1252")
        except UnicodeDecodeError:
            return brut.decode("latin-1")


def _lignes_texte(flux: io.BufferedReader) -> Iterator[str]:
    decodeur = _Decodeur()
    numero = 0
    while True:
        brut = flux.readline(TAILLE_MAX_LIGNE)
        if not brut:
            return
        numero += 1
        if len(brut) == TAILLE_MAX_LIGNE and not brut.endswith(b"\n"):
            raise LectureImpossible(
                f"ligne {numero} : plus de {TAILLE_MAX_LIGNE} octets sans fin de ligne"
            )
        yield decodeur.decoder(brut, numero)


def lire_csv(flux: BinaryIO) -> Iterator[Bloc]:
    """Blocks of a CSV file: first `colonnes` (line 1), then one `candidat` per record.

    Blank records (empty lines, or only separators) are skipped. Choice: a record whose
    number of fields differs from the header's (trailing empty fields aside) is reported as
    a whole (`champ` empty) and its fields are not checked, since they cannot be matched to
    columns. Columns out of the table's order are reported on the header
    (`rules.exapro.ordre`)."""
    debut = flux.read(_BLOC)
    if not debut:
        raise LectureImpossible("le fichier est vide")
    _refuser_utf16(debut)
    lignes = _lignes_texte(_rembobine(debut, flux))
    premiere = next(lignes, "")
    separateur = "," if premiere.count(",") > premiere.count(";") else ";"
    lecteur = csv.reader(_chainer(premiere, lignes), delimiter=separateur, strict=True)
    try:
        yield from _lire_enregistrements(lecteur)
    except csv.Error as exc:
        raise LectureImpossible(
            f"ligne {lecteur.line_num} : structure CSV illisible ({_raison_csv(exc)})"
        ) from None


def _chainer(premiere: str, suite: Iterator[str]) -> Iterator[str]:
    yield premiere
    yield from suite


def _raison_csv(exc: csv.Error) -> str:
    texte = str(exc)
    if "field larger than field limit" in texte:
        return 'champ trop long, probablement un guillemet « " » jamais refermé'
    if "unexpected end of data" in texte:
        return "fin de fichier à l'intérieur d'un champ entre guillemets"
    return "guillemets mal placés"


def _lire_enregistrements(lecteur: "Reader") -> Iterator[Bloc]:
    entete: list[str] = next(lecteur, [])
    colonnes: list[str | None] = []
    anomalies: list[Erreur] = []
    vues: set[str] = set()
    for brut in entete:
        nom = brut.strip().lstrip("\ufeff")
        connu = _PAR_NOM_MINUSCULE.get(nom.lower())
        if connu is None:
            colonnes.append(None)
            if nom:
                anomalies.append(
                    Erreur(
                        1,
                        nom,
                        "",
                        f"Colonne « {nom} » inconnue : les noms de colonnes sont ceux de la "
                        "colonne « Champ CSV » de la description ; ses valeurs sont ignorées.",
                        "colonne.inconnue",
                    )
                )
        elif connu in vues:
            colonnes.append(None)
            anomalies.append(
                Erreur(
                    1,
                    connu,
                    "",
                    f"Colonne « {connu} » en double dans l'en-tête : seule la première est lue.",
                    "colonne.doublon",
                )
            )
        else:
            colonnes.append(connu)
            vues.add(connu)
    if not vues:
        raise LectureImpossible(
            "la première ligne ne contient aucun nom de champ attendu (civilite, nom_famille, "
            "...) : l'en-tête manque ou le séparateur n'est ni « ; » ni « , »"
        )
    anomalies.extend(verifier_ordre([nom for nom in colonnes if nom], 1, xml=False))
    yield Bloc("colonnes", 1, {nom: nom for nom in vues}, tuple(anomalies))
    largeur = len(colonnes)
    indexees = [(i, nom) for i, nom in enumerate(colonnes) if nom is not None]
    precedente = lecteur.line_num
    for enregistrement in lecteur:
        ligne = precedente + 1
        precedente = lecteur.line_num
        if not any(c.strip() for c in enregistrement):
            continue
        n = len(enregistrement)
        if n != largeur and not (n > largeur and not any(enregistrement[largeur:])):
            yield Bloc(
                "candidat",
                ligne,
                None,
                (
                    Erreur(
                        ligne,
                        LIGNE_ENTIERE,
                        "",
                        f"La ligne compte {n} champs alors que l'en-tête en annonce {largeur} "
                        "(séparateur en trop ou manquant, ou guillemets mal placés) : ses "
                        "valeurs ne peuvent pas être contrôlées.",
                        "ligne.nombre_champs",
                    ),
                ),
            )
            continue
        yield Bloc("candidat", ligne, {nom: enregistrement[i] for i, nom in indexees})
