"""The audit log's hash chain and signed daily digest (docs/audit.md), pure: no database.

Each line of a dossier's audit (`models.tables.Audit`, ordered by `rang`) carries

- `empreinte_detail`: SHA-256 of the canonical JSON of its `detail`;
- `empreinte_purge`: SHA-256 of the canonical JSON of the detail as the GDPR purge will leave
  it (`detail_purge`), so a purged line stays verifiable;
- `precedent`: the previous line's `empreinte` (`GENESE` for the first line);
- `empreinte`: SHA-256 of `precedent`, a newline and the canonical JSON of the line's fields
  with the detail replaced by its two hashes (`contenu_ligne`).

A digest (`condensat`) is the SHA-256 of the sorted list of every chain head (dossier, rank,
hash), signed with Ed25519 (`Signataire`) over a canonical message that also names the
previous digest, so digests form a chain of their own.

Canonical JSON: sorted keys, no whitespace, UTF-8, timestamps in UTC ISO 8601 with
microseconds; floats are written as their shortest decimal string (none is expected: amounts
are strings, see `models.dossier`).
"""

import base64
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

GENESE = "0" * 64
"""`precedent` of a chain's first line."""
PURGE = "[purgé]"
"""What the GDPR purge writes in place of a detail field that may hold personal data."""

_CHAMPS_ANONYMES = frozenset(
    {
        "statut",
        "statut_avant",
        "precedent",
        "dispositif",
        "topic",
        "objet",
        "destinataire",
        "nature",
        "periode",
        "acte",
        "eligible",
        "echeance",
        "trimestre",
        "ordre_id",
    }
)


def champ_anonyme(nom: str, valeur: Any) -> bool:
    """Whether an audit detail field is an anonymous figure kept for statistics: a status, a
    scheme, an amount, a date (never a birth date), a code; scalars only. Everything else
    (free text such as `motif` or `message`, identifiers, nested data) may carry personal
    data and is purged."""
    if isinstance(valeur, dict | list):
        return False
    if "naissance" in nom:
        return False
    return (
        nom in _CHAMPS_ANONYMES
        or nom.startswith(("montant", "date_", "nombre_", "nb_"))
        or nom.endswith(("_eur", "_mois", "_jours"))
    )


def detail_purge(detail: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The detail with every non-anonymous field replaced by `[purgé]`, and those fields."""
    garde: dict[str, Any] = {}
    purges: list[str] = []
    for nom, valeur in detail.items():
        if champ_anonyme(nom, valeur) or valeur == PURGE:
            garde[nom] = valeur
        else:
            garde[nom] = PURGE
            purges.append(nom)
    return garde, purges


# --- canonical JSON ---------------------------------------------------------------------------


def utc(quand: datetime) -> datetime:
    """`quand` in UTC; a naive datetime (SQLite hands them back) is taken as UTC."""
    if quand.tzinfo is None:
        return quand.replace(tzinfo=UTC)
    return quand.astimezone(UTC)


def horodatage_canonique(quand: datetime) -> str:
    return utc(quand).isoformat(timespec="microseconds")


def _normaliser(valeur: Any) -> Any:
    if isinstance(valeur, bool) or valeur is None or isinstance(valeur, int | str):
        return valeur
    if isinstance(valeur, float | Decimal):
        return format(Decimal(repr(valeur)) if isinstance(valeur, float) else valeur, "f")
    if isinstance(valeur, datetime):
        return horodatage_canonique(valeur)
    if isinstance(valeur, date):
        return valeur.isoformat()
    if isinstance(valeur, Mapping):
        return {str(k): _normaliser(v) for k, v in valeur.items()}
    if isinstance(valeur, list | tuple):
        return [_normaliser(v) for v in valeur]
    raise TypeError(f"valeur non canonisable dans l'audit: {type(valeur).__name__}")


def json_canonique(valeur: Any) -> str:
    """Sorted keys, no whitespace, non-ASCII kept, no float (see the module's docstring)."""
    return json.dumps(
        _normaliser(valeur), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )


def sha256(texte: str) -> str:
    return hashlib.sha256(texte.encode("utf-8")).hexdigest()


def empreinte_detail(detail: Mapping[str, Any]) -> str:
    return sha256(json_canonique(detail))


def empreinte_purge(detail: Mapping[str, Any]) -> str:
    return empreinte_detail(detail_purge(detail)[0])


# --- the chain --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ContenuLigne:
    """What a line's hash covers (its detail through its two hashes, never the rank: the order
    is held by `precedent`)."""

    dossier: str
    cle_unique: str
    horodatage: datetime
    nature: str
    type: str
    auteur: str
    evenement_source: str | None
    empreinte_detail: str
    empreinte_purge: str

    def canonique(self) -> str:
        return json_canonique(
            {
                "dossier": self.dossier,
                "cle_unique": self.cle_unique,
                "horodatage": horodatage_canonique(self.horodatage),
                "nature": self.nature,
                "type": self.type,
                "auteur": self.auteur,
                "evenement_source": self.evenement_source,
                "empreinte_detail": self.empreinte_detail,
                "empreinte_purge": self.empreinte_purge,
            }
        )


def empreinte_ligne(precedent: str, contenu: ContenuLigne) -> str:
    return sha256(f"{precedent}\n{contenu.canonique()}")


# --- the digest -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tete:
    """A chain's head: its dossier, the last line's rank and hash."""

    dossier: str
    rang: int
    empreinte: str


def racine(tetes: Iterable[Tete]) -> str:
    """SHA-256 of the canonical JSON list of the heads, sorted by dossier."""
    return sha256(
        json_canonique([[t.dossier, t.rang, t.empreinte] for t in sorted(tetes, key=_dossier)])
    )


def _dossier(tete: Tete) -> str:
    return tete.dossier


@dataclass(frozen=True)
class MessageCondensat:
    """What the digest's signature covers."""

    jour: date
    nombre_chaines: int
    racine: str
    precedent: str
    cle_id: str

    def canonique(self) -> str:
        return json_canonique(
            {
                "jour": self.jour.isoformat(),
                "nombre_chaines": self.nombre_chaines,
                "racine": self.racine,
                "precedent": self.precedent,
                "cle_id": self.cle_id,
            }
        )

    def empreinte(self) -> str:
        """The digest's own hash: the next digest's `precedent`."""
        return sha256(self.canonique())


def cle_id(publique: Ed25519PublicKey) -> str:
    """The public key's id: the first 16 hex digits of the SHA-256 of its raw bytes."""
    brut = publique.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(brut).hexdigest()[:16]


class CleSignatureInvalide(ValueError):
    """The audit signing key is not a base64 Ed25519 private key (32 bytes)."""


@dataclass(frozen=True)
class Verificateur:
    """Checks digests against the public key derived from the signing key."""

    publique: Ed25519PublicKey

    @property
    def cle_id(self) -> str:
        return cle_id(self.publique)

    def verifie(self, message: MessageCondensat, signature: str) -> bool:
        try:
            brut = base64.b64decode(signature, validate=True)
            self.publique.verify(brut, message.canonique().encode("utf-8"))
        except (InvalidSignature, ValueError):
            return False
        return True


@dataclass(frozen=True)
class Signataire:
    """The Ed25519 key that signs the daily digests (`GUICHET_AUDIT_SIGNING_KEY`)."""

    privee: Ed25519PrivateKey

    @classmethod
    def depuis_base64(cls, texte: str) -> "Signataire":
        try:
            brut = base64.b64decode(texte.strip(), validate=True)
        except ValueError:
            raise CleSignatureInvalide(
                "la clé de signature de l'audit n'est pas du base64 valide "
                "(générez-en une avec `guichet audit cle`)"
            ) from None
        if len(brut) != 32:
            raise CleSignatureInvalide(
                f"la clé de signature de l'audit fait {len(brut)} octets, Ed25519 en demande 32 "
                "(générez-en une avec `guichet audit cle`)"
            )
        return cls(Ed25519PrivateKey.from_private_bytes(brut))

    @classmethod
    def nouveau(cls) -> "Signataire":
        return cls(Ed25519PrivateKey.generate())

    def en_base64(self) -> str:
        brut = self.privee.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        return base64.b64encode(brut).decode("ascii")

    @property
    def verificateur(self) -> Verificateur:
        return Verificateur(self.privee.public_key())

    @property
    def cle_id(self) -> str:
        return cle_id(self.privee.public_key())

    def signe(self, message: MessageCondensat) -> str:
        return base64.b64encode(self.privee.sign(message.canonique().encode("utf-8"))).decode()


# --- what the verifier finds ------------------------------------------------------------------


@dataclass(frozen=True)
class LigneChainee:
    """A stored line as the verifier reads it."""

    id: int
    rang: int
    contenu: ContenuLigne
    detail: Mapping[str, Any]
    precedent: str
    empreinte: str


@dataclass(frozen=True)
class Anomalie:
    """Something wrong (or, `grave=False`, worth saying) about a chain or a digest."""

    dossier: str | None
    rang: int | None
    cle_unique: str | None
    motif: str
    grave: bool = True

    def texte(self) -> str:
        ou = [f"dossier {self.dossier}"] if self.dossier is not None else []
        if self.rang is not None:
            ou.append(f"ligne {self.rang}")
        if self.cle_unique is not None:
            ou.append(f"({self.cle_unique})")
        prefixe = "" if self.grave else "info: "
        return f"{prefixe}{' '.join(ou) or 'audit'}: {self.motif}"


def verifier_chaine(
    dossier: str, lignes: Sequence[LigneChainee], *, purge_enregistree: bool
) -> list[Anomalie]:
    """Walk one dossier's lines (ordered by rank): each line's content against its hash, its
    `precedent` against the line before, the ranks against gaps. A detail that no longer
    matches its hash is accepted as purged only if it matches the purged form's hash and the
    dossier's purge is recorded (`purge_enregistree`)."""
    anomalies: list[Anomalie] = []
    precedente: LigneChainee | None = None
    for ligne in lignes:

        def signaler(motif: str, *, grave: bool = True, ligne: LigneChainee = ligne) -> None:
            anomalies.append(
                Anomalie(dossier, ligne.rang, ligne.contenu.cle_unique, motif, grave=grave)
            )

        attendu_rang = 1 if precedente is None else precedente.rang + 1
        if ligne.rang > attendu_rang:
            manquants = (
                f"ligne {attendu_rang}"
                if ligne.rang == attendu_rang + 1
                else f"lignes {attendu_rang} à {ligne.rang - 1}"
            )
            signaler(f"{manquants} absente(s) de la chaîne: supprimée(s)")
        attendu = GENESE if precedente is None else precedente.empreinte
        if ligne.precedent != attendu:
            signaler(
                "chaînage rompu: l'empreinte précédente enregistrée ne correspond pas à la ligne "
                "qui précède (ligne supprimée, insérée ou déplacée)"
            )
        if empreinte_ligne(ligne.precedent, ligne.contenu) != ligne.empreinte:
            signaler("ligne modifiée: son contenu ne correspond plus à son empreinte")
        actuelle = empreinte_detail(ligne.detail)
        if actuelle != ligne.contenu.empreinte_detail:
            if actuelle != ligne.contenu.empreinte_purge:
                signaler("détail modifié: il ne correspond ni à son empreinte ni à sa forme purgée")
            elif purge_enregistree:
                signaler("détail purgé (fin de conservation enregistrée)", grave=False)
            else:
                signaler(
                    "détail purgé sans purge enregistrée du dossier (ni purge_le ni ligne de "
                    "purge): falsification"
                )
        precedente = ligne
    return anomalies
