"""Encryption of Temporal payloads (AES-256-GCM), so a workflow history holds no personal data
in clear text (issue 11; seed 003, section 5 on the GDPR).

Every payload the client or the worker sends to Temporal (workflow inputs, signals, updates,
queries, results, activity inputs and outputs, failure details) goes through `CodecChiffrement`:
the serialized payload is encrypted with the current key under a random 12-byte nonce and
replaced by a payload `encoding: binary/encrypted` whose metadata names the key
(`encryption-key-id`). Decoding picks the key by that id, so keys can be rotated: the first key
of the ring encrypts, every key of the ring decrypts. A payload that is not encrypted is refused
on decode (`ChargeUtileEnClair`: whoever can write to Temporal could otherwise inject one), unless
`GUICHET_PAYLOAD_PLAINTEXT_ALLOWED=true` is set for the time of a migration of histories written
before the codec. In production (`GUICHET_ENVIRONNEMENT=production`) the key ring is required:
no key is generated (fail closed).

The same ring encrypts other data at rest (the dead letters' records, `workers.services.rebuts`)
through `chiffrer` / `dechiffrer`, on bytes: see their format below.

Keys come from `GUICHET_PAYLOAD_KEYS` (`id:base64-of-32-bytes,id2:...`). When it is empty (the
embedded dev stack), a key is generated once in the data directory (file mode 0600) and reused.
"""

import base64
import binascii
import contextlib
import copy
import os
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Self

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.converter import PayloadCodec, SerializationContext, WithSerializationContext

from workers.runtime.settings import Environnement, Settings

ENCODING = b"binary/encrypted"
METADATA_ENCODING = "encoding"
METADATA_KEY_ID = "encryption-key-id"
METADATA_WORKFLOW = "guichet-workflow-id"
"""The id of the workflow a payload belongs to, in clear (an id, never personal data): the codec
server decrypts only for staff whose schemes cover it."""
NONCE_BYTES = 12
KEY_BYTES = 32
SETTING = "GUICHET_PAYLOAD_KEYS"
DEV_KEY_FILE = "payload-key"
"""The dev stack's generated key, in `data_dir`: one line `id:base64`, mode 0600."""

_KEY_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


class CleInvalide(ValueError):
    """The key ring in the settings cannot be read. The message names the key id and the rule,
    never the key itself."""


class CleInconnue(ValueError):
    """A payload was encrypted with a key the ring does not hold."""


class ChargeUtileIllisible(ValueError):
    """An encrypted payload does not decrypt: altered, truncated, or a different key under the
    same id."""


@dataclass(frozen=True)
class Trousseau:
    """The key ring: `courante` encrypts; every key of `cles` decrypts."""

    courante: str
    cles: Mapping[str, bytes]

    def __post_init__(self) -> None:
        if self.courante not in self.cles:
            raise CleInvalide(f"la clé courante {self.courante!r} n'est pas dans le trousseau")

    def __repr__(self) -> str:  # never print the keys
        return f"Trousseau(courante={self.courante!r}, ids={sorted(self.cles)!r})"


def nouvelle_cle() -> str:
    """A fresh key, base64 of 32 random bytes (for `guichet keys generate`)."""
    return base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode("ascii")


def lire_trousseau(texte: str) -> Trousseau:
    """Parse `id:base64-32-bytes,id2:...` (spaces and empty entries ignored); the first encrypts."""
    cles: dict[str, bytes] = {}
    ordre: list[str] = []
    for rang, entree in enumerate((e.strip() for e in texte.split(",")), start=1):
        if not entree:
            continue
        key_id, separateur, valeur = entree.partition(":")
        key_id = key_id.strip()
        if not separateur:
            raise CleInvalide(
                f"{SETTING}, entrée n°{rang}: attendu 'id:clé-en-base64' (deux-points manquant)"
            )
        if not _KEY_ID.fullmatch(key_id):
            raise CleInvalide(
                f"{SETTING}, entrée n°{rang}: l'identifiant de clé {key_id!r} doit compter 1 à "
                "64 caractères parmi lettres, chiffres, '.', '_' et '-'"
            )
        if key_id in cles:
            raise CleInvalide(f"{SETTING}: l'identifiant de clé {key_id!r} figure deux fois")
        cles[key_id] = _decoder_cle(key_id, valeur.strip())
        ordre.append(key_id)
    if not ordre:
        raise CleInvalide(f"{SETTING} ne contient aucune clé")
    return Trousseau(courante=ordre[0], cles=cles)


def _decoder_cle(key_id: str, valeur: str) -> bytes:
    try:
        cle = base64.b64decode(valeur, validate=True)
    except (binascii.Error, ValueError):
        try:
            cle = base64.urlsafe_b64decode(valeur)
        except (binascii.Error, ValueError):
            raise CleInvalide(
                f"{SETTING}: la clé {key_id!r} n'est pas du base64 valide "
                "(générez-en une avec `guichet keys generate`)"
            ) from None
    if len(cle) != KEY_BYTES:
        raise CleInvalide(
            f"{SETTING}: la clé {key_id!r} fait {len(cle)} octets, AES-256 en demande "
            f"{KEY_BYTES} (générez-en une avec `guichet keys generate`)"
        )
    return cle


def trousseau_pour(settings: Settings) -> Trousseau:
    """The ring of the settings, or, in development only, the dev stack's key (generated once
    in `data_dir`). In production a missing ring is an error (fail closed)."""
    texte = settings.payload_keys.get_secret_value()
    if texte.strip():
        return lire_trousseau(texte)
    if settings.environnement is Environnement.PRODUCTION:
        raise CleInvalide(
            f"{SETTING} est obligatoire en production (GUICHET_ENVIRONNEMENT=production): "
            "aucune clé n'est générée; créez-en une avec `guichet keys generate`"
        )
    return lire_trousseau(cle_de_developpement(settings.data_dir))


def cle_de_developpement(data_dir: Path) -> str:
    """`id:base64` read from `data_dir/payload-key`, created (mode 0600) if missing.

    Processes starting together (worker, consumer, a CLI command) get the same key: the file is
    written whole under a temporary name, then linked into place, which fails if another process
    got there first; the loser reads the winner's key."""
    chemin = data_dir / DEV_KEY_FILE
    if not chemin.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        provisoire = data_dir / f".{DEV_KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
        contenu = f"dev-{secrets.token_hex(4)}:{nouvelle_cle()}\n"
        fd = os.open(provisoire, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="ascii") as fichier:
                fichier.write(contenu)
            with contextlib.suppress(FileExistsError):  # another process won: use its key
                os.link(provisoire, chemin)
        finally:
            provisoire.unlink(missing_ok=True)
    return chemin.read_text(encoding="ascii").strip()


class ChargeUtileEnClair(ValueError):
    """A payload that is not encrypted, refused on decode (anyone who can write to Temporal
    could inject one) unless `GUICHET_PAYLOAD_PLAINTEXT_ALLOWED` is set for a migration."""


class CodecChiffrement(PayloadCodec, WithSerializationContext):
    """AES-256-GCM payload codec with a key ring (see the module's docstring).

    `clair_admis`: decode a payload that is not encrypted as it is (a migration of histories
    written before the codec); otherwise it is refused (`ChargeUtileEnClair`)."""

    def __init__(self, trousseau: Trousseau, *, clair_admis: bool = False) -> None:
        super().__init__()
        self._clair_admis = clair_admis
        self._courante = trousseau.courante
        self._aead = {key_id: AESGCM(cle) for key_id, cle in trousseau.cles.items()}
        self._workflow_id: str | None = None

    def with_context(self, context: SerializationContext) -> Self:
        """A copy that marks the payloads it encodes with their workflow's id (the SDK calls
        it for each workflow, activity, signal, query or update)."""
        workflow_id = getattr(context, "workflow_id", None)
        copie = copy.copy(self)
        copie._workflow_id = workflow_id if isinstance(workflow_id, str) else None
        return copie

    @property
    def cle_courante(self) -> str:
        return self._courante

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self.chiffrer(p) for p in payloads]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self.dechiffrer(p) for p in payloads]

    def chiffrer(self, payload: Payload) -> Payload:
        nonce = os.urandom(NONCE_BYTES)
        chiffre = self._aead[self._courante].encrypt(nonce, payload.SerializeToString(), None)
        metadata = {
            METADATA_ENCODING: ENCODING,
            METADATA_KEY_ID: self._courante.encode("ascii"),
        }
        if self._workflow_id is not None:
            metadata[METADATA_WORKFLOW] = self._workflow_id.encode()
        return Payload(metadata=metadata, data=nonce + chiffre)

    def dechiffrer(self, payload: Payload) -> Payload:
        if payload.metadata.get(METADATA_ENCODING) != ENCODING:
            if self._clair_admis:
                return payload  # written before the codec: in clear, passed through
            raise ChargeUtileEnClair(
                "charge utile non chiffrée refusée: toute charge écrite par guichet est "
                "chiffrée; pour relire un historique antérieur au chiffrement, le temps d'une "
                "migration: GUICHET_PAYLOAD_PLAINTEXT_ALLOWED=true"
            )
        key_id = payload.metadata.get(METADATA_KEY_ID, b"").decode("ascii", "replace")
        aead = self._aead.get(key_id)
        if aead is None:
            connues = ", ".join(sorted(self._aead))
            raise CleInconnue(
                f"charge utile chiffrée avec la clé {key_id!r}, absente de {SETTING} "
                f"(clés configurées: {connues}): ajoutez cette clé au trousseau"
            )
        try:
            clair = aead.decrypt(payload.data[:NONCE_BYTES], payload.data[NONCE_BYTES:], None)
        except InvalidTag:
            raise ChargeUtileIllisible(
                f"charge utile chiffrée avec la clé {key_id!r} illisible: altérée, tronquée, ou "
                "chiffrée avec une autre clé portant le même identifiant"
            ) from None
        return Payload.FromString(clair)


def codec_pour(settings: Settings) -> CodecChiffrement:
    return CodecChiffrement(
        trousseau_pour(settings), clair_admis=settings.payload_plaintext_allowed
    )


# --- bytes at rest -----------------------------------------------------------------------------
#
# `chiffrer(trousseau, clair)` gives, byte by byte:
#
#     1 byte      n, the length of the key id (1 to 64)
#     n bytes     the key id, ASCII (the ring's current key)
#     12 bytes    the nonce, random
#     the rest    the AES-256-GCM ciphertext followed by its 16-byte tag
#
# `associe` (optional) is authenticated, not stored: the same bytes must be given to decrypt
# (the dead-letter store gives the row's `origine`, so a payload copied onto another row does
# not decrypt). `dechiffrer` picks the key by the stored id: rotating keys keeps old data
# readable as long as the old key stays in the ring.

TAG_BYTES = 16


def chiffrer(trousseau: Trousseau, clair: bytes, associe: bytes = b"") -> bytes:
    """`clair` encrypted with the ring's current key (format above)."""
    key_id = trousseau.courante.encode("ascii")
    nonce = os.urandom(NONCE_BYTES)
    chiffre = AESGCM(trousseau.cles[trousseau.courante]).encrypt(nonce, clair, associe or None)
    return bytes([len(key_id)]) + key_id + nonce + chiffre


def dechiffrer(trousseau: Trousseau, donnees: bytes, associe: bytes = b"") -> bytes:
    """The clear bytes of `chiffrer`'s output; `CleInconnue` when the ring lacks its key,
    `ChargeUtileIllisible` when it is altered, truncated or bound to other `associe` bytes."""
    if not donnees or len(donnees) < 1 + donnees[0] + NONCE_BYTES + TAG_BYTES:
        raise ChargeUtileIllisible("donnée chiffrée illisible: tronquée ou vide")
    longueur = donnees[0]
    key_id = donnees[1 : 1 + longueur].decode("ascii", "replace")
    cle = trousseau.cles.get(key_id)
    if cle is None:
        connues = ", ".join(sorted(trousseau.cles))
        raise CleInconnue(
            f"donnée chiffrée avec la clé {key_id!r}, absente de {SETTING} "
            f"(clés configurées: {connues}): ajoutez cette clé au trousseau"
        )
    debut = 1 + longueur
    nonce, chiffre = donnees[debut : debut + NONCE_BYTES], donnees[debut + NONCE_BYTES :]
    try:
        return AESGCM(cle).decrypt(nonce, chiffre, associe or None)
    except InvalidTag:
        raise ChargeUtileIllisible(
            f"donnée chiffrée avec la clé {key_id!r} illisible: altérée, tronquée, rattachée à "
            "une autre ligne, ou chiffrée avec une autre clé portant le même identifiant"
        ) from None
