"""`guichet exapro validate|export|bench`: checking and converting EXAPRO candidate files.

The rules are `rules/exapro/` (seed 002, « Description des données de l'import générique
des candidatures pour les domaines EXAPRO », v1.7), the readers `rules/exapro/lecture.py`.
This module opens the file, prints the report and sets the exit code: 0 when there is no
error, 1 when the report has errors, 2 when the file cannot be read at all (one line on
stderr says why). `export` writes the valid candidates of a file (CSV or XML) as a
spec-conformant XML file, with the same exit codes.

Personal data (names, INE, birth dates, e-mail, phone) is never logged: the log line of a
validation carries the file name, the exam and counts only. The report itself, meant for the
school, shows the offending values.
"""

import argparse
import contextlib
import json
import logging
import os
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TextIO
from xml.sax.saxutils import escape

from rules.calendrier import PARIS
from rules.exapro import (
    CHAMPS_CANDIDAT,
    CHAMPS_ENTETE,
    LIBELLES_EXAMEN,
    LIGNE_ENTIERE,
    NOMS_CSV,
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
from rules.exapro.lecture import Bloc, LectureImpossible, Rapport, lire, valider_flux
from workers.settings import Settings

log = logging.getLogger(__name__)

SORTIE_OK = 0
SORTIE_ERREURS = 1
SORTIE_ILLISIBLE = 2


def _raison_systeme(exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        return "fichier introuvable"
    if isinstance(exc, IsADirectoryError):
        return "c'est un répertoire, pas un fichier"
    if isinstance(exc, PermissionError):
        return "lecture non autorisée"
    return f"erreur du système ({exc.strerror or type(exc).__name__})"


def _examen_inconnu(nom: str) -> str:
    return (
        f"impossible de savoir à quel examen est destiné « {nom} » : son nom ne commence "
        "ni par BCP, BP, MC3, MC4, CAP ou ARI ; indiquez --examen"
    )


def valider_chemin(
    chemin: Path, examen: Examen | None, *, controle_ine: bool = False
) -> Rapport | str:
    """The report of the file at `chemin`, or why it cannot be read (French, one line)."""
    nom = chemin.name
    if examen is None:
        examen = examen_du_nom_fichier(nom)
    if examen is None:
        return _examen_inconnu(nom)
    try:
        with chemin.open("rb") as flux:
            return valider_flux(flux, nom, examen, controle_ine=controle_ine)
    except LectureImpossible as exc:
        return f"« {nom} » illisible : {exc.raison}"
    except OSError as exc:
        return f"« {nom} » illisible : {_raison_systeme(exc)}"


def _titre_groupe(rapport: Rapport, ligne: int) -> str:
    if ligne == 0:
        return "Nom du fichier et bloc entete" if rapport.format == "xml" else "Nom du fichier"
    if rapport.format == "xml":
        return f"Candidat n° {ligne} (dans l'ordre du fichier)"
    if ligne == 1:
        return "Ligne 1 (en-tête des colonnes)"
    return f"Ligne {ligne}"


def rapport_texte(rapport: Rapport) -> str:
    """The report for a school's secretary: counts, then the errors grouped by line."""
    en_erreur = rapport.lignes - rapport.lignes_valides
    lignes = [
        f"Fichier : {rapport.fichier}",
        f"Examen : {rapport.examen} ({LIBELLES_EXAMEN[rapport.examen]})",
        f"Candidats lus : {rapport.lignes} ; sans erreur : {rapport.lignes_valides} ; "
        f"avec au moins une erreur : {en_erreur}.",
    ]
    if not rapport.erreurs:
        lignes.append("Aucune erreur : le fichier est conforme à la description des données.")
        return "\n".join(lignes) + "\n"
    pluriel = "s" if len(rapport.erreurs) > 1 else ""
    lignes.append(f"{len(rapport.erreurs)} erreur{pluriel} à corriger :")
    groupe: int | None = None
    for erreur in rapport.erreurs:
        if erreur.ligne != groupe:
            groupe = erreur.ligne
            lignes.extend(["", f"{_titre_groupe(rapport, groupe)} :"])
        prefixe = "(ligne entière) " if erreur.champ == LIGNE_ENTIERE else ""
        lignes.append(f"  - {prefixe}{erreur.message}")
    return "\n".join(lignes) + "\n"


def ecrire_rapport(rapport: Rapport, forme: str, sortie: TextIO) -> None:
    if forme == "json":
        json.dump(rapport.en_dict(), sortie, ensure_ascii=False, indent=2)
        sortie.write("\n")
    else:
        sortie.write(rapport_texte(rapport))


def _validate(_settings: Settings, args: argparse.Namespace) -> int:
    examen = Examen(args.examen) if args.examen else None
    resultat = valider_chemin(Path(args.fichier), examen, controle_ine=args.controle_ine)
    if isinstance(resultat, str):
        print(f"guichet exapro: {resultat}", file=sys.stderr)
        return SORTIE_ILLISIBLE
    ecrire_rapport(resultat, args.format, sys.stdout)
    log.info(
        "exapro.validation",
        extra={
            "fichier": resultat.fichier,
            "examen": resultat.examen.value,
            "lignes": resultat.lignes,
            "lignes_valides": resultat.lignes_valides,
            "nombre_erreurs": len(resultat.erreurs),
        },
    )
    return SORTIE_ERREURS if resultat.erreurs else SORTIE_OK


# --- export ------------------------------------------------------------------------------

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
        return _examen_inconnu(nom)
    erreurs_nom, session = valider_nom_fichier(nom, examen)
    export = Export(nom, examen, sortie, erreurs_fichier=len(erreurs_nom))
    provisoire = sortie.with_name(f".{sortie.name}.candidats")
    try:
        with chemin.open("rb") as flux, provisoire.open("w", encoding="utf-8") as candidats:
            conversion = _Conversion(export, Contexte(examen, session, controle_ine), candidats)
            _, blocs = lire(flux)
            for bloc in blocs:
                conversion.bloc(bloc)
        annee = conversion.entete.session or session or conversion.lignes.session
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
            return f"impossible d'écrire « {sortie} » : {_raison_systeme(exc)}"
        return f"« {nom} » illisible : {_raison_systeme(exc)}"
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


def _export(_settings: Settings, args: argparse.Namespace) -> int:
    examen = Examen(args.examen) if args.examen else None
    chemin = Path(args.fichier)
    resultat = exporter(chemin, Path(args.sortie), examen, controle_ine=args.controle_ine)
    if isinstance(resultat, str):
        print(f"guichet exapro: {resultat}", file=sys.stderr)
        return SORTIE_ILLISIBLE
    pluriel = "s" if resultat.ecrits > 1 else ""
    print(f"{resultat.ecrits} candidat{pluriel} écrit{pluriel} dans {resultat.sortie}")
    if resultat.ecartes:
        print(
            f"guichet exapro: « {resultat.fichier} » : {resultat.ecartes} ligne(s) en erreur "
            f"écartée(s) sur {resultat.lignes} ; détail : guichet exapro validate {chemin}",
            file=sys.stderr,
        )
    if resultat.erreurs_fichier:
        print(
            f"guichet exapro: « {resultat.fichier} » : {resultat.erreurs_fichier} erreur(s) sur "
            f"le fichier lui-même (nom, en-tête) ; détail : guichet exapro validate {chemin}",
            file=sys.stderr,
        )
    log.info(
        "exapro.export",
        extra={
            "fichier": resultat.fichier,
            "examen": resultat.examen.value,
            "lignes": resultat.lignes,
            "ecrits": resultat.ecrits,
            "ecartes": resultat.ecartes,
            "erreurs_fichier": resultat.erreurs_fichier,
        },
    )
    return SORTIE_ERREURS if resultat.erreurs else SORTIE_OK


# --- bench -------------------------------------------------------------------------------

_NOMS = ["MARTIN", "BERNARD", "N'DIAYE", "LEFÈVRE", "DA SILVA", "MOREAU--LEROY", "GARÇON"]
_PRENOMS = ["Léa", "Noah", "Inès", "Jean-Baptiste", "Zoé", "Mathéo", "Chloé", "Yanis"]
_SERIES_BCP = ["25510", "31213", "31214", "33003", "22106", "25214", "34403", "33604"]
_COMMUNES = [("075", "75056", "75011", "PARIS"), ("069", "69123", "69003", "LYON")]


def lignes_bench(n: int, *, graine: int = 2024) -> Iterator[dict[str, str]]:
    """`n` valid, varied BCP candidates (session 2024), as CSV field name -> value."""
    alea = random.Random(graine)
    for i in range(n):
        departement, insee, code_postal, ville = _COMMUNES[i % len(_COMMUNES)]
        euro = i % 7 == 0
        yield {
            "civilite": "F" if i % 2 else "M",
            "nom_famille": alea.choice(_NOMS),
            "nom_usage": "",
            "prenoms": alea.choice(_PRENOMS),
            "INE": f"{i % 1_000_000_000:09d}{'AB'[i % 2]}{'CD'[i % 2]}",
            "pays_naissance": "100",
            "date_naissance": f"{1 + i % 28:02d}/{1 + i % 12:02d}/{2005 + i % 3}",
            "depCOM_naissance": departement,
            "commune_naissance": insee,
            "nationalite": "100",
            "pays": "100",
            "adresse_1": f"{1 + i % 150} rue de la République",
            "adresse_2": "Bâtiment B" if i % 5 == 0 else "",
            "adresse_3": "",
            "adresse_4": "",
            "code_postal": code_postal,
            "localite": ville,
            "telephone": "",
            "telephone_mobile": f"+336{i % 100_000_000:08d}",
            "adresse_mail": f"eleve{i}@lycee-exemple.ac-paris.fr",
            "categ_socio_pro": ["38", "47", "54", "62", "84"][i % 5],
            "etablissement": "0750001A",
            "division_classe": f"TBP{i % 4}",
            "serie": _SERIES_BCP[i % len(_SERIES_BCP)],
            "enseignement": "EURO" if euro else "",
            "categorie": "132",
            "langue_section_euro": "EUROANG" if euro else "",
        }


def _colonnes_bench() -> list[str]:
    return [c.csv for c in CHAMPS_CANDIDAT]


def generer_csv(chemin: Path, n: int) -> None:
    colonnes = _colonnes_bench()
    with chemin.open("w", encoding="utf-8", newline="") as sortie:
        sortie.write(";".join(colonnes) + "\r\n")
        for ligne in lignes_bench(n):
            sortie.write(";".join(ligne[c] for c in colonnes) + "\r\n")


def generer_xml(chemin: Path, n: int) -> None:
    noms = {c.csv: c.xml for c in CHAMPS_CANDIDAT}
    with chemin.open("w", encoding="utf-8") as sortie:
        sortie.write('<?xml version="1.0" encoding="UTF-8"?>\n<cyclades>\n  <entete>\n')
        entete = {
            "Version": "1.0",
            "annee_session": "2024",
            "date_heure_export": "15/01/2024 10:30",
        }
        for description in CHAMPS_ENTETE:
            balise = description.xml
            sortie.write(f"    <{balise}>{entete[description.csv]}</{balise}>\n")
        sortie.write("  </entete>\n")
        for ligne in lignes_bench(n):
            sortie.write("  <candidat>")
            for nom_csv, valeur in ligne.items():
                if valeur:
                    sortie.write(f"<{noms[nom_csv]}>{escape(valeur)}</{noms[nom_csv]}>")
            sortie.write("</candidat>\n")
        sortie.write("</cyclades>\n")


def _bench(_settings: Settings, args: argparse.Namespace) -> int:
    n = args.lignes
    assert set(_colonnes_bench()) <= set(NOMS_CSV)
    with tempfile.TemporaryDirectory(prefix="guichet-exapro-") as dossier:
        chemin = Path(dossier) / f"BCP2024BENCH_1.0_2024_150120241030.{args.format}"
        debut = time.perf_counter()
        (generer_xml if args.format == "xml" else generer_csv)(chemin, n)
        generation = time.perf_counter() - debut
        taille = chemin.stat().st_size
        if args.tracemalloc:
            tracemalloc.start()
        debut = time.perf_counter()
        resultat = valider_chemin(chemin, Examen.BCP)
        duree = time.perf_counter() - debut
        pic = tracemalloc.get_traced_memory()[1] if args.tracemalloc else None
        tracemalloc.stop()
    maxrss_kio = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    if isinstance(resultat, str):
        print(f"guichet exapro: {resultat}", file=sys.stderr)
        return SORTIE_ILLISIBLE
    print(f"format : {args.format}")
    print(f"lignes : {resultat.lignes}")
    print(f"lignes valides : {resultat.lignes_valides}")
    print(f"erreurs : {len(resultat.erreurs)}")
    print(f"taille du fichier : {taille / 2**20:.1f} Mio")
    print(f"génération : {generation:.2f} s")
    print(f"validation : {duree:.2f} s")
    print(f"débit : {resultat.lignes / duree:.0f} lignes/s")
    if pic is not None:
        print(f"pic tracemalloc : {pic / 2**20:.2f} Mio (tracemalloc ralentit la validation)")
    else:
        print("pic tracemalloc : non mesuré (--sans-tracemalloc)")
    print(f"ru_maxrss : {maxrss_kio / 1024:.1f} Mio")
    return SORTIE_ERREURS if resultat.erreurs else SORTIE_OK


def _positif(texte: str) -> int:
    n = int(texte)
    if n < 1:
        raise argparse.ArgumentTypeError("un nombre de lignes d'au moins 1 est attendu")
    return n


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    exapro = commands.add_parser(
        "exapro",
        help="contrôle des fichiers d'import des candidatures EXAPRO (Cyclades)",
        description="Contrôle un fichier d'import des candidatures EXAPRO (BCP, BP, MC3, MC4, "
        "CAP, ARI), au format CSV ou XML, selon la description des données v1.7.",
    )
    sous_commandes = exapro.add_subparsers(
        dest="exapro_commande", required=True, metavar="COMMANDE"
    )
    validate = sous_commandes.add_parser(
        "validate",
        help="contrôle un fichier et affiche le rapport",
        description="Contrôle chaque ligne du fichier. Code de sortie : 0 sans erreur, 1 si le "
        "rapport contient des erreurs, 2 si le fichier est illisible (la raison est écrite sur "
        "la sortie d'erreur).",
    )
    validate.add_argument("fichier", metavar="FICHIER", help="le fichier .csv ou .xml")
    validate.add_argument(
        "--examen",
        choices=[e.value for e in Examen],
        help="l'examen ; par défaut, le début du nom du fichier (BCP2024_... : BCP)",
    )
    validate.add_argument(
        "--format",
        choices=["json", "text"],
        default="text",
        help="rapport JSON ou texte lisible (par défaut : text)",
    )
    validate.add_argument(
        "--controle-ine",
        action="store_true",
        help="l'INE est obligatoire pour les candidats scolaires (contrôle INE coché dans le "
        "paramétrage des établissements)",
    )
    validate.set_defaults(run=_validate)
    export = sous_commandes.add_parser(
        "export",
        help="écrit les candidats sans erreur au format XML de la description",
        description="Lit un fichier CSV (ou XML) et écrit ses candidats sans erreur dans un "
        "fichier XML conforme à la description des données (racine cyclades, bloc entete, "
        "un bloc candidat par candidat). Les lignes en erreur sont écartées et comptées sur la "
        "sortie d'erreur. Code de sortie : 0 sans erreur, 1 si des lignes ou le fichier ont des "
        "erreurs, 2 si le fichier est illisible.",
    )
    export.add_argument("fichier", metavar="FICHIER", help="le fichier .csv ou .xml à convertir")
    export.add_argument(
        "--sortie", required=True, metavar="SORTIE.xml", help="le fichier XML à écrire"
    )
    export.add_argument(
        "--examen",
        choices=[e.value for e in Examen],
        help="l'examen ; par défaut, le début du nom du fichier (BCP2024_... : BCP)",
    )
    export.add_argument(
        "--controle-ine",
        action="store_true",
        help="l'INE est obligatoire pour les candidats scolaires (comme pour validate)",
    )
    export.set_defaults(run=_export)
    bench = sous_commandes.add_parser(
        "bench",
        help="mesure le débit et la mémoire sur un fichier généré",
        description="Génère un fichier BCP valide de N lignes dans un répertoire temporaire, le "
        "contrôle une fois et affiche le débit (lignes/s) et la mémoire de pointe "
        "(tracemalloc et ru_maxrss).",
    )
    bench.add_argument("--lignes", type=_positif, default=200_000, help="par défaut 200000")
    bench.add_argument("--format", choices=["csv", "xml"], default="csv")
    bench.add_argument(
        "--sans-tracemalloc",
        dest="tracemalloc",
        action="store_false",
        help="ne pas suivre les allocations (débit sans le coût de tracemalloc)",
    )
    bench.set_defaults(run=_bench)
