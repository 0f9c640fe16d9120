"""The EXAPRO XML reader: root `cyclades`, one `entete` block, repeated `candidat` blocks,
streamed with `iterparse` (see `rules.exapro.lecture` for what is refused)."""

import codecs
import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import BinaryIO

from rules.exapro.blocs import (
    _BLOC,
    TAILLE_MAX_BLOC_XML,
    TAILLE_MAX_PROLOGUE,
    Bloc,
    LectureImpossible,
    _Prefixe,
    _refuser_utf16,
)
from rules.exapro.champs import CSV_PAR_XML_CANDIDAT, CSV_PAR_XML_ENTETE, Erreur
from rules.exapro.ordre import verifier_ordre

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
    ordre: list[str] = []
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
        ordre.append(champ)
        valeurs[champ] = enfant.text or ""
    anomalies.extend(verifier_ordre(ordre, ligne, xml=True, valeurs=valeurs))
    return valeurs


def lire_xml(flux: BinaryIO) -> Iterator[Bloc]:
    """Blocks of an XML file: the `entete` (line 0) then one `candidat` per element.

    Choice: namespaces are ignored (local names compared); an unknown element inside a block
    is reported and ignored; a missing `entete` is reported through its three mandatory
    fields (the `entete` block is yielded empty before the first candidate); elements out of
    the table's order are reported on their block (`rules.exapro.ordre`)."""
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
