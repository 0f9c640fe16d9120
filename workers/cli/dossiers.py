"""`guichet dossiers list|show` (the read model and the workflow's own state) and
`guichet db upgrade`."""

import argparse
import json
from datetime import date

from sqlalchemy import Engine
from sqlmodel import Session
from temporalio.client import Client

from models import depot
from models.depot import FiltresDossiers
from workers.runtime.database import engine_for, upgrade
from workers.runtime.errors import ServiceUnreachable
from workers.runtime.settings import Settings
from workers.runtime.temporal import client_for
from workers.services import instruction
from workers.services.instruction import DossierInconnu


def _engine(settings: Settings) -> Engine:
    engine = engine_for(settings.effective_database_url)
    upgrade(engine)
    return engine


def _list(settings: Settings, args: argparse.Namespace) -> int:
    filtres = FiltresDossiers(
        dispositif=args.scheme,
        statut=args.status,
        beneficiaire=args.beneficiaire,
        echeance_avant=args.deadline_before,
        avec_anomalie=True if args.anomalie else None,
    )
    with Session(_engine(settings)) as session:
        rows = depot.lister_dossiers(
            session=session, filtres=filtres, limite=args.limit, apres=args.after
        )
    if args.json:
        print(json.dumps([row.model_dump(mode="json") for row in rows], ensure_ascii=False))
        return 0
    print(f"{'dossier':<40} {'statut':<18} {'échéance':<11} {'accordé':>10} {'versé':>10} anom.")
    for row in rows:
        echeance = row.prochaine_echeance.isoformat() if row.prochaine_echeance else "-"
        print(
            f"{row.cle:<40} {row.statut:<18} {echeance:<11} "
            f"{row.montant_accorde:>10} {row.montant_verse:>10} {row.anomalies:>5}"
        )
    print(f"{len(rows)} dossier(s)")
    return 0


async def _show(settings: Settings, args: argparse.Namespace) -> int:
    """Through the service layer (`workers.services.instruction`), as the API and the console."""
    with Session(_engine(settings)) as session:
        try:
            client: Client | None = await client_for(settings)
        except ServiceUnreachable:
            client = None
        try:
            vue = await instruction.montrer(session, client, args.key, None)
        except DossierInconnu as exc:
            print(exc)
            return 1
        historique = instruction.chronologie(session, vue.dossier.cle, None)
    row = vue.dossier
    if args.json:
        shown = {
            **vue.model_dump(mode="json"),
            "historique": [line.model_dump(mode="json") for line in historique],
        }
        print(json.dumps(shown, ensure_ascii=False, indent=2))
        return 0
    print(f"Dossier {row.cle} ({row.dispositif}), statut {row.statut}")
    print(f"  bénéficiaire        {row.beneficiaire or '-'}")
    print(f"  montant accordé     {row.montant_accorde} EUR")
    print(f"  montant versé       {row.montant_verse} EUR")
    print(f"  à récupérer         {row.montant_a_recuperer} EUR")
    if row.prochaine_echeance:
        print(f"  prochaine échéance  {row.prochaine_echeance} ({row.libelle_echeance})")
    print(f"  anomalies           {row.anomalies}")
    for anomalie in vue.anomalies:
        if isinstance(anomalie, dict):
            print(f"    - {anomalie.get('motif')} (événement {anomalie.get('evenement_id')})")
    if vue.note:
        print(f"  ({vue.note})")
    if vue.decisions_possibles:
        print(f"  décisions possibles {', '.join(vue.decisions_possibles)}")
    for piece in vue.pieces:
        taille = f"{piece.taille} o, sha256 {piece.sha256[:12]}…"
        print(f"  pièce {piece.type_document}: {piece.nom_fichier} ({taille})")
    for ordre in vue.ordres:
        print(f"  ordre {ordre.id}: {ordre.periode} {ordre.montant} EUR, {ordre.statut}")
    print("Historique:")
    for line in historique:
        detail = ", ".join(f"{k}={v}" for k, v in line.detail.items())
        print(f"  {line.horodatage:%Y-%m-%d %H:%M} {line.nature:<11} {line.type} par {line.auteur}")
        if detail:
            print(f"      {detail}")
    return 0


def _upgrade(settings: Settings, _args: argparse.Namespace) -> int:
    _engine(settings).dispose()
    print(f"schéma à jour: {settings.effective_database_url}")
    return 0


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    dossiers = commands.add_parser("dossiers", help="consulter les dossiers (base de lecture)")
    sub = dossiers.add_subparsers(dest="dossiers_command", required=True, metavar="ACTION")
    lister = sub.add_parser("list", help="lister les dossiers, avec filtres")
    lister.add_argument("--scheme", help="dispositif, ex. contrat-pro")
    lister.add_argument("--status", help="statut, ex. attente_demande")
    lister.add_argument("--beneficiaire", help="SIRET ou UAI du bénéficiaire")
    lister.add_argument(
        "--deadline-before", type=date.fromisoformat, help="échéance avant AAAA-MM-JJ"
    )
    lister.add_argument("--anomalie", action="store_true", help="seulement avec anomalie")
    lister.add_argument("--limit", type=int, default=100)
    lister.add_argument("--after", help="pagination: la dernière clé de la page précédente")
    lister.add_argument("--json", action="store_true")
    lister.set_defaults(run=_list)
    show = sub.add_parser("show", help="un dossier: état, montants, échéances, historique")
    show.add_argument("key", metavar="CLE", help="id du workflow ou clé métier")
    show.add_argument("--json", action="store_true")
    show.set_defaults(run=_show)

    db = commands.add_parser("db", help="base de lecture")
    db_sub = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_sub.add_parser("upgrade", help="appliquer les migrations (Alembic)").set_defaults(
        run=_upgrade
    )
