"""The console's pages, as a FastAPI router the API app includes (`routeur_console`).

Server-rendered (Jinja2, autoescaped), in French. The pages use the API's resources
(`app.state.contexte`: engine, Temporal client, document store) and its service layer
(`workers.services.instruction`, `workers.services.documents`): the same users, roles, scheme
scopes and rules. The service's errors are caught in the pages (`pages/`, one module per page,
on the shared `socle.py`) and shown as pages, never as the API's JSON.

Query strings and forms are read as text and checked there, so bad input gives a French message
naming the field, never a 422 in English or a 500.
"""

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse

from workers.console.pages.are import PagesAre
from workers.console.pages.connexion import PageConnexion
from workers.console.pages.document import PageDocument
from workers.console.pages.exapro import PageRapportExapro
from workers.console.pages.file import PageFile
from workers.console.pages.rapports import PageRapports
from workers.console.pages.rebuts import PageRebuts
from workers.console.pages.tableau_de_bord import PageTableauDeBord
from workers.console.socle import ICI
from workers.runtime.settings import Settings

STATIQUES = {"console.css": "text/css; charset=utf-8"}


class Console(
    PageConnexion,
    PageFile,
    PageDocument,
    PageTableauDeBord,
    PagesAre,
    PageRebuts,
    PageRapportExapro,
    PageRapports,
):
    """Every page; one instance per app."""


def routeur_console(
    settings: Settings, *, prefixe: str = "/console", secret: bytes | None = None
) -> APIRouter:
    """The console's pages under `prefixe`. `secret`: the cookie signing key (default: the
    environment's `GUICHET_CONSOLE_SECRET`, else a key kept in `settings.data_dir`)."""
    console = Console(settings, prefixe, secret)
    routeur = APIRouter(prefix=prefixe, include_in_schema=False)

    def get(chemin: str, fonction: Callable[..., Any]) -> None:
        routeur.add_api_route(chemin, fonction, methods=["GET"], response_class=HTMLResponse)

    def post(chemin: str, fonction: Callable[..., Any]) -> None:
        routeur.add_api_route(chemin, fonction, methods=["POST"], response_class=HTMLResponse)

    async def accueil() -> RedirectResponse:
        return RedirectResponse(f"{prefixe}/file", status_code=303)

    async def statique(nom: str) -> Response:
        if nom not in STATIQUES:
            return Response("fichier inconnu", status_code=404, media_type="text/plain")
        return FileResponse(
            ICI / "static" / nom,
            media_type=STATIQUES[nom],
            headers={"Cache-Control": "max-age=3600"},
        )

    async def connexion_get(request: Request) -> Response:
        return console.page_connexion(request)

    async def file_get(request: Request) -> Response:
        return console.file(request)

    async def dossier_get(request: Request, cle: str) -> Response:
        return await console.dossier(request, cle)

    async def campagnes_get(request: Request) -> Response:
        return console.campagnes(request)

    async def rebuts_get(request: Request) -> Response:
        return console.rebuts(request)

    async def rebut_get(request: Request, id_rebut: str) -> Response:
        return await console.rebut(request, id_rebut)

    get("", accueil)
    get("/", accueil)
    get("/static/{nom}", statique)
    get("/connexion", connexion_get)
    post("/connexion", console.connexion)
    post("/deconnexion", console.deconnexion)
    get("/file", file_get)
    get("/dossiers/{cle:path}", dossier_get)
    post("/decisions/{cle:path}", console.decider)
    post("/documents/{cle:path}", console.deposer)
    get("/tableau-de-bord", console.tableau_de_bord)
    get("/rapports/beneficiaires", console.rapport_beneficiaires)
    get("/rebuts", rebuts_get)
    get("/rebuts/{id_rebut}", rebut_get)
    post("/rebuts/{id_rebut}/clair", console.rebut_en_clair)
    post("/rebuts/{id_rebut}/rejouer", console.rejouer)
    post("/rebuts/{id_rebut}/ignorer", console.ignorer)
    get("/exapro/rapport/{cle:path}", console.rapport_exapro)
    get("/are", campagnes_get)
    get("/are/table/{cle:path}", console.campagne_csv)
    get("/are/{cle:path}", console.campagne)
    return routeur
