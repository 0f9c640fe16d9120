"""`guichet dossiers list|show` (the read model and the workflow's own state) and
`guichet db upgrade`."""

import argparse
import json
from datetime import date
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session
from temporalio.service import RPCError

from models import depot
from models.depot import FiltresDossiers
from models.tables import Dossier
from workers.database import engine_for, upgrade
from workers.errors import ServiceUnreachable
from workers.settings import Settings
from workers.temporal import connect


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


def _find(session: Session, key: str) -> Dossier | None:
    """By workflow id, else by business key (the first scheme in key order if several)."""
    row = depot.lire_dossier(session=session, cle=key)
    if row is None:
        matches = depot.lister_dossiers(
            session=session, filtres=FiltresDossiers(reference=key), limite=1
        )
        row = matches[0] if matches else None
    return row


async def _workflow_state(settings: Settings, workflow_id: str) -> dict[str, Any] | str:
    try:
        client = await connect(settings.temporal_address, settings.temporal_namespace)
        handle = client.get_workflow_handle(workflow_id)
        state = await handle.query("etat")
    except (ServiceUnreachable, RPCError) as exc:
        return f"état du workflow indisponible: {exc}"
    return state if isinstance(state, dict) else {"etat": state}


async def _show(settings: Settings, args: argparse.Namespace) -> int:
    with Session(_engine(settings)) as session:
        row = _find(session, args.key)
        if row is None:
            print(f"dossier inconnu: {args.key!r} (ni id de workflow, ni clé métier)")
            return 1
        audit = depot.lire_audit(session=session, dossier=row.cle)
        ordres = depot.lire_ordres(session=session, dossier=row.cle)
    state = await _workflow_state(settings, row.cle)
    shown = {
        "dossier": row.model_dump(mode="json"),
        "etat_workflow": state,
        "ordres_paiement": [o.model_dump(mode="json") for o in ordres],
        "historique": [line.model_dump(mode="json", exclude={"id"}) for line in audit],
    }
    if args.json:
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
    if isinstance(state, dict):
        for anomalie in state.get("anomalies", []):
            print(f"    - {anomalie.get('motif')} (événement {anomalie.get('evenement_id')})")
    else:
        print(f"  ({state})")
    for ordre in ordres:
        print(f"  ordre {ordre.id}: {ordre.periode} {ordre.montant} EUR, {ordre.statut}")
    print("Historique:")
    for line in audit:
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
