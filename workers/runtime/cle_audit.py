"""The key that signs the audit log's daily digest (`GUICHET_AUDIT_SIGNING_KEY`, docs/audit.md).

An Ed25519 private key, 32 bytes in base64 (`guichet audit cle` makes one). In development an
empty setting means a key generated once in `data_dir/audit-signing-key` (mode 0600), like the
payload key (`workers.runtime.codec.cle_de_developpement`); in production
(`GUICHET_ENVIRONNEMENT=production`) it is an error at start (`CleInvalide`).
"""

import contextlib
import os
import secrets
from pathlib import Path

from models.chaine_audit import CleSignatureInvalide, Signataire
from workers.runtime.codec import CleInvalide
from workers.runtime.settings import Environnement, Settings

SETTING = "GUICHET_AUDIT_SIGNING_KEY"
DEV_KEY_FILE = "audit-signing-key"


def signataire_pour(settings: Settings) -> Signataire:
    """The digest's signing key from the settings, or the development key (see the module)."""
    texte = settings.audit_signing_key.get_secret_value()
    if not texte.strip():
        if settings.environnement is Environnement.PRODUCTION:
            raise CleInvalide(
                f"{SETTING} est obligatoire en production (GUICHET_ENVIRONNEMENT=production): "
                "aucune clé n'est générée; créez-en une avec `guichet audit cle`"
            )
        texte = cle_de_developpement(settings.data_dir)
    try:
        return Signataire.depuis_base64(texte)
    except CleSignatureInvalide as exc:
        raise CleInvalide(f"{SETTING}: {exc}") from None


def cle_de_developpement(data_dir: Path) -> str:
    """The base64 key read from `data_dir/audit-signing-key`, created (mode 0600) if missing;
    processes starting together get the same one (written aside, then linked into place)."""
    chemin = data_dir / DEV_KEY_FILE
    if not chemin.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        provisoire = data_dir / f".{DEV_KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(provisoire, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="ascii") as fichier:
                fichier.write(Signataire.nouveau().en_base64() + "\n")
            with contextlib.suppress(FileExistsError):  # another process won: use its key
                os.link(provisoire, chemin)
        finally:
            provisoire.unlink(missing_ok=True)
    return chemin.read_text(encoding="ascii").strip()
