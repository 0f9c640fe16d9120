"""`guichet rgpd export|rectify|restrict|lift`: the data subject's rights
(workers/services/rgpd.py).

Every command needs `--utilisateur NOM`, an active user with the `admin` role, and is audited.
"""

import argparse
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

from sqlmodel import Session
from temporalio.client import Client

from workers.runtime.database import engine_for, upgrade
from workers.runtime.settings import Settings
from workers.runtime.temporal import client_for
from workers.services import rgpd
from workers.services.documents import StockageDisque
from workers.services.utilisateurs import AccesRefuse


def _session(settings: Settings) -> Session:
    engine = engine_for(settings.effective_database_url)
    upgrade(engine)
    return Session(engine)


def _refus(message: str) -> int:
    print(f"guichet rgpd: {message}", file=sys.stderr)
    return 2


def _compte_rendu(action: str, resultat: rgpd.Resultat) -> int:
    if not resultat.applique:
        print(
            f"{action}: demande {resultat.event_id} envoyée; le dossier l'appliquera dans "
            "l'ordre de ses événements (consultez `guichet dossiers show`)"
        )
        return 0
    if resultat.refus:
        return _refus(f"{action} refusée par le dossier: {resultat.refus}")
    print(f"{action}: appliquée (événement {resultat.event_id}), inscrite au journal d'audit")
    return 0


async def _export(settings: Settings, args: argparse.Namespace) -> int:
    type_, brut = next(
        (t, getattr(args, t.value)) for t in rgpd.TypeIdentifiant if getattr(args, t.value)
    )
    try:
        identifiant = rgpd.Identifiant.lire(type_, brut)
        client = await client_for(settings)
        with _session(settings) as session:
            export = await rgpd.exporter(
                session=session,
                client=client,
                stockage=StockageDisque(settings.effective_documents_dir),
                identifiant=identifiant,
                utilisateur=args.utilisateur,
                sortie=Path(args.output),
            )
    except (AccesRefuse, rgpd.DemandeRgpdInvalide) as exc:
        return _refus(str(exc))
    print(
        f"{export.chemin}: {len(export.dossiers)} dossier(s), {export.documents} document(s)"
        + "".join(f"\n  {cle}" for cle in export.dossiers)
    )
    return 0


async def _demande(
    settings: Settings,
    action: str,
    envoyer: Callable[[Session, Client], Awaitable[rgpd.Resultat]],
) -> int:
    """Send one request to the dossier's workflow and report how it went."""
    try:
        client = await client_for(settings)
        with _session(settings) as session:
            resultat = await envoyer(session, client)
    except (AccesRefuse, rgpd.DemandeRgpdInvalide) as exc:
        return _refus(str(exc))
    return _compte_rendu(action, resultat)


async def _rectify(settings: Settings, args: argparse.Namespace) -> int:
    valeur = rgpd.lire_valeur(args.valeur)
    return await _demande(
        settings,
        "rectification",
        lambda session, client: rgpd.rectifier(
            session=session,
            client=client,
            cle=args.key,
            champ=args.champ,
            valeur=valeur,
            motif=args.motif,
            utilisateur=args.utilisateur,
        ),
    )


async def _restrict(settings: Settings, args: argparse.Namespace) -> int:
    return await _demande(
        settings,
        "limitation du traitement",
        lambda session, client: rgpd.limiter(
            session=session,
            client=client,
            cle=args.key,
            motif=args.motif,
            utilisateur=args.utilisateur,
        ),
    )


async def _lift(settings: Settings, args: argparse.Namespace) -> int:
    return await _demande(
        settings,
        "levée de la limitation",
        lambda session, client: rgpd.lever(
            session=session,
            client=client,
            cle=args.key,
            motif=args.motif,
            utilisateur=args.utilisateur,
        ),
    )


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    group = commands.add_parser(
        "rgpd", help="droits des personnes (accès, rectification, limitation)"
    )
    sub = group.add_subparsers(dest="rgpd_command", required=True, metavar="ACTION")

    def action(nom: str, aide: str, aliases: list[str] | None = None) -> argparse.ArgumentParser:
        parser = sub.add_parser(nom, help=aide, aliases=aliases or [])
        parser.add_argument(
            "--utilisateur", required=True, help="votre nom d'utilisateur (rôle admin requis)"
        )
        return parser

    export = action(
        "export", "droit d'accès: tout ce qui concerne une personne, en une archive zip"
    )
    qui = export.add_mutually_exclusive_group(required=True)
    qui.add_argument("--nir", help="NIR (numéro de sécurité sociale) de la personne")
    qui.add_argument("--ine", help="INE (identifiant national élève) de la personne")
    qui.add_argument("--siret", help="SIRET de l'établissement")
    export.add_argument("-o", "--output", default="rgpd-export.zip", help="archive à écrire")
    export.set_defaults(run=_export)

    rectify = action("rectify", "droit de rectification: corriger un champ, par le dossier")
    rectify.add_argument("key", metavar="CLE", help="id du workflow ou clé métier")
    rectify.add_argument(
        "--champ",
        required=True,
        help="champ à corriger, ex. date_naissance_salarie, nir_salarie, salarie (objet JSON)",
    )
    rectify.add_argument("--valeur", required=True, help="valeur corrigée (JSON ou texte)")
    rectify.add_argument("--motif", required=True, help="motif (la demande de la personne)")
    rectify.set_defaults(run=_rectify)

    restrict = action("restrict", "limitation: geler le traitement du dossier (délais suspendus)")
    restrict.add_argument("key", metavar="CLE", help="id du workflow ou clé métier")
    restrict.add_argument("--motif", required=True)
    restrict.set_defaults(run=_restrict)

    lift = action("lift", "lever la limitation du traitement", aliases=["lever"])
    lift.add_argument("key", metavar="CLE", help="id du workflow ou clé métier")
    lift.add_argument("--motif", required=True)
    lift.set_defaults(run=_lift)
