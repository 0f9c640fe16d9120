"""`guichet audit verifier|condenser|cle`: the tamper-evident audit log (docs/audit.md).

`verifier` walks every dossier's hash chain (or one, `--dossier`) and every signed daily
digest, and names each line edited, deleted, inserted or moved and each digest that does not
match; exit code 1 when anything is wrong, 0 otherwise. `condenser` signs the digest of a day
now (the retention schedule does it every day). `cle` prints a new signing key.
"""

import argparse
import base64
import sys
from datetime import UTC, date, datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlmodel import Session

from models import depot_audit
from models.chaine_audit import Signataire, Verificateur
from rules.calendrier import PARIS
from workers.runtime.cle_audit import SETTING, signataire_pour
from workers.runtime.database import engine_for, upgrade
from workers.runtime.settings import Settings


def _cle_publique(texte: str) -> Verificateur:
    try:
        brut = base64.b64decode(texte.strip(), validate=True)
        return Verificateur(Ed25519PublicKey.from_public_bytes(brut))
    except ValueError:
        raise argparse.ArgumentTypeError(
            "clé publique: 32 octets en base64 attendus (celle qu'affiche `guichet audit cle`)"
        ) from None


def _jour(texte: str) -> date:
    try:
        return date.fromisoformat(texte)
    except ValueError:
        raise argparse.ArgumentTypeError(f"jour {texte!r}: AAAA-MM-JJ attendu") from None


def _verifier(settings: Settings, args: argparse.Namespace) -> int:
    verificateur: Verificateur = args.cle_publique or signataire_pour(settings).verificateur
    engine = engine_for(settings.effective_database_url)
    try:
        upgrade(engine)
        with Session(engine) as session:
            rapport = depot_audit.verifier(
                session=session, verificateur=verificateur, dossier=args.dossier
            )
    finally:
        engine.dispose()
    for anomalie in rapport.anomalies:
        print(anomalie.texte(), file=sys.stdout if not anomalie.grave else sys.stderr)
    graves = sum(1 for a in rapport.anomalies if a.grave)
    portee = f"dossier {args.dossier}" if args.dossier else "journal d'audit"
    bilan = (
        f"{portee}: {rapport.chaines} chaîne(s), {rapport.lignes} ligne(s), "
        f"{rapport.condensats} condensat(s) vérifiés (clé {verificateur.cle_id})"
    )
    if args.dossier and rapport.lignes == 0:
        print(f"{bilan}: aucune ligne d'audit pour ce dossier", file=sys.stderr)
        return 1
    if graves:
        print(f"{bilan}: {graves} anomalie(s), le journal a été altéré", file=sys.stderr)
        return 1
    print(f"{bilan}: intact")
    return 0


def _condenser(settings: Settings, args: argparse.Namespace) -> int:
    signataire = signataire_pour(settings)
    jour: date = args.jour or datetime.now(PARIS).date()
    engine = engine_for(settings.effective_database_url)
    try:
        upgrade(engine)
        with Session(engine, expire_on_commit=False) as session:
            condensat = depot_audit.condenser(
                session=session, jour=jour, signataire=signataire, quand=datetime.now(UTC)
            )
            session.commit()
    finally:
        engine.dispose()
    print(
        f"condensat du {condensat.jour.isoformat()}: {condensat.nombre_chaines} chaîne(s), "
        f"racine {condensat.racine}, clé {condensat.cle_id}"
    )
    return 0


def _cle(_settings: Settings, _args: argparse.Namespace) -> int:
    signataire = Signataire.nouveau()
    publique = base64.b64encode(signataire.verificateur.publique.public_bytes_raw()).decode("ascii")
    print(signataire.en_base64())
    print(
        f"Placez cette clé privée dans {SETTING} (ne la versionnez pas). Clé publique, pour "
        f"vérifier sans elle (`guichet audit verifier --cle-publique`): {publique} "
        f"(id {signataire.cle_id})",
        file=sys.stderr,
    )
    return 0


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    audit = commands.add_parser(
        "audit",
        help="journal d'audit infalsifiable: vérification, condensat signé, clé",
        description="Chaque ligne du journal d'audit porte l'empreinte SHA-256 de la ligne "
        "précédente de son dossier; un condensat quotidien des têtes de chaîne est signé "
        f"(Ed25519, {SETTING}). Voir docs/audit.md.",
    )
    sub = audit.add_subparsers(dest="audit_command", required=True, metavar="ACTION")
    verifier = sub.add_parser(
        "verifier",
        help="vérifie les chaînes et les condensats; code de sortie 1 si le journal est altéré",
        description="Signale toute ligne modifiée, supprimée, insérée ou déplacée et tout "
        "condensat qui ne correspond pas (liste, chaînage, signature, têtes disparues).",
    )
    verifier.add_argument("--dossier", metavar="CLE", help="un seul dossier (clé du workflow)")
    verifier.add_argument(
        "--cle-publique",
        type=_cle_publique,
        metavar="BASE64",
        help=f"vérifie les signatures avec cette clé publique plutôt qu'avec {SETTING}",
    )
    verifier.set_defaults(run=_verifier)
    condenser = sub.add_parser(
        "condenser",
        help="signe maintenant le condensat d'un jour (la planification quotidienne le fait)",
    )
    condenser.add_argument(
        "--jour", type=_jour, help="AAAA-MM-JJ (défaut: aujourd'hui, Europe/Paris)"
    )
    condenser.set_defaults(run=_condenser)
    cle = sub.add_parser(
        "cle",
        help="affiche une nouvelle clé de signature Ed25519 (base64)",
        description=f"Affiche sur la sortie standard une clé privée à placer dans {SETTING}, "
        "et sur la sortie d'erreur sa clé publique. Rien n'est écrit sur disque.",
    )
    cle.set_defaults(run=_cle)
