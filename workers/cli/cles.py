"""`guichet keys generate|check`: the payload encryption keys (docs/chiffrement.md)."""

import argparse
import sys
from datetime import UTC, datetime

from workers.runtime.codec import SETTING, CleInvalide, lire_trousseau, nouvelle_cle, trousseau_pour
from workers.runtime.settings import Settings


def _generate(_settings: Settings, args: argparse.Namespace) -> int:
    key_id = args.id or f"k{datetime.now(UTC):%Y%m%d}"
    entree = f"{key_id}:{nouvelle_cle()}"
    try:
        lire_trousseau(entree)
    except CleInvalide as exc:
        print(f"guichet: {exc}", file=sys.stderr)
        return 2
    print(entree)
    print(
        f"Placez cette entrée EN TÊTE de {SETTING} (elle chiffrera), gardez les anciennes "
        "derrière tant que des historiques chiffrés avec elles existent. Ne la versionnez pas.",
        file=sys.stderr,
    )
    return 0


def _check(settings: Settings, _args: argparse.Namespace) -> int:
    try:
        trousseau = trousseau_pour(settings)
    except CleInvalide as exc:
        print(f"guichet: {exc}", file=sys.stderr)
        return 1
    origine = (
        SETTING
        if settings.payload_keys.get_secret_value().strip()
        else f"clé de développement générée dans {settings.data_dir.resolve()}"
    )
    autres = sorted(set(trousseau.cles) - {trousseau.courante})
    print(f"origine             {origine}")
    print(f"clé de chiffrement  {trousseau.courante}")
    print(f"autres clés (lecture) {', '.join(autres) or '-'}")
    return 0


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    keys = commands.add_parser(
        "keys",
        help="clés de chiffrement des charges utiles Temporal",
        description="Les charges utiles Temporal (entrées, signaux, résultats...) sont chiffrées "
        f"en AES-256-GCM avec les clés de {SETTING} ('id:base64,id2:base64'; la première "
        "chiffre, toutes déchiffrent). Voir docs/chiffrement.md.",
    )
    sub = keys.add_subparsers(dest="keys_command", required=True, metavar="ACTION")
    generate = sub.add_parser(
        "generate",
        help="affiche une nouvelle clé 'id:base64' (32 octets aléatoires)",
        description="Affiche sur la sortie standard une nouvelle entrée 'id:clé' à placer en "
        f"tête de {SETTING}. Rien n'est écrit sur disque.",
    )
    generate.add_argument(
        "--id", help="identifiant de la clé (défaut: k<AAAAMMJJ>, la date du jour UTC)"
    )
    generate.set_defaults(run=_generate)
    check = sub.add_parser(
        "check",
        help="vérifie le trousseau configuré et affiche les identifiants (jamais les clés)",
    )
    check.set_defaults(run=_check)
