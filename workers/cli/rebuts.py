"""`guichet rebuts list|show|rejouer|ignorer`: the dead-letter store (workers/services/rebuts.py,
docs/rebuts.md), as the API and the console serve it.

Every command needs `--utilisateur NOM`, an active user with the `superviseur` or `admin` role,
and sees only the dead letters of that user's schemes. `show --clair` shows the personal values
and is audited, as are `rejouer` and `ignorer`. Exit codes: 1 refused (role, scheme, unknown
dead letter, Temporal unreachable), 2 invalid input or replay refused by the intake, 3 already
replayed or ignored, or the dossier is closed.
"""

import argparse
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from events.registre import CodeRejet
from rules.calendrier import PARIS
from workers.runtime.database import engine_for, upgrade
from workers.runtime.settings import Settings
from workers.runtime.temporal import client_for
from workers.services import rebuts
from workers.services.instruction import DossierClos, TemporalIndisponible
from workers.services.rebuts import (
    FiltresRebuts,
    RebutDejaTraite,
    RebutInconnu,
    RegistreRebutsSql,
    StatutRebut,
)
from workers.services.utilisateurs import AccesRefuse, Identite, exiger_role
from workers.services.validation import EntreeInvalide

PROG = "guichet rebuts"


def _moment(texte: str) -> datetime:
    """`AAAA-MM-JJ` (midnight in Paris) or an ISO 8601 date and time."""
    try:
        if len(texte) == 10:
            return datetime.combine(date.fromisoformat(texte), time(0), tzinfo=PARIS)
        moment = datetime.fromisoformat(texte)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"date {texte!r}: AAAA-MM-JJ, ou date et heure ISO 8601 (2026-03-02T09:00+01:00)"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=PARIS)


def _fichier(chemin: str) -> bytes:
    try:
        return Path(chemin).read_bytes()
    except OSError as exc:
        raise argparse.ArgumentTypeError(f"{chemin}: {exc.strerror or exc}") from None


def _jusqu_a(texte: str) -> datetime:
    """A day is included whole: `--jusqu-a 2026-03-02` stops before 3 March, midnight."""
    moment = _moment(texte)
    return moment + timedelta(days=1) if len(texte) == 10 else moment


@contextmanager
def _registre(settings: Settings) -> Iterator[tuple[RegistreRebutsSql, Engine]]:
    engine = engine_for(settings.effective_database_url)
    upgrade(engine)
    try:
        yield RegistreRebutsSql.pour(settings, engine), engine
    finally:
        engine.dispose()


def _acteur(engine: Engine, nom: str) -> Identite:
    with Session(engine) as session:
        return Identite.de(exiger_role(session, nom, *rebuts.REVUE))


def _erreur(message: str, code: int) -> int:
    print(f"{PROG}: {message}", file=sys.stderr)
    return code


def _refus_entree(exc: EntreeInvalide) -> int:
    print(f"{PROG}: {exc.detail}", file=sys.stderr)
    for erreur in exc.erreurs:
        valeur = "" if erreur.valeur is None else f" = {erreur.valeur!r}"
        print(f"  {erreur.champ}{valeur}: {erreur.regle}", file=sys.stderr)
    return 2


def _date(moment: datetime | None) -> str:
    return "-" if moment is None else f"{moment.astimezone(PARIS):%Y-%m-%d %H:%M}"


def _list(settings: Settings, args: argparse.Namespace) -> int:
    filtres = FiltresRebuts(
        topic=args.topic,
        type=args.type,
        code=args.code,
        statut=StatutRebut(args.statut) if args.statut else None,
        depuis=args.depuis,
        jusqu_a=args.jusqu_a,
    )
    with _registre(settings) as (registre, engine):
        try:
            page = registre.lister(
                _acteur(engine, args.utilisateur), filtres, limite=args.limite, curseur=args.suite
            )
        except AccesRefuse as exc:
            return _erreur(str(exc), 1)
        except EntreeInvalide as exc:
            return _refus_entree(exc)
    if args.json:
        print(page.model_dump_json())
        return 0
    print(f"{'id':>6} {'reçu le':<16} {'statut':<8} {'code':<16} {'topic':<27} motif")
    for r in page.rebuts:
        print(
            f"{r.id:>6} {_date(r.recu_le):<16} {r.statut.value:<8} {r.code:<16} "
            f"{r.topic:<27} {r.motif[:80]}"
        )
    print(f"{len(page.rebuts)} rebut(s) sur {page.total}")
    if page.suivant:
        print(f"page suivante: --suite {page.suivant}")
    return 0


def _show(settings: Settings, args: argparse.Namespace) -> int:
    with _registre(settings) as (registre, engine):
        try:
            vue = registre.lire(args.id, _acteur(engine, args.utilisateur), en_clair=args.clair)
        except (AccesRefuse, RebutInconnu) as exc:
            return _erreur(str(exc), 1)
    if args.json:
        print(vue.model_dump_json())
        return 0
    r = vue.rebut
    lignes: list[tuple[str, Any]] = [
        ("rebut", r.id),
        ("statut", r.statut.value),
        ("code", r.code),
        ("motif", r.motif),
        ("origine", r.origine),
        ("topic", r.topic),
        ("partition / offset", f"{r.partition} / {r.offset}"),
        ("clé", r.cle or "-"),
        ("type", r.type or "-"),
        ("dispositif", r.dispositif or "-"),
        ("reçu le", _date(r.recu_le)),
        ("taille", f"{r.taille} octets"),
    ]
    if r.traite_par:
        lignes += [
            ("traité par", r.traite_par),
            ("traité le", _date(r.traite_le)),
            ("motif du traitement", r.motif_traitement or "-"),
        ]
    for nom, valeur in lignes:
        print(f"{nom:<20} {valeur}")
    for entete in vue.entetes:
        print(f"en-tête {entete.nom:<12} {entete.valeur}")
    quoi = "en clair (consultation tracée)" if vue.en_clair else "données personnelles masquées"
    print(f"\nenregistrement ({vue.format}, {quoi}):")
    if vue.format == "json":
        print(json.dumps(vue.contenu, ensure_ascii=False, indent=2))
    else:
        print(vue.contenu if vue.contenu is not None else "(absent)")
    return 0


async def _rejouer(settings: Settings, args: argparse.Namespace) -> int:
    corrige: bytes | None = args.corrige
    with _registre(settings) as (registre, engine):
        try:
            acteur = _acteur(engine, args.utilisateur)
            fait = await registre.rejouer(
                args.id,
                acteur,
                corrige,
                client=lambda: client_for(settings),
                task_queue=settings.task_queue,
            )
        except (AccesRefuse, RebutInconnu, TemporalIndisponible) as exc:
            return _erreur(str(exc), 1)
        except EntreeInvalide as exc:
            return _refus_entree(exc)
        except (RebutDejaTraite, DossierClos) as exc:
            return _erreur(str(exc), 3)
    print(
        f"rebut {fait.rebut.id} rejoué{' (corrigé)' if corrige else ''}: événement "
        f"{fait.evenement.id} transmis au dossier {fait.evenement.workflow_id}"
    )
    return 0


def _ignorer(settings: Settings, args: argparse.Namespace) -> int:
    with _registre(settings) as (registre, engine):
        try:
            fait = registre.ignorer(args.id, _acteur(engine, args.utilisateur), args.motif)
        except (AccesRefuse, RebutInconnu) as exc:
            return _erreur(str(exc), 1)
        except EntreeInvalide as exc:
            return _refus_entree(exc)
        except RebutDejaTraite as exc:
            return _erreur(str(exc), 3)
    print(f"rebut {fait.id} ignoré par {fait.traite_par}: {fait.motif_traitement}")
    return 0


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    group = commands.add_parser(
        "rebuts",
        help="événements rejetés: lister, examiner, rejouer (corrigés ou non), ignorer",
        description="Le registre des rebuts (docs/rebuts.md). Rôles superviseur et admin, "
        "dans leurs dispositifs. Codes de sortie: 1 refusé, 2 entrée invalide ou rejeu refusé "
        "par l'intake, 3 déjà traité ou dossier clos.",
    )
    sub = group.add_subparsers(dest="rebuts_command", required=True, metavar="ACTION")

    def action(nom: str, aide: str) -> argparse.ArgumentParser:
        parser = sub.add_parser(nom, help=aide, description=aide)
        parser.add_argument(
            "--utilisateur",
            required=True,
            help="votre nom d'utilisateur (rôle superviseur ou admin)",
        )
        return parser

    lister = action("list", "lister les rebuts, les plus récents d'abord")
    lister.add_argument("--topic", help="topic d'origine, ex. partenaires.opco (ou http)")
    lister.add_argument("--type", help="type d'événement, ex. opco.contrat-pro.enregistre.v1")
    lister.add_argument(
        "--code", choices=[c.value for c in CodeRejet], help="motif de rejet (code)"
    )
    lister.add_argument("--statut", choices=[s.value for s in StatutRebut])
    lister.add_argument("--depuis", type=_moment, help="reçus à partir de: AAAA-MM-JJ ou ISO")
    lister.add_argument(
        "--jusqu-a", type=_jusqu_a, help="reçus jusqu'à: AAAA-MM-JJ (jour inclus) ou ISO"
    )
    lister.add_argument("--limite", type=int, default=50, help="rebuts par page (défaut 50)")
    lister.add_argument("--suite", help="la page suivante (valeur donnée en fin de liste)")
    lister.add_argument("--json", action="store_true", help="sortie JSON")
    lister.set_defaults(run=_list)

    montrer = action("show", "un rebut: motif, coordonnées, enregistrement")
    montrer.add_argument("id", type=int, metavar="ID")
    montrer.add_argument(
        "--clair",
        action="store_true",
        help="afficher les données personnelles en clair (consultation inscrite à l'audit)",
    )
    montrer.add_argument("--json", action="store_true", help="sortie JSON")
    montrer.set_defaults(run=_show)

    rejouer = action("rejouer", "repasser un rebut par l'intake puis le livrer au dossier")
    rejouer.add_argument("id", type=int, metavar="ID")
    rejouer.add_argument(
        "--corrige",
        type=_fichier,
        metavar="FICHIER",
        help="l'événement corrigé: l'enveloppe CloudEvents entière, en JSON (mode structuré)",
    )
    rejouer.set_defaults(run=_rejouer)

    ignorer = action("ignorer", "clore un rebut sans le rejouer")
    ignorer.add_argument("id", type=int, metavar="ID")
    ignorer.add_argument("--motif", required=True, help="pourquoi il n'est pas rejoué")
    ignorer.set_defaults(run=_ignorer)
