"""The FastAPI application: routers, shared resources, and errors in French.

`create_app(settings)` builds it. Resources live in `app.state.contexte` (`Contexte`,
`workers/api/deps.py`): the read-model engine (`workers.runtime.database.engine_for`), the
document store, and the Temporal client (`workers.runtime.temporal.client_for`, the one place
that sets the payload codec), connected lazily so the API starts, and answers `/health` and
`/ready`, even while Temporal is down. Routers import their dependencies from `deps.py`, never
this module.

Every error is JSON `{"detail": "...", "erreurs": [{"champ", "valeur", "regle"}]}`, in French:
401 token, 403 role/scheme/partner, 404 unknown dossier or dead letter, 409 decision refused,
dossier closed or dead letter already handled,
413 document too large, 415 type refused, 422 bad input, 503 Temporal unreachable.
"""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Annotated, Any

import structlog
from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Scope
from temporalio.client import Client

from workers.api import deps, dossiers, evenements, exports, metriques, rebuts, sante
from workers.api.codec import routeur_codec
from workers.api.deps import Contexte
from workers.api.limites import Authentifie, LimitesRequetes
from workers.console import session as sessions
from workers.console.routes import routeur_console
from workers.runtime.database import engine_for, upgrade
from workers.runtime.errors import ServiceUnreachable
from workers.runtime.settings import Settings
from workers.runtime.temporal import client_for
from workers.services.documents import DocumentTropGros, Stockage, StockageDisque, TypeNonAccepte
from workers.services.evenements import TropVolumineux
from workers.services.instruction import (
    DecisionImpossible,
    DecisionRefusee,
    DossierClos,
    DossierInconnu,
    TemporalIndisponible,
    verifier,
)
from workers.services.rebuts import RebutDejaTraite, RebutInconnu
from workers.services.utilisateurs import AccesRefuse, Identite, JetonInvalide, Role
from workers.services.validation import EntreeInvalide, ErreurChamp, regle_de

log = structlog.get_logger(__name__)

# --- errors ------------------------------------------------------------------------------------

MESSAGES_HTTP = {
    400: "requête invalide",
    401: "authentification requise",
    403: "accès refusé",
    404: "ressource introuvable",
    405: "méthode non autorisée sur cette adresse",
    406: "format de réponse non disponible",
    409: "conflit avec l'état du dossier",
    413: "contenu trop volumineux",
    415: "type de contenu non accepté",
    422: "entrée invalide",
    500: "erreur interne",
    503: "service indisponible",
}


def erreur(
    statut: int,
    detail: str,
    erreurs: list[ErreurChamp] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    return JSONResponse(
        {"detail": detail, "erreurs": [e.model_dump(mode="json") for e in erreurs or []]},
        status_code=statut,
        headers=headers,
    )


def _champ(loc: tuple[int | str, ...]) -> str:
    parties = list(loc)
    if parties and parties[0] in ("body", "query", "path", "header", "cookie"):
        parties = parties[1:]
    return ".".join(str(p) for p in parties) or "(corps)"


async def _validation(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    erreurs = []
    for e in exc.errors():
        valeur = e.get("input")
        if e.get("type") == "missing":
            valeur = None
        elif not isinstance(valeur, str | int | float | bool | type(None)):
            valeur = repr(valeur)[:200]
        elif isinstance(valeur, str):
            valeur = valeur[:200]
        erreurs.append(ErreurChamp(champ=_champ(tuple(e["loc"])), valeur=valeur, regle=regle_de(e)))
    return erreur(
        422, "requête invalide: " + "; ".join(f"{x.champ}: {x.regle}" for x in erreurs), erreurs
    )


async def _http(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    anglais = detail in ("Not Found", "Method Not Allowed", "Not authenticated", "Forbidden")
    if anglais or not detail:
        detail = MESSAGES_HTTP.get(exc.status_code, detail)
    return erreur(exc.status_code, detail, headers=getattr(exc, "headers", None))


def _gestionnaire(statut: int, **headers: str) -> Callable[[Request, Exception], Awaitable[Any]]:
    async def gerer(_request: Request, exc: Exception) -> JSONResponse:
        erreurs = exc.erreurs if isinstance(exc, EntreeInvalide) else None
        detail = exc.detail if isinstance(exc, EntreeInvalide) else str(exc)
        if isinstance(exc, EntreeInvalide) and erreurs:
            detail = f"{detail}: " + "; ".join(f"{e.champ}: {e.regle}" for e in erreurs)
        return erreur(statut, detail, erreurs, headers or None)

    return gerer


async def _interne(_request: Request, exc: Exception) -> JSONResponse:
    log.exception("erreur_interne", erreur=str(exc))
    return erreur(500, "erreur interne: l'incident est journalisé")


def _installer_erreurs(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(JetonInvalide, _gestionnaire(401, **{"WWW-Authenticate": "Bearer"}))
    app.add_exception_handler(AccesRefuse, _gestionnaire(403))
    app.add_exception_handler(DossierInconnu, _gestionnaire(404))
    app.add_exception_handler(RebutInconnu, _gestionnaire(404))
    app.add_exception_handler(RebutDejaTraite, _gestionnaire(409))
    app.add_exception_handler(DecisionRefusee, _gestionnaire(409))
    app.add_exception_handler(DossierClos, _gestionnaire(409))
    app.add_exception_handler(DocumentTropGros, _gestionnaire(413))
    app.add_exception_handler(TropVolumineux, _gestionnaire(413))
    app.add_exception_handler(TypeNonAccepte, _gestionnaire(415))
    app.add_exception_handler(EntreeInvalide, _gestionnaire(422))
    app.add_exception_handler(DecisionImpossible, _gestionnaire(422))
    app.add_exception_handler(TemporalIndisponible, _gestionnaire(503))
    app.add_exception_handler(ServiceUnreachable, _gestionnaire(503))
    app.add_exception_handler(Exception, _interne)


# --- the app -----------------------------------------------------------------------------------


PERSONNEL_CODEC = (Role.ADMIN, Role.SUPERVISEUR)


def _authentifie(moteur: Engine, signeur: sessions.Signeur) -> Authentifie:
    """For `LimitesRequetes`: a valid bearer token or console session, checked before a
    multipart body is read."""

    def verifier(request: Request) -> bool:
        with Session(moteur) as session:
            autorisation = request.headers.get("authorization", "")
            if autorisation[:7].lower() == "bearer ":
                try:
                    deps.identite_du_jeton(session, autorisation[7:].strip())
                except JetonInvalide:
                    return False
                return True
            return sessions.lire_session(request, signeur, session) is not None

    async def authentifie(scope: Scope) -> bool:
        return await asyncio.to_thread(verifier, Request(scope))

    return authentifie


def _personnel_codec(signeur: sessions.Signeur) -> Callable[..., Identite]:
    """Who may use the codec server: a staff bearer token, or the console's session cookie
    (staff logged in to the console, whose browser then opens the Temporal UI: the UI calls
    the codec with cross-origin credentials and cannot send our bearer token)."""

    def personnel(
        request: Request,
        session: deps.SessionDep,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(deps.bearer)],
    ) -> Identite:
        # HTTPException, not the service's exceptions: the codec routes add their CORS headers
        # to it, so the UI can read the refusal.
        if credentials is not None and credentials.credentials:
            try:
                utilisateur = deps.identite_du_jeton(session, credentials.credentials)
            except JetonInvalide as exc:
                raise deps.non_authentifie(str(exc)) from None
        else:
            console = sessions.lire_session(request, signeur, session)
            if console is None:
                raise deps.non_authentifie(
                    "en-tête Authorization: Bearer <jeton> absent, et pas de session console "
                    "(connectez-vous à la console, puis autorisez l'envoi des identifiants)"
                )
            utilisateur = console.identite
        try:
            verifier(utilisateur, PERSONNEL_CODEC)
        except AccesRefuse as exc:
            raise HTTPException(403, str(exc)) from None
        return utilisateur

    return personnel


def create_app(
    settings: Settings,
    *,
    engine: Engine | None = None,
    client: Client | None = None,
    stockage: Stockage | None = None,
    migrer: bool = True,
) -> FastAPI:
    """The API. `engine`, `client`, `stockage` default to the ones of `settings`; pass them
    to share (tests, `guichet dev`). `migrer`: apply the migrations at start-up."""
    proprietaire = engine is None
    moteur = engine or engine_for(settings.effective_database_url)

    async def fabrique() -> Client:
        return client if client is not None else await client_for(settings)

    ctx = Contexte(
        settings=settings,
        engine=moteur,
        stockage=stockage or StockageDisque(settings.effective_documents_dir.resolve()),
        fabrique_client=fabrique,
        migrer=migrer,
    )

    @asynccontextmanager
    async def cycle(_app: FastAPI) -> AsyncIterator[None]:
        if migrer:
            await asyncio.to_thread(upgrade, moteur)
        yield
        if proprietaire:
            moteur.dispose()

    app = FastAPI(
        title="guichet: API des instructeurs et des partenaires",
        version="1.0.0",
        description="Suivre, décider et auditer les dossiers d'aide. Authentification: "
        "`Authorization: Bearer <jeton>` (`guichet users token NOM`). Voir docs/api.md.",
        lifespan=cycle,
    )
    app.state.contexte = ctx
    signeur = sessions.Signeur(sessions.secret_console(settings.data_dir))
    app.add_middleware(LimitesRequetes, authentifie=_authentifie(moteur, signeur))
    _installer_erreurs(app)
    app.include_router(sante.routeur)
    app.include_router(metriques.routeur)
    app.include_router(exports.routeur)
    app.include_router(dossiers.routeur)
    app.include_router(evenements.routeur)
    app.include_router(rebuts.routeur)
    app.include_router(routeur_console(settings))
    app.include_router(routeur_codec(settings, _personnel_codec(signeur)))
    return app
