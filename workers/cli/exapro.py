"""`guichet exapro validate|export|bench`: checking and converting EXAPRO candidate files.

The rules are `rules/exapro/` (seed 002, « Description des données de l'import générique
des candidatures pour les domaines EXAPRO », v1.7), the readers `rules/exapro/lecture.py`.
This module opens the file, prints the report and sets the exit code: 0 when there is no
error, 1 when the report has errors, 2 when the file cannot be read at all (one line on
stderr says why). The CSV naming rule applies to CSV files only (an XML name is free), and
fields out of the table's order are errors (`rules/exapro/ordre.py`). `export` writes the
valid candidates of a file (CSV or XML) as a spec-conformant XML file, with the same exit
codes (the conversion: `exapro_export.py`). `bench` measures the validation on a generated
file (`workers/bench/exapro.py`).

Personal data (names, INE, birth dates, e-mail, phone) is never logged: the log line of a
validation carries the file name, the exam and counts only. The report itself, meant for the
school, shows the offending values.
"""

import argparse
import json
import logging
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import TextIO

from rules.exapro import (
    LIBELLES_EXAMEN,
    LIGNE_ENTIERE,
    NOMS_CSV,
    Examen,
    examen_du_nom_fichier,
)
from rules.exapro.lecture import LectureImpossible, Rapport, valider_flux
from workers.bench.exapro import colonnes_bench, generer_csv, generer_xml
from workers.cli.exapro_export import examen_inconnu, exporter, raison_systeme
from workers.runtime.settings import Settings

log = logging.getLogger(__name__)

SORTIE_OK = 0
SORTIE_ERREURS = 1
SORTIE_ILLISIBLE = 2


def valider_chemin(
    chemin: Path, examen: Examen | None, *, controle_ine: bool = False
) -> Rapport | str:
    """The report of the file at `chemin`, or why it cannot be read (French, one line)."""
    nom = chemin.name
    if examen is None:
        examen = examen_du_nom_fichier(nom)
    if examen is None:
        return examen_inconnu(nom)
    try:
        with chemin.open("rb") as flux:
            return valider_flux(flux, nom, examen, controle_ine=controle_ine)
    except LectureImpossible as exc:
        return f"« {nom} » illisible : {exc.raison}"
    except OSError as exc:
        return f"« {nom} » illisible : {raison_systeme(exc)}"


def _titre_groupe(rapport: Rapport, ligne: int) -> str:
    if ligne == 0:
        return "Bloc entete" if rapport.format == "xml" else "Nom du fichier"
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


def _bench(_settings: Settings, args: argparse.Namespace) -> int:
    n = args.lignes
    assert set(colonnes_bench()) <= set(NOMS_CSV)
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
        description="Contrôle chaque ligne du fichier. Le nom d'un fichier CSV doit suivre le "
        "format de la description ; le nom d'un fichier XML est libre. Des colonnes (CSV) ou "
        "des éléments (XML) hors de l'ordre du tableau de la description sont des erreurs. "
        "Code de sortie : 0 sans erreur, 1 si le rapport contient des erreurs, 2 si le fichier "
        "est illisible (la raison est écrite sur la sortie d'erreur).",
    )
    validate.add_argument("fichier", metavar="FICHIER", help="le fichier .csv ou .xml")
    validate.add_argument(
        "--examen",
        choices=[e.value for e in Examen],
        help="l'examen ; par défaut, le début du nom du fichier (BCP2024_... : BCP) ou le seul "
        "mot du nom qui est un code d'examen (candidats_bcp.xml : BCP)",
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
