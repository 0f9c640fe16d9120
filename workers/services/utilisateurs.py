"""Users, roles and bearer tokens, shared by the HTTP API, the console and the CLI.

A user has one role and a set of schemes (`dispositifs`: workflow types or `fnmatch` patterns
such as `are-*`; `*` means every scheme). A `partenaire` user also names its partner (`opco`,
`asp`, `portail`, `etablissements`) and may only send that partner's event types.

Tokens are random (`secrets.token_urlsafe(32)`, 256 bits); only their SHA-256 is stored (a
slow hash adds nothing for a random secret of that size), with an expiry. A token is shown
once, when it is created.
"""

import hashlib
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from fnmatch import fnmatchcase

from sqlmodel import Session, col, select

from models.tables import Jeton, Utilisateur

__all__ = [
    "DISPOSITIFS",
    "PARTENAIRES",
    "AccesRefuse",
    "Identite",
    "Role",
    "Utilisateur",
    "authentifier",
    "creer_jeton",
    "creer_utilisateur",
    "exiger_role",
    "peut_voir",
]

DISPOSITIFS = (
    "contrat-pro",
    "cae-dom",
    "are-campagne",
    "are-complement",
    "are-bilan",
    "exapro-import",
)
"""The workflow types a user can be scoped to (patterns: `are-*`, `*`)."""
PARTENAIRES = ("opco", "asp", "portail", "etablissements")
"""Partners; their event types start with `<partner>.`."""
DUREE_JETON = timedelta(days=90)
NOM = re.compile(r"^[A-Za-z0-9._@-]{1,100}$")


class Role(StrEnum):
    INSTRUCTEUR = "instructeur"
    """Reads the dossiers of its schemes, decides, uploads documents, exports."""
    SUPERVISEUR = "superviseur"
    """Reads and exports the dossiers of its schemes (deadlines, totals); does not decide."""
    LECTEUR = "lecteur"
    """Reads the dossiers of its schemes; no decision, no upload, no export."""
    PARTENAIRE = "partenaire"
    """A partner's system: sends its own partner's events over HTTP; reads nothing."""
    ADMIN = "admin"
    """Everything, on every scheme it is scoped to."""


class AccesRefuse(Exception):
    """The user may not do this (unknown, disabled, wrong role, scheme or partner)."""


class JetonInvalide(Exception):
    """No token, an unknown, revoked or expired one, or a disabled user (HTTP 401)."""


class UtilisateurInvalide(ValueError):
    """A user that cannot be created as asked (names the field, the value and the rule)."""


@dataclass(frozen=True)
class Identite:
    """What a request knows of its user, detached from the database session."""

    nom: str
    role: Role
    dispositifs: tuple[str, ...]
    partenaire: str | None

    @classmethod
    def de(cls, utilisateur: Utilisateur) -> "Identite":
        return cls(
            nom=utilisateur.nom,
            role=Role(utilisateur.role),
            dispositifs=tuple(utilisateur.dispositifs),
            partenaire=utilisateur.partenaire,
        )

    def voit(self, dispositif: str) -> bool:
        return peut_voir(self.dispositifs, dispositif)

    def a_role(self, *roles: Role) -> bool:
        return self.role in roles


def peut_voir(motifs: Iterable[str], dispositif: str) -> bool:
    """Whether one of the scheme patterns (`contrat-pro`, `are-*`, `*`) covers `dispositif`."""
    return any(fnmatchcase(dispositif, motif) for motif in motifs)


def empreinte(jeton: str) -> str:
    return hashlib.sha256(jeton.encode()).hexdigest()


def _maintenant() -> datetime:
    return datetime.now(UTC)


def _verifier(nom: str, role: str, dispositifs: list[str], partenaire: str | None) -> Role:
    if not NOM.match(nom):
        raise UtilisateurInvalide(
            f"nom {nom!r}: 1 à 100 caractères parmi lettres, chiffres, « . _ @ - »"
        )
    try:
        valeur = Role(role)
    except ValueError:
        permis = ", ".join(r.value for r in Role)
        raise UtilisateurInvalide(f"rôle {role!r} inconnu: attendu l'un de {permis}") from None
    if not dispositifs:
        raise UtilisateurInvalide("dispositifs: au moins un dispositif (ou « * » pour tous)")
    for motif in dispositifs:
        if not any(fnmatchcase(d, motif) for d in DISPOSITIFS):
            raise UtilisateurInvalide(
                f"dispositif {motif!r}: ne désigne aucun dispositif connu "
                f"({', '.join(DISPOSITIFS)}; motifs « are-* », « * »)"
            )
    if valeur is Role.PARTENAIRE and partenaire not in PARTENAIRES:
        raise UtilisateurInvalide(
            f"partenaire {partenaire!r}: obligatoire pour le rôle partenaire, "
            f"l'un de {', '.join(PARTENAIRES)}"
        )
    if valeur is not Role.PARTENAIRE and partenaire is not None:
        raise UtilisateurInvalide(
            f"partenaire {partenaire!r}: réservé au rôle partenaire (rôle demandé: {role})"
        )
    return valeur


def creer_utilisateur(
    *,
    session: Session,
    nom: str,
    role: Role | str,
    dispositifs: list[str],
    partenaire: str | None = None,
) -> Utilisateur:
    """Create (or, if it exists, update the role and scope of) a user. The caller commits."""
    valeur = _verifier(nom, str(role), dispositifs, partenaire)
    utilisateur = session.get(Utilisateur, nom)
    if utilisateur is None:
        utilisateur = Utilisateur(nom=nom, role=valeur.value, cree_le=_maintenant())
    utilisateur.role = valeur.value
    utilisateur.dispositifs = list(dispositifs)
    utilisateur.partenaire = partenaire
    utilisateur.actif = True
    session.add(utilisateur)
    return utilisateur


def desactiver(*, session: Session, nom: str) -> None:
    utilisateur = session.get(Utilisateur, nom)
    if utilisateur is None:
        raise AccesRefuse(f"utilisateur inconnu: {nom!r}")
    utilisateur.actif = False
    session.add(utilisateur)


def creer_jeton(
    *,
    session: Session,
    nom: str,
    duree: timedelta = DUREE_JETON,
    maintenant: datetime | None = None,
) -> tuple[str, Jeton]:
    """A new token for `nom`: returns the token (show it once) and its stored row."""
    utilisateur = session.get(Utilisateur, nom)
    if utilisateur is None:
        raise AccesRefuse(f"utilisateur inconnu: {nom!r} (créez-le: guichet users add)")
    if duree <= timedelta(0):
        raise UtilisateurInvalide(f"durée {duree}: doit être positive")
    jeton = secrets.token_urlsafe(32)
    debut = maintenant or _maintenant()
    ligne = Jeton(
        empreinte=empreinte(jeton), utilisateur=nom, cree_le=debut, expire_le=debut + duree
    )
    session.add(ligne)
    return jeton, ligne


def revoquer_jetons(*, session: Session, nom: str) -> int:
    lignes = session.exec(
        select(Jeton).where(Jeton.utilisateur == nom, col(Jeton.revoque).is_(False))
    ).all()
    for ligne in lignes:
        ligne.revoque = True
        session.add(ligne)
    return len(lignes)


def authentifier(
    *, session: Session, jeton: str, maintenant: datetime | None = None
) -> Utilisateur:
    """The active user a token belongs to, or `JetonInvalide` (unknown, revoked, expired)."""
    ligne = session.exec(select(Jeton).where(Jeton.empreinte == empreinte(jeton))).first()
    if ligne is None or ligne.revoque:
        raise JetonInvalide("jeton inconnu ou révoqué")
    expire_le = ligne.expire_le
    if expire_le.tzinfo is None:  # SQLite gives naive datetimes back
        expire_le = expire_le.replace(tzinfo=UTC)
    if expire_le <= (maintenant or _maintenant()):
        raise JetonInvalide(f"jeton expiré le {expire_le:%Y-%m-%d %H:%M} UTC")
    utilisateur = session.get(Utilisateur, ligne.utilisateur)
    if utilisateur is None or not utilisateur.actif:
        raise JetonInvalide(f"utilisateur {ligne.utilisateur!r} désactivé ou supprimé")
    return utilisateur


def exiger_role(session: Session, nom: str, *roles: Role) -> Utilisateur:
    """The active user `nom` if it has one of `roles`, else `AccesRefuse` (in French)."""
    utilisateur = session.get(Utilisateur, nom)
    if utilisateur is None:
        raise AccesRefuse(f"utilisateur inconnu: {nom!r}")
    if not utilisateur.actif:
        raise AccesRefuse(f"utilisateur désactivé: {nom!r}")
    if roles and utilisateur.role not in {r.value for r in roles}:
        attendus = ", ".join(r.value for r in roles)
        raise AccesRefuse(
            f"utilisateur {nom!r}: rôle {utilisateur.role!r}, il faut l'un de: {attendus}"
        )
    return utilisateur


def lister_utilisateurs(*, session: Session) -> list[Utilisateur]:
    return list(session.exec(select(Utilisateur).order_by(col(Utilisateur.nom))).all())
