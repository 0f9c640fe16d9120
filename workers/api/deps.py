"""What the routers (and the console) depend on: the app's resources and who is asking.

- `Contexte` (in `app.state.contexte`, set by `create_app`): settings, read-model engine,
  document store, and the Temporal client connected on first use; `ContexteDep`, `ClientDep`.
- Bearer-token authentication and role checks: `utilisateur_courant` turns the
  `Authorization: Bearer <token>` header into an `Identite` (401 when missing, unknown, revoked
  or expired); `exiger(*roles)` builds a dependency that also requires one of `roles` (403
  otherwise). Scheme checks happen in the service layer (`workers.services.instruction`), which
  knows each dossier's scheme. The console reuses these.
"""

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine
from sqlmodel import Session
from temporalio.client import Client

from events.registre import RegistreRebuts
from workers.runtime.settings import Settings
from workers.services.documents import Stockage
from workers.services.instruction import verifier
from workers.services.rebuts import RegistreRebutsSql
from workers.services.utilisateurs import Identite, JetonInvalide, Role, authentifier

bearer = HTTPBearer(auto_error=False, description="jeton créé par « guichet users token NOM »")


ClientFactory = Callable[[], Awaitable[Client]]


@dataclass
class Contexte:
    settings: Settings
    engine: Engine
    stockage: Stockage
    fabrique_client: ClientFactory
    migrer: bool = True
    _client: Client | None = None
    _verrou: asyncio.Lock = field(default_factory=asyncio.Lock)

    @cached_property
    def registre_rebuts(self) -> RegistreRebuts:
        """Where `POST /evenements` consigns what the intake refuses."""
        return RegistreRebutsSql.pour(self.settings, self.engine)

    async def client(self) -> Client:
        """The Temporal client, connected on first use (`ServiceUnreachable` if it cannot)."""
        if self._client is None:
            async with self._verrou:
                if self._client is None:
                    self._client = await self.fabrique_client()
        return self._client


def contexte(request: Request) -> Contexte:
    ctx: Contexte = request.app.state.contexte
    return ctx


ContexteDep = Annotated[Contexte, Depends(contexte)]


async def client_temporal(ctx: ContexteDep) -> Client:
    return await ctx.client()


ClientDep = Annotated[Client, Depends(client_temporal)]


def session_lecture(request: Request) -> Iterator[Session]:
    """A database session per request (the engine is the app's)."""
    with Session(contexte(request).engine) as session:
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
