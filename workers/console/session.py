"""Console sessions: log in with a user name and an API token, then a signed cookie.

The cookie (HttpOnly, SameSite=Strict, Secure over HTTPS) carries the user name, the SHA-256
of the token used to log in, an expiry and a CSRF token, signed with HMAC-SHA256. It does not
carry the token itself. Every request checks, in the database, that this token is still valid
(not revoked, not expired), the user still active, and the cookie's session version still the
user's: revoking a user's tokens (`guichet users revoke`), disabling the user, or logging out
(which increments `utilisateur.version_session`) closes every console session of that user at
once, copied cookies included.

CSRF: every POST form carries the session's CSRF token in a hidden field, compared in constant
time. The login form, before any session exists, uses a signed pre-session cookie with its own
token (double submit). SameSite=Strict already keeps other sites' forms from sending the cookie;
the token is the second lock.

The signing key: `GUICHET_CONSOLE_SECRET` if set (several workers behind a load balancer must
share it), else a random key created once in `data_dir/console-secret` (mode 0600).
"""

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from fastapi import Request, Response
from sqlmodel import Session, select

from models.tables import Jeton
from workers.services.utilisateurs import (
    Identite,
    JetonInvalide,
    Utilisateur,
    authentifier,
    empreinte,
)

COOKIE_SESSION = "guichet_console"
COOKIE_CONNEXION = "guichet_console_connexion"
DUREE_SESSION_S = 8 * 3600
"""A working day; the token's own expiry applies too."""
DUREE_CONNEXION_S = 3600
FICHIER_SECRET = "console-secret"
VARIABLE_SECRET = "GUICHET_CONSOLE_SECRET"


def secret_console(data_dir: Path) -> bytes:
    """The signing key: from the environment, else from (or created in) `data_dir`."""
    depuis_env = os.environ.get(VARIABLE_SECRET, "")
    if depuis_env:
        return depuis_env.encode()
    chemin = data_dir / FICHIER_SECRET
    if not chemin.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        descripteur = os.open(chemin, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descripteur, "w") as fichier:
            fichier.write(secrets.token_hex(32))
    return chemin.read_text().strip().encode()


def _b64(donnees: bytes) -> str:
    return base64.urlsafe_b64encode(donnees).rstrip(b"=").decode()


def _deb64(texte: str) -> bytes:
    return base64.urlsafe_b64decode(texte + "=" * (-len(texte) % 4))


class Signeur:
    """Signs and checks small JSON payloads (HMAC-SHA256, a purpose tag per cookie kind)."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) < 16:
            raise ValueError("secret de la console: 16 octets au moins")
        self._secret = secret

    def _mac(self, objet: str, corps: str) -> str:
        message = f"{objet}.{corps}".encode()
        return _b64(hmac.new(self._secret, message, hashlib.sha256).digest())

    def signer(self, objet: str, contenu: dict[str, str | int]) -> str:
        corps = _b64(json.dumps(contenu, separators=(",", ":"), sort_keys=True).encode())
        return f"{corps}.{self._mac(objet, corps)}"

    def verifier(self, objet: str, valeur: str | None) -> dict[str, str | int] | None:
        """The payload if the signature is right and `exp` is in the future, else None."""
        if not valeur or valeur.count(".") != 1:
            return None
        corps, mac = valeur.split(".")
        if not hmac.compare_digest(mac, self._mac(objet, corps)):
            return None
        try:
            contenu = json.loads(_deb64(corps))
        except (ValueError, UnicodeDecodeError):
            return None
        if not isinstance(contenu, dict):
            return None
        expiration = contenu.get("exp")
        if not isinstance(expiration, int) or expiration <= int(time.time()):
            return None
        return contenu


@dataclass(frozen=True)
class SessionConsole:
    identite: Identite
    csrf: str


def ouvrir_session(*, session: Session, nom: str, jeton: str) -> tuple[Utilisateur, str] | str:
    """Check the user name and token; the user and the token's SHA-256, or why not (French).

    The message does not say whether the name or the token was wrong."""
    refus = "nom d'utilisateur ou jeton incorrect, expiré ou révoqué"
    try:
        utilisateur = authentifier(session=session, jeton=jeton.strip())
    except JetonInvalide:
        return refus
    if not hmac.compare_digest(utilisateur.nom.encode(), nom.strip().encode()):
        return refus
    return utilisateur, empreinte(jeton.strip())


def poser_session(
    reponse: Response,
    signeur: Signeur,
    *,
    nom: str,
    empreinte_jeton: str,
    version: int,
    https: bool,
) -> None:
    """The session cookie; `version` is the user's `version_session` now (see
    `fermer_sessions`)."""
    contenu: dict[str, str | int] = {
        "u": nom,
        "j": empreinte_jeton,
        "v": version,
        "csrf": secrets.token_urlsafe(24),
        "exp": int(time.time()) + DUREE_SESSION_S,
    }
    reponse.set_cookie(
        COOKIE_SESSION,
        signeur.signer("session", contenu),
        max_age=DUREE_SESSION_S,
        httponly=True,
        samesite="strict",
        secure=https,
        path="/",  # the console and the codec server (`/codec`), which staff reach from the UI
    )
    reponse.delete_cookie(COOKIE_CONNEXION, path="/console")


def fermer_session(reponse: Response) -> None:
    reponse.delete_cookie(COOKIE_SESSION, path="/", httponly=True, samesite="strict")


def fermer_sessions(session: Session, nom: str) -> None:
    """Log `nom` out everywhere: every cookie carrying the previous `version_session` is
    refused from now on (a copied cookie too, which deleting this browser's cannot stop).
    The caller commits."""
    utilisateur = session.get(Utilisateur, nom)
    if utilisateur is not None:
        utilisateur.version_session += 1
        session.add(utilisateur)


def lire_session(request: Request, signeur: Signeur, session: Session) -> SessionConsole | None:
    """The logged-in user, if the cookie is valid and its token and user still are."""
    contenu = signeur.verifier("session", request.cookies.get(COOKIE_SESSION))
    if contenu is None:
        return None
    nom, empreinte_jeton, csrf = contenu.get("u"), contenu.get("j"), contenu.get("csrf")
    version = contenu.get("v")
    if not (isinstance(nom, str) and isinstance(empreinte_jeton, str) and isinstance(csrf, str)):
        return None
    ligne = session.exec(select(Jeton).where(Jeton.empreinte == empreinte_jeton)).first()
    if ligne is None or ligne.revoque or ligne.utilisateur != nom:
        return None
    expire_le = ligne.expire_le
    if expire_le.tzinfo is None:  # SQLite gives naive datetimes back
        expire_le = expire_le.replace(tzinfo=UTC)
    if expire_le <= datetime.now(UTC):
        return None
    utilisateur = session.get(Utilisateur, nom)
    if utilisateur is None or not utilisateur.actif or version != utilisateur.version_session:
        return None
    return SessionConsole(identite=Identite.de(utilisateur), csrf=csrf)


def jeton_connexion(request: Request, signeur: Signeur) -> tuple[str, str | None]:
    """The login form's CSRF token: the one in the pre-session cookie if still valid, else a
    new one; and the cookie value to set (None when the current one is kept)."""
    contenu = signeur.verifier("connexion", request.cookies.get(COOKIE_CONNEXION))
    if contenu is not None and isinstance(contenu.get("csrf"), str):
        return str(contenu["csrf"]), None
    csrf = secrets.token_urlsafe(24)
    valeur = signeur.signer(
        "connexion", {"csrf": csrf, "exp": int(time.time()) + DUREE_CONNEXION_S}
    )
    return csrf, valeur


def poser_cookie_connexion(reponse: Response, valeur: str, *, https: bool) -> None:
    reponse.set_cookie(
        COOKIE_CONNEXION,
        valeur,
        max_age=DUREE_CONNEXION_S,
        httponly=True,
        samesite="strict",
        secure=https,
        path="/console",
    )


def csrf_connexion_valide(request: Request, signeur: Signeur, recu: str) -> bool:
    contenu = signeur.verifier("connexion", request.cookies.get(COOKIE_CONNEXION))
    attendu = contenu.get("csrf") if contenu else None
    return isinstance(attendu, str) and hmac.compare_digest(attendu.encode(), recu.encode())


def csrf_valide(session_console: SessionConsole, recu: str) -> bool:
    return hmac.compare_digest(session_console.csrf.encode(), recu.encode())
