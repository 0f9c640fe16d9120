"""`guichet exapro export`: the valid candidates of an EXAPRO file (CSV or XML) written as an
XML file of the data description (seed 002, v1.7). The command itself is `exapro.py`."""

import contextlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TextIO
from xml.sax.saxutils import escape

from rules.calendrier import PARIS
from rules.exapro import (
    CHAMPS_CANDIDAT,
    CHAMPS_ENTETE,
    Contexte,
    Examen,
    decouper_nom_fichier,
    examen_du_nom_fichier,
    session_valide,
    valider_candidat,
    valider_colonnes,
    valider_entete,
    valider_nom_fichier,
    verifier_date_heure,
)
from rules.exapro.lecture import Bloc, LectureImpossible, lire


def raison_systeme(exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        return "fichier introuvable"
    if isinstance(exc, IsADirectoryError):
        return "c'est un répertoire, pas un fichier"
    if isinstance(exc, PermissionError):
        return "lecture non autorisée"
    return f"erreur du système ({exc.strerror or type(exc).__name__})"


def examen_inconnu(nom: str) -> str:
    return (
        f"impossible de savoir à quel examen est destiné « {nom} » : son nom ne commence "
        "ni par BCP, BP, MC3, MC4, CAP ou ARI ; indiquez --examen"
    )


_NOMS_ENTETE = tuple(c.csv for c in CHAMPS_ENTETE)


@dataclass
class Export:
    """What `exporter` wrote: `lignes` candidates read, `ecrits` written, `ecartes` left out
    (a row with an error), `erreurs_fichier` errors on the file itself (name, CSV header,
    XML `entete`)."""

    fichier: str
    examen: Examen
    sortie: Path
    lignes: int = 0
    ecrits: int = 0
    ecartes: int = 0
    erreurs_fichier: int = 0

    @property
    def erreurs(self) -> bool:
        return bool(self.ecartes or self.erreurs_fichier)


def _date_heure_du_nom(nom: str) -> str | None:
    """`JJMMAAAAHHMM` of the file name as `JJ/MM/AAAA HH:mm`, when it is a real date."""
    parties = decouper_nom_fichier(nom)
    if parties is None:
        return None
    d = parties.date_extraction
    valeur = f"{d[0:2]}/{d[2:4]}/{d[4:8]} {d[8:10]}:{d[10:12]}"
    return valeur if len(d) == 12 and not verifier_date_heure("", valeur) else None


class _Sortie:
    """The output's `entete` values, chosen as the rows go (first valid one wins)."""

    def __init__(self, session: str | None) -> None:
        self.session = session
        self.date_heure: str | None = None

    def noter(self, examen: Examen, valeurs: Mapping[str, str]) -> None:
        session = valeurs.get("annee_session", "")
        if self.session is None and session_valide(examen, session):
            self.session = session
        date_heure = valeurs.get("date_heure_export", "")
        if self.date_heure is None and date_heure and not verifier_date_heure("", date_heure):
            self.date_heure = date_heure


def _ecrire_candidat(sortie: TextIO, valeurs: Mapping[str, str]) -> None:
    sortie.write("  <candidat>\n")
    for champ in CHAMPS_CANDIDAT:
        if valeur := valeurs.get(champ.csv):
            sortie.write(f"    <{champ.xml}>{escape(valeur)}</{champ.xml}>\n")
    sortie.write("  </candidat>\n")


class _Conversion:
    """The rows of one file, checked and written as `candidat` blocks, with the counts."""

    def __init__(self, export: Export, ctx: Contexte, candidats: TextIO) -> None:
        self.export = export
        self.ctx = ctx
        self.candidats = candidats
        self.entete = _Sortie(None)
        self.lignes = _Sortie(None)

    def bloc(self, bloc: Bloc) -> None:
        export, ctx, valeurs = self.export, self.ctx, bloc.valeurs
        if bloc.nature != "candidat":
            export.erreurs_fichier += len(bloc.anomalies)
            if bloc.nature == "colonnes":
                export.erreurs_fichier += len(valider_colonnes(frozenset(valeurs or ()), ctx))
            elif valeurs:
                export.erreurs_fichier += len(valider_entete(valeurs, ctx))
                self.entete.noter(ctx.examen, valeurs)
                if self.entete.session is not None:
                    self.ctx = Contexte(ctx.examen, self.entete.session, ctx.controle_ine)
            return
        export.lignes += 1
        if valeurs is None or bloc.anomalies:
            export.ecartes += 1
            return
        complet = {c.csv: valeurs.get(c.csv, "") for c in CHAMPS_CANDIDAT}
        complet.update((n, valeurs[n]) for n in _NOMS_ENTETE if n in valeurs)
        if valider_candidat(complet, ctx, bloc.ligne):
            export.ecartes += 1
            return
        self.lignes.noter(ctx.examen, valeurs)
        _ecrire_candidat(self.candidats, complet)
        export.ecrits += 1


def exporter(
    chemin: Path,
    sortie: Path,
    examen: Examen | None,
    *,
    controle_ine: bool = False,
    maintenant: datetime | None = None,
) -> Export | str:
    """Write the valid candidates of `chemin` (CSV or XML) to `sortie` as an XML file of the
    data description (root `cyclades`, an `entete`, one `candidat` per row, element names of
    the « Champ XML » column, in the table's order, filled fields only); or say why not.

    A row is written when it has no error, checked as the XML will be read: a column the CSV
    lacks counts as an empty element (so a missing mandatory column leaves every row out,
    where `validate` reports it once on the header). The output's `entete`: version 1.0; the
    session of the XML `entete`, else of the file name, else of the first row giving one;
    the export date-time of the XML `entete`, else of the first row giving one, else the
    file name's extraction date, else `maintenant` (Paris time). The output appears whole or
    not at all (written aside, then renamed)."""
    nom = chemin.name
    examen = examen or examen_du_nom_fichier(nom)
    if examen is None:
        return examen_inconnu(nom)
    export = Export(nom, examen, sortie)
    session: str | None = None
    session_du_nom: str | None = None
    provisoire = sortie.with_name(f".{sortie.name}.candidats")
    try:
        with chemin.open("rb") as flux, provisoire.open("w", encoding="utf-8") as candidats:
            fmt, blocs = lire(flux)
            erreurs_nom, session = valider_nom_fichier(nom, examen, fmt)
            export.erreurs_fichier = len(erreurs_nom)
            # An XML name is free (no error), but a well-formed one still gives the output's
            # session when the `entete` lacks it.
            session_du_nom = session or valider_nom_fichier(nom, examen)[1]
            conversion = _Conversion(export, Contexte(examen, session, controle_ine), candidats)
            for bloc in blocs:
                conversion.bloc(bloc)
        annee = conversion.entete.session or session_du_nom or conversion.lignes.session
        if annee is None:
            return (
                f"« {nom} » : année de session inconnue (ni l'entête, ni le nom du fichier, ni "
                "une colonne annee_session ne la donnent) : impossible d'écrire l'entête XML"
            )
        date_heure = (
            conversion.entete.date_heure
            or conversion.lignes.date_heure
            or _date_heure_du_nom(nom)
            or f"{(maintenant or datetime.now(PARIS)).astimezone(PARIS):%d/%m/%Y %H:%M}"
        )
        _assembler(sortie, provisoire, annee, date_heure)
    except LectureImpossible as exc:
        return f"« {nom} » illisible : {exc.raison}"
    except OSError as exc:
        if exc.filename is not None and Path(exc.filename) != chemin:
            return f"impossible d'écrire « {sortie} » : {raison_systeme(exc)}"
        return f"« {nom} » illisible : {raison_systeme(exc)}"
    finally:
        with contextlib.suppress(OSError):
            provisoire.unlink()
    return export


def _assembler(sortie: Path, candidats: Path, annee: str, date_heure: str) -> None:
    provisoire = sortie.with_name(f".{sortie.name}.ecriture")
    try:
        with provisoire.open("w", encoding="utf-8") as xml, candidats.open(encoding="utf-8") as c:
            xml.write('<?xml version="1.0" encoding="UTF-8"?>\n<cyclades>\n  <entete>\n')
            valeurs = {"Version": "1.0", "annee_session": annee, "date_heure_export": date_heure}
            for champ in CHAMPS_ENTETE:
                xml.write(f"    <{champ.xml}>{escape(valeurs[champ.csv])}</{champ.xml}>\n")
            xml.write("  </entete>\n")
            while morceau := c.read(1 << 16):
                xml.write(morceau)
            xml.write("</cyclades>\n")
        os.replace(provisoire, sortie)
    finally:
        with contextlib.suppress(OSError):
            provisoire.unlink()
