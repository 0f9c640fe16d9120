"""`guichet decide KEY TYPE --motif ... --auteur NAME`: a decision through the service layer
(`workers.services.instruction.decider`), as the API takes it. The author must be an active user
with the `instructeur` or `admin` role (`guichet users add`) and the dossier's scheme in scope."""

import argparse
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlmodel import Session

from workers.runtime.database import engine_for, upgrade
from workers.runtime.settings import Settings
from workers.runtime.temporal import client_for
from workers.services import instruction
from workers.services.instruction import (
    DecisionImpossible,
    DecisionRefusee,
    DossierInconnu,
    TemporalIndisponible,
)
from workers.services.utilisateurs import AccesRefuse, Identite, exiger_role
from workers.services.validation import EntreeInvalide


def _montant(texte: str) -> Decimal:
    try:
        return Decimal(texte)
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"montant {texte!r}: ex. 1234.56") from None


def _date(texte: str) -> date:
    try:
        return date.fromisoformat(texte)
    except ValueError:
        raise argparse.ArgumentTypeError(f"date {texte!r}: au format AAAA-MM-JJ") from None


def demande_de(args: argparse.Namespace) -> dict[str, Any]:
    demande: dict[str, Any] = {"type": args.type}
    champs = (
        "motif",
        "date_limite_reponse",
        "montant_a_recuperer",
        "montant",
        "cadre",
        "date_limite",
    )
    for champ in champs:
        valeur = getattr(args, champ, None)
        if valeur is not None:
            demande[champ] = valeur.isoformat() if isinstance(valeur, date) else str(valeur)
    return demande


async def _decide(settings: Settings, args: argparse.Namespace) -> int:
    engine = engine_for(settings.effective_database_url)
    upgrade(engine)
    try:
        with Session(engine) as session:
            try:
                auteur = Identite.de(exiger_role(session, args.auteur, *instruction.DECISION))
                client = await client_for(settings)
                resultat = await instruction.decider(
                    session, client, args.key, demande_de(args), auteur
                )
            except (AccesRefuse, DossierInconnu, DecisionImpossible, TemporalIndisponible) as exc:
                print(f"guichet decide: {exc}")
                return 1
            except EntreeInvalide as exc:
                print(f"guichet decide: {exc.detail}")
                for erreur in exc.erreurs:
                    print(f"  {erreur.champ} = {erreur.valeur!r}: {erreur.regle}")
                return 2
            except DecisionRefusee as exc:
                print(f"guichet decide: décision refusée: {exc.motif} (rien n'a changé)")
                return 3
    finally:
        engine.dispose()
    print(
        f"décision {resultat.type} par {resultat.auteur} appliquée au dossier "
        f"{resultat.dossier}: statut {resultat.statut}"
    )
    return 0


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    decide = commands.add_parser(
        "decide",
        help="prendre une décision sur un dossier (même service que l'API)",
        description="Types: contrat-pro: accepter, rejeter, demander_pieces, signaler_fraude, "
        "clore_sans_suite, constater_prescription, relever_delai, valider_paiement, reduire, "
        "recouvrer, renoncer_recouvrement; autres dispositifs: voir docs/api.md. Code de "
        "sortie 3: refusée par le workflow.",
    )
    decide.add_argument("key", metavar="CLE", help="id du workflow ou clé métier")
    decide.add_argument("type", metavar="TYPE", help="ex. accepter, rejeter, demander-pieces")
    decide.add_argument("--auteur", required=True, help="utilisateur (rôle instructeur ou admin)")
    decide.add_argument("--motif")
    decide.add_argument("--date-limite-reponse", type=_date, help="demander-pieces: AAAA-MM-JJ")
    decide.add_argument("--montant-a-recuperer", type=_montant, help="signaler-fraude: EUR")
    decide.add_argument(
        "--montant", type=_montant, help="reduire: EUR versés; recouvrer: EUR du titre"
    )
    decide.add_argument(
        "--cadre", choices=("de_minimis", "sa_111722"), help="accepter: cadre de l'aide"
    )
    decide.add_argument("--date-limite", type=_date, help="ARE bilan, proroger: AAAA-MM-JJ")
    decide.set_defaults(run=_decide)
