"""`guichet rapports beneficiaires --annee A [--format csv|xlsx] [--sortie FICHIER]`: the yearly
list of the contrat-pro beneficiaries for the Conseil régional or the Commission permanente
(seed 003 section 4), the same file as `GET /rapports/beneficiaires` and the console's download
(`workers.services.beneficiaires`). An operator's command: no user, every scheme.

The CSV goes to standard output unless `--sortie` is given; the workbook needs `--sortie`. A
summary (beneficiaries, aids, amounts) goes to standard error, with the dossiers left out for
want of an act date, if any. Exit code 2 for a bad year or an xlsx without file.
"""

import argparse
import sys
from pathlib import Path

from sqlmodel import Session

from workers.runtime.database import engine_for, upgrade
from workers.runtime.settings import Settings
from workers.services import beneficiaires
from workers.services.validation import EntreeInvalide

FORMATS = ("csv", "xlsx")


def _beneficiaires(settings: Settings, args: argparse.Namespace) -> int:
    try:
        annee = beneficiaires.lire_annee(args.annee)
    except EntreeInvalide as exc:
        print(f"guichet: --annee {args.annee}: {exc.erreurs[0].regle}", file=sys.stderr)
        return 2
    if args.format == "xlsx" and args.sortie is None:
        print("guichet: --format xlsx: indiquez le fichier à écrire (--sortie)", file=sys.stderr)
        return 2
    engine = engine_for(settings.effective_database_url)
    try:
        upgrade(engine)
        with Session(engine) as session:
            liste = beneficiaires.liste_beneficiaires(session, None, annee)
    finally:
        engine.dispose()
    if args.format == "xlsx":
        Path(args.sortie).write_bytes(beneficiaires.octets_xlsx(liste))
    elif args.sortie is not None:
        Path(args.sortie).write_text(beneficiaires.texte_csv(liste), encoding="utf-8", newline="")
    else:
        sys.stdout.write(beneficiaires.texte_csv(liste))
        sys.stdout.flush()
    print(
        f"{annee}: {len(liste.lignes)} bénéficiaire(s), {liste.nombre_aides} aide(s), "
        f"{liste.montant_accorde} EUR accordés, {liste.montant_verse} EUR versés"
        + (f" -> {args.sortie}" if args.sortie else ""),
        file=sys.stderr,
    )
    for cle in liste.sans_date_acte:
        print(
            f"guichet: {cle}: montant accordé sans changement de statut vers en_cours ou "
            "attente_signature dans le journal d'audit, écarté de la liste",
            file=sys.stderr,
        )
    return 0


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    rapports = commands.add_parser("rapports", help="rapports pour les instances de la Région")
    sub = rapports.add_subparsers(dest="rapports_command", required=True, metavar="RAPPORT")
    liste = sub.add_parser(
        "beneficiaires",
        help="liste annuelle des bénéficiaires du contrat de professionnalisation (CSV/Excel)",
        description="Une ligne par bénéficiaire (SIREN) dont une aide a été attribuée dans "
        "l'année civile : nombre d'aides, montants accordés et versés, type d'acte ; une ligne "
        "TOTAL à la fin (règlement d'intervention, section 4).",
    )
    liste.add_argument("--annee", required=True, help="année civile de l'attribution (AAAA)")
    liste.add_argument("--format", choices=FORMATS, default="csv", help="csv (défaut) ou xlsx")
    liste.add_argument(
        "--sortie", help="fichier à écrire (sinon le CSV sur la sortie standard)", default=None
    )
    liste.set_defaults(run=_beneficiaires)
