"""`guichet bench ingest|echeances|export|redaction`: measured figures from one run (a
command, never a timed test)."""

import argparse
import platform
import sys
from datetime import UTC, datetime

from workers.bench.echeances import run_echeances
from workers.bench.export import FORMATS, run_export
from workers.bench.ingest import run_ingest
from workers.bench.redaction import run_redaction
from workers.runtime.settings import Settings


def _imprimer(commande: str, lignes: list[str]) -> int:
    """A run's figures under the command that gave them, the time and the machine."""
    print(commande)
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.node()}, {platform.machine()}")
    for ligne in lignes:
        print(ligne)
    return 0


async def _ingest(_settings: Settings, args: argparse.Namespace) -> int:
    resultats = await run_ingest(args.dossiers, args.events, args.debit)
    debit = "" if args.debit is None else f" --debit {args.debit:g}"
    return _imprimer(
        f"guichet bench ingest --dossiers {args.dossiers} --events {args.events}{debit}",
        resultats.lignes(),
    )


async def _echeances(_settings: Settings, args: argparse.Namespace) -> int:
    if args.dossiers < 1 or args.cache < 1:
        print(
            f"guichet: --dossiers {args.dossiers} --cache {args.cache}: au moins 1 chacun",
            file=sys.stderr,
        )
        return 2
    resultats = await run_echeances(args.dossiers, args.cache)
    return _imprimer(
        f"guichet bench echeances --dossiers {args.dossiers} --cache {args.cache}",
        resultats.lignes(),
    )


async def _export(_settings: Settings, args: argparse.Namespace) -> int:
    if args.dossiers < 10:
        print(
            f"guichet: --dossiers {args.dossiers}: au moins 10 (la référence en exporte N/10)",
            file=sys.stderr,
        )
        return 2
    formats = FORMATS if args.format == "both" else (args.format,)
    resultats = await run_export(args.dossiers, formats, args.database_url)
    return _imprimer(
        f"guichet bench export --dossiers {args.dossiers} --format {args.format}",
        resultats.lignes(),
    )


def _redaction(_settings: Settings, args: argparse.Namespace) -> int:
    if args.delai < 0:
        print(
            f"guichet: --delai {args.delai:g}: une durée positive ou 0 est attendue",
            file=sys.stderr,
        )
        return 2
    resultats = run_redaction(args.delai)
    return _imprimer(f"guichet bench redaction --delai {args.delai:g}", resultats.lignes())


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    bench = commands.add_parser("bench", help="mesures de performance (une exécution)")
    sub = bench.add_subparsers(dest="bench_command", required=True, metavar="MESURE")
    ingest = sub.add_parser(
        "ingest",
        help="débit et latence de bout en bout des événements partenaires",
        description="Démarre une pile embarquée privée (répertoire temporaire, ports libres), "
        "publie DOSSIERS x EVENTS événements et attend qu'ils soient appliqués et projetés: "
        "une rafale (le débit maximal), puis une boucle ouverte à la moitié de ce débit (ou au "
        "--debit donné, seul); affiche débits, latences p50/p95/p99, événements d'historique "
        "par événement, CPU par processus et deux références sans Kafka (signal-with-start seul, "
        "workflow sans effet).",
    )
    ingest.add_argument("--dossiers", type=int, default=200)
    ingest.add_argument("--events", type=int, default=5, help="événements par dossier")
    ingest.add_argument(
        "--debit", type=float, help="événements/s publiés à débit fixe (boucle ouverte, seule)"
    )
    ingest.set_defaults(run=_ingest)

    echeances = sub.add_parser(
        "echeances",
        help="tempête d'échéances: N dossiers dont le délai expire au même instant",
        description="Enregistre DOSSIERS contrats de professionnalisation commencés le même jour "
        "(serveur de test Temporal à saut de temps, worker, Tansu et SQLite réels), avance "
        "l'horloge du serveur jusqu'à la fin de leur délai de dépôt (minuit, heure de Paris) et "
        "mesure pour chacun le retard de ses effets (prescription publiée sur Kafka, base de "
        "lecture à jour) après l'instant: p50, p99, max, durée d'écoulement et manqués.",
    )
    echeances.add_argument("--dossiers", type=int, default=1000)
    echeances.add_argument(
        "--cache",
        type=int,
        default=Settings.model_fields["worker_cached_workflows"].default,
        help="workflows gardés en mémoire par le worker (GUICHET_WORKER_CACHED_WORKFLOWS); "
        "au-delà, un dossier réveillé est rejoué depuis son historique",
    )
    echeances.set_defaults(run=_echeances)

    export = sub.add_parser(
        "export",
        help="export CSV/Excel des dossiers: débit et mémoire, N contre N/10",
        description="Insère DOSSIERS dossiers synthétiques et, en référence, DOSSIERS/10, dans "
        "une base de lecture migrée (SQLite temporaire sauf --database-url), puis appelle "
        "l'API réelle (GET /dossiers/export, jeton superviseur) et lit la réponse en flux; "
        "affiche lignes exportées, durée, lignes/s, pic d'allocation Python (tracemalloc) et "
        "RSS max, côte à côte avec le rapport N / (N/10).",
    )
    export.add_argument("--dossiers", type=int, default=100_000)
    export.add_argument("--format", choices=[*FORMATS, "both"], default="both")
    export.add_argument(
        "--database-url",
        default=None,
        help="base de lecture existante (les lignes du banc y sont supprimées à la fin)",
    )
    export.set_defaults(run=_export)

    redaction = sub.add_parser(
        "redaction",
        help="masquage des données personnelles dans les journaux: textes de 40 Ko et 1 Mo",
        description="Masque une fois chaque texte (adversaires: longues suites de lettres, de "
        "chiffres, « sans », (valeur: non fermées, chaînes et JSON géants, a@a@a@...; une "
        "ligne de journal réaliste), de 40 Ko et de 1 Mo, avec redact_text; affiche taille, "
        "durée et débit, côte à côte avec la version remplacée (quadratique), sur les textes "
        "de 40 Ko seulement, dans un processus arrêté après --delai secondes.",
    )
    redaction.add_argument(
        "--delai",
        type=float,
        default=20.0,
        help="secondes accordées à la version remplacée par texte (0: ne pas la mesurer)",
    )
    redaction.set_defaults(run=_redaction)
