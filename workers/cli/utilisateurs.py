"""`guichet users add|token|list|disable`: API users, their roles, schemes and tokens."""

import argparse
from datetime import timedelta

from sqlmodel import Session

from workers.runtime.database import engine_for, upgrade
from workers.runtime.settings import Settings
from workers.services.utilisateurs import (
    DISPOSITIFS,
    PARTENAIRES,
    AccesRefuse,
    Role,
    UtilisateurInvalide,
    creer_jeton,
    creer_utilisateur,
    desactiver,
    lister_utilisateurs,
    revoquer_jetons,
)


def _session(settings: Settings) -> Session:
    engine = engine_for(settings.effective_database_url)
    upgrade(engine)
    return Session(engine)


def _add(settings: Settings, args: argparse.Namespace) -> int:
    with _session(settings) as session:
        try:
            utilisateur = creer_utilisateur(
                session=session,
                nom=args.name,
                role=args.role,
                dispositifs=args.dispositif or ["*"],
                partenaire=args.partenaire,
            )
        except UtilisateurInvalide as exc:
            print(f"guichet users add: {exc}")
            return 2
        session.commit()
        print(
            f"utilisateur {utilisateur.nom}: rôle {utilisateur.role}, dispositifs "
            f"{', '.join(utilisateur.dispositifs)}"
            + (f", partenaire {utilisateur.partenaire}" if utilisateur.partenaire else "")
        )
    return 0


def _token(settings: Settings, args: argparse.Namespace) -> int:
    with _session(settings) as session:
        try:
            jeton, ligne = creer_jeton(
                session=session, nom=args.name, duree=timedelta(days=args.jours)
            )
        except (AccesRefuse, UtilisateurInvalide) as exc:
            print(f"guichet users token: {exc}")
            return 1
        session.commit()
        print(f"jeton de {args.name}, valable jusqu'au {ligne.expire_le:%Y-%m-%d %H:%M} UTC")
        print("(affiché une seule fois: seule son empreinte SHA-256 est conservée)")
        print(jeton)
    return 0


def _list(settings: Settings, _args: argparse.Namespace) -> int:
    with _session(settings) as session:
        for u in lister_utilisateurs(session=session):
            etat = "actif" if u.actif else "désactivé"
            partenaire = f" partenaire={u.partenaire}" if u.partenaire else ""
            print(f"{u.nom:<30} {u.role:<12} {','.join(u.dispositifs):<30}{partenaire} {etat}")
    return 0


def _disable(settings: Settings, args: argparse.Namespace) -> int:
    with _session(settings) as session:
        try:
            desactiver(session=session, nom=args.name)
        except AccesRefuse as exc:
            print(f"guichet users disable: {exc}")
            return 1
        revoques = revoquer_jetons(session=session, nom=args.name)
        session.commit()
    print(f"utilisateur {args.name} désactivé, {revoques} jeton(s) révoqué(s)")
    return 0


def _jours(texte: str) -> int:
    try:
        jours = int(texte)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--jours {texte!r}: un nombre entier de jours") from None
    if not 1 <= jours <= 3650:
        raise argparse.ArgumentTypeError(f"--jours {jours}: entre 1 et 3650")
    return jours


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    users = commands.add_parser("users", help="utilisateurs de l'API: rôles, dispositifs, jetons")
    sub = users.add_subparsers(dest="users_command", required=True, metavar="ACTION")
    add = sub.add_parser("add", help="créer un utilisateur (ou changer son rôle, ses dispositifs)")
    add.add_argument("name", metavar="NOM")
    add.add_argument("--role", required=True, choices=[r.value for r in Role])
    add.add_argument(
        "--dispositif",
        action="append",
        metavar="D",
        help=f"répétable; {', '.join(DISPOSITIFS)}, motifs « are-* », « * » (défaut: *)",
    )
    add.add_argument("--partenaire", choices=PARTENAIRES, help="pour le rôle partenaire")
    add.set_defaults(run=_add)
    token = sub.add_parser("token", help="créer un jeton (affiché une seule fois)")
    token.add_argument("name", metavar="NOM")
    token.add_argument("--jours", type=_jours, default=90, help="validité en jours (défaut 90)")
    token.set_defaults(run=_token)
    sub.add_parser("list", help="lister les utilisateurs").set_defaults(run=_list)
    disable = sub.add_parser("disable", help="désactiver un utilisateur et révoquer ses jetons")
    disable.add_argument("name", metavar="NOM")
    disable.set_defaults(run=_disable)
