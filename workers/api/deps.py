"""Bearer-token authentication and role checks, as FastAPI dependencies.

`utilisateur_courant` turns the `Authorization: Bearer <token>` header into an `Identite`
(401 when missing, unknown, revoked or expired); `exiger(*roles)` builds a dependency that
also requires one of `roles` (403 otherwise). Scheme checks happen in the service layer
(`workers.instruction`), which knows each dossier's scheme. The console reuses these.
"""

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session

from workers.instruction import verifier
from workers.utilisateurs import Identite, JetonInvalide, Role, authentifier

bearer = HTTPBearer(auto_error=False, description="jeton créé par « guichet users token NOM »")


def session_lecture(request: Request) -> Iterator[Session]:
    """A database session per request (the engine is the app's)."""
    with Session(request.app.state.contexte.engine) as session:
        yield session


SessionDep = Annotated[Session, Depends(session_lecture)]


def identite_du_jeton(session: Session, jeton: str) -> Identite:
    """The user of a raw token (raises `JetonInvalide`); for callers outside FastAPI too."""
    return Identite.de(authentifier(session=session, jeton=jeton))


def utilisateur_courant(
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Identite:
    if credentials is None or not credentials.credentials:
        raise JetonInvalide("en-tête Authorization: Bearer <jeton> absent")
    return identite_du_jeton(session, credentials.credentials)


UtilisateurDep = Annotated[Identite, Depends(utilisateur_courant)]


def exiger(*roles: Role) -> Callable[[Identite], Identite]:
    """A dependency: the current user if it has one of `roles`, else 403."""

    def dependance(utilisateur: UtilisateurDep) -> Identite:
        verifier(utilisateur, roles)
        return utilisateur

    return dependance


def non_authentifie(detail: str) -> HTTPException:
    return HTTPException(401, detail, headers={"WWW-Authenticate": "Bearer"})
