"""What the EXAPRO readers yield (`Bloc`) or raise (`LectureImpossible`), their size limits,
and the byte-stream helpers they share (a stream served again from its first bytes, format
detection)."""

import codecs
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO, Literal

from rules.exapro.champs import Erreur

if TYPE_CHECKING:
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
