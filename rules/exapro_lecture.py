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

import codecs
import csv
import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, BinaryIO, Literal

from rules.exapro import (
    CSV_PAR_XML_CANDIDAT,
    CSV_PAR_XML_ENTETE,
    LIGNE_ENTIERE,
    NOMS_CSV,
    Contexte,
    Erreur,
    Examen,
    session_valide,
    valider_candidat,
    valider_colonnes,
    valider_entete,
    valider_nom_fichier,
)

if TYPE_CHECKING:
    from _csv import Reader

    from _typeshed import WriteableBuffer

Format = Literal["csv", "xml"]
Nature = Literal["colonnes", "entete", "candidat"]

TAILLE_MAX_LIGNE = 1 << 20
"""Longest physical CSV line read (1 MiB): beyond it the file is refused, memory stays bounded."""
TAILLE_MAX_PROLOGUE = 1 << 20
"""Longest XML prolog (declaration, comments) before the root element."""
TAILLE_MAX_BLOC_XML = 4 << 20
"""Most bytes read between two blocks (`entete`, `candidat`) of an XML file (4 MiB, a candidate
takes about 1 KiB): a huge element cannot fill the memory before its end tag is seen."""
_BLOC = 64 * 1024


class LectureImpossible(Exception):
    """The file cannot be read at all; `raison` says why, in French."""

    def __init__(self, raison: str) -> None:
        super().__init__(raison)
        self.raison = raison


@dataclass(frozen=True, slots=True)
class Bloc:
    """One unit read from a file.

    - `colonnes` (CSV only, line 1): `valeurs` maps each known column to itself; `anomalies`
      lists unknown and duplicated columns.
    - `entete` (XML only, line 0): the three header fields (empty string when absent);
      `valeurs` None for a block that only carries anomalies (unknown or repeated block).
    - `candidat`: CSV field name -> raw value. In CSV only the file's columns are keys; in XML
      every candidate field is a key (empty when the element is absent). `valeurs` is None
      when the record cannot be mapped to fields (wrong number of CSV fields).
    """

    nature: Nature
    ligne: int
    valeurs: dict[str, str] | None
    anomalies: tuple[Erreur, ...] = ()


class _Prefixe(io.RawIOBase):
    """A raw stream that serves `prefixe` first, then the rest of `suite` (no seek needed).

    With `limite`, reading more than `limite` bytes since the last `marquer()` raises
    `LectureImpossible` (the XML reader marks each block it has read)."""

    def __init__(self, prefixe: bytes, suite: BinaryIO, limite: int | None = None) -> None:
        super().__init__()
        self._prefixe = memoryview(prefixe)
        self._suite = suite
        self._limite = limite
        self._depuis_marque = 0

    def readable(self) -> bool:
        return True

    def marquer(self) -> None:
        self._depuis_marque = 0

    def readinto(self, tampon: "WriteableBuffer", /) -> int:
        vue = memoryview(tampon).cast("B")
        if len(self._prefixe):
            n = min(len(vue), len(self._prefixe))
            vue[:n] = self._prefixe[:n]
            self._prefixe = self._prefixe[n:]
        else:
            donnees = self._suite.read(len(vue))
            n = len(donnees)
            vue[:n] = donnees
        self._depuis_marque += n
        if self._limite is not None and self._depuis_marque > self._limite:
            raise LectureImpossible(
                f"XML : plus de {self._limite >> 20} Mio sans fin de bloc « candidat » ou "
                "« entete » (élément anormalement grand)"
            )
        return n


def _rembobine(prefixe: bytes, suite: BinaryIO) -> io.BufferedReader:
    return io.BufferedReader(_Prefixe(prefixe, suite), buffer_size=_BLOC)


def _refuser_utf16(debut: bytes) -> None:
    if debut.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in debut[:512]:
        raise LectureImpossible(
            "le fichier est en UTF-16 ou contient des octets nuls : seuls UTF-8 et ISO-8859-1 "
            "sont acceptés"
        )


def detecter_format(debut: bytes) -> Format:
    """XML when the first significant character is « < », CSV otherwise."""
    texte = debut.removeprefix(codecs.BOM_UTF8).lstrip()
    return "xml" if texte.startswith(b"<") else "csv"


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
    columns."""
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


# --- XML -----------------------------------------------------------------------------------

_ESPACES = b" \t\r\n"


def _verifier_prologue(debut: bytes, flux: BinaryIO) -> bytes:
    """Reads the prolog (up to the root element's « < ») and refuses a DOCTYPE or any other
    « <! » declaration there. `debut` is what was already read of `flux`; returns every byte
    read, to be replayed to the parser."""
    lu = bytearray(debut)
    pos = 3 if lu.startswith(codecs.BOM_UTF8) else 0
    fin = False
    while True:
        while pos < len(lu) and lu[pos] in _ESPACES:
            pos += 1
        reste = bytes(lu[pos : pos + 9])
        suite_connue = fin or len(reste) == 9
        if reste.startswith(b"<?") and (fin_pi := lu.find(b"?>", pos + 2)) >= 0:
            pos = fin_pi + 2
            continue
        if reste.startswith(b"<!--") and (fin_commentaire := lu.find(b"-->", pos + 4)) >= 0:
            pos = fin_commentaire + 3
            continue
        if suite_connue and reste.startswith(b"<!") and not reste.startswith(b"<!--"):
            quoi = "DOCTYPE" if reste.upper().startswith(b"<!DOCTYPE") else "« <! »"
            raise LectureImpossible(
                f"XML : déclaration {quoi} refusée (DTD et entités interdites pour des raisons "
                "de sécurité)"
            )
        if suite_connue and reste.startswith(b"<") and not reste.startswith((b"<?", b"<!")):
            return bytes(lu)
        if suite_connue and reste and not reste.startswith(b"<"):
            raise LectureImpossible("XML : contenu inattendu avant l'élément racine « cyclades »")
        if fin:
            raise LectureImpossible("XML : aucun élément racine « cyclades »")
        if len(lu) > TAILLE_MAX_PROLOGUE:
            raise LectureImpossible(
                "XML : plus de 1 Mio avant l'élément racine « cyclades » (prologue trop long)"
            )
        morceau = flux.read(_BLOC)
        fin = not morceau
        lu += morceau


def _nom_local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _valeurs(
    bloc: ET.Element, noms: dict[str, str], ligne: int, anomalies: list[Erreur]
) -> dict[str, str]:
    valeurs = dict.fromkeys(noms.values(), "")
    vus: set[str] = set()
    for enfant in bloc:
        nom = _nom_local(enfant.tag)
        champ = noms.get(nom)
        if champ is None:
            anomalies.append(
                Erreur(
                    ligne,
                    nom,
                    "",
                    f"Élément « {nom} » inconnu dans le bloc « {_nom_local(bloc.tag)} » : il est "
                    "ignoré.",
                    "element.inconnu",
                )
            )
            continue
        if champ in vus:
            anomalies.append(
                Erreur(
                    ligne,
                    champ,
                    enfant.text or "",
                    f"Élément « {nom} » en double dans le bloc « {_nom_local(bloc.tag)} » : "
                    "seul le premier est lu.",
                    "element.doublon",
                )
            )
            continue
        vus.add(champ)
        valeurs[champ] = enfant.text or ""
    return valeurs


def lire_xml(flux: BinaryIO) -> Iterator[Bloc]:
    """Blocks of an XML file: the `entete` (line 0) then one `candidat` per element.

    Choice: namespaces are ignored (local names compared); an unknown element inside a block
    is reported and ignored; a missing `entete` is reported through its three mandatory
    fields (the `entete` block is yielded empty before the first candidate)."""
    debut = flux.read(_BLOC)
    if not debut:
        raise LectureImpossible("le fichier est vide")
    _refuser_utf16(debut)
    brut = _Prefixe(_verifier_prologue(debut, flux), flux, TAILLE_MAX_BLOC_XML)
    yield from _analyser_xml(io.BufferedReader(brut, buffer_size=_BLOC), brut)


def _entete_vide() -> Bloc:
    return Bloc("entete", 0, dict.fromkeys(CSV_PAR_XML_ENTETE.values(), ""))


def _bloc_xml(element: ET.Element, position: int, entete_vue: bool) -> Bloc:
    """The block of a child of `cyclades` once fully read (`position` of a candidate)."""
    nom = _nom_local(element.tag)
    anomalies: list[Erreur] = []
    if nom == "candidat":
        valeurs = _valeurs(element, dict(CSV_PAR_XML_CANDIDAT), position, anomalies)
        return Bloc("candidat", position, valeurs, tuple(anomalies))
    if nom == "entete" and not entete_vue:
        valeurs = _valeurs(element, dict(CSV_PAR_XML_ENTETE), 0, anomalies)
        return Bloc("entete", 0, valeurs, tuple(anomalies))
    if nom == "entete":
        erreur = Erreur(
            0,
            "entete",
            "",
            "Bloc « entete » en double ou placé après des candidats : il est ignoré.",
            "element.doublon",
        )
    else:
        erreur = Erreur(
            0,
            nom,
            "",
            f"Élément « {nom} » inconnu sous « cyclades » : seuls « entete » et « candidat » "
            "sont attendus ; il est ignoré.",
            "element.inconnu",
        )
    return Bloc("entete", 0, None, (erreur,))


def _analyser_xml(source: io.BufferedReader, brut: _Prefixe) -> Iterator[Bloc]:
    racine: ET.Element | None = None
    profondeur = 0
    position = 0
    entete_vue = False
    try:
        for evenement, element in ET.iterparse(source, events=("start", "end")):
            if evenement == "start":
                profondeur += 1
                if racine is None:
                    racine = element
                    if _nom_local(element.tag) != "cyclades":
                        raise LectureImpossible(
                            f"XML : l'élément racine est « {_nom_local(element.tag)} » au lieu "
                            "de « cyclades »"
                        )
                elif profondeur == 2 and not entete_vue and _nom_local(element.tag) == "candidat":
                    entete_vue = True
                    yield _entete_vide()
                continue
            profondeur -= 1
            if profondeur != 1 or racine is None:
                continue
            if _nom_local(element.tag) == "candidat":
                position += 1
            brut.marquer()
            bloc = _bloc_xml(element, position, entete_vue)
            entete_vue = entete_vue or (bloc.nature == "entete" and bloc.valeurs is not None)
            racine.clear()
            yield bloc
    except ET.ParseError as exc:
        ligne, colonne = exc.position
        raise LectureImpossible(
            f"XML mal formé à la ligne {ligne}, colonne {colonne} ({_raison_xml(exc)})"
        ) from None
    if racine is None:
        raise LectureImpossible("XML : aucun élément racine « cyclades »")
    if not entete_vue:
        yield _entete_vide()


_RAISONS_XML = {
    "not well-formed (invalid token)": "caractère ou balise invalide",
    "mismatched tag": "balise fermante qui ne correspond pas",
    "no element found": "fin de fichier avant la fermeture des balises",
    "unclosed token": "balise non refermée",
    "junk after document element": "contenu après l'élément racine",
    "undefined entity": "entité non définie",
    "syntax error": "erreur de syntaxe",
}


def _raison_xml(exc: ET.ParseError) -> str:
    anglais = re.sub(r": line \d+, column \d+$", "", str(exc))
    return _RAISONS_XML.get(anglais, anglais)


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
    """Reads and validates a whole file in one pass: the file name (line 0), the CSV header
    (line 1) or the XML `entete` (line 0), then every candidate. Errors keep file order.

    Raises `LectureImpossible` when the file cannot be read at all."""
    erreurs_nom, session = valider_nom_fichier(nom_fichier, examen)
    ctx = Contexte(examen, session, controle_ine)
    fmt, blocs = lire(flux)
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
