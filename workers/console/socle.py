"""What every console page shares: the templates and their filters, the rendering of a page
(with its security headers), the console's session, the API's resources (`Contexte`) and the
redirections. Each page is a subclass of `Socle` in `pages/`; `routes.py` assembles them."""

import re
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape
from sqlmodel import Session

from models import libelles
from models.are import WORKFLOW_CAMPAGNE
from rules.calendrier import PARIS
from workers.api import deps
from workers.api.deps import Contexte
from workers.console import session as sessions
from workers.runtime.settings import Settings
from workers.services.regimes import regime
from workers.services.utilisateurs import Role

ICI = Path(__file__).parent
SUPERVISION = (Role.SUPERVISEUR, Role.ADMIN)
CODE = re.compile(r"^[a-z0-9_]{1,40}$")


def aujourd_hui() -> date:
    return datetime.now(PARIS).date()


def _montant(valeur: Any) -> str:
    if valeur is None or valeur == "":
        return "—"
    nombre = Decimal(str(valeur))
    signe = "-" if nombre < 0 else ""
    entier, decimales = f"{abs(nombre):.2f}".split(".")
    groupes: list[str] = []
    while entier:
        groupes.insert(0, entier[-3:])
        entier = entier[:-3]
    return f"{signe}{' '.join(groupes)},{decimales}"


def _date_fr(valeur: Any) -> str:
    if isinstance(valeur, str):
        try:
            valeur = date.fromisoformat(valeur)
        except ValueError:
            return str(valeur)
    return f"{valeur:%d/%m/%Y}" if isinstance(valeur, date) else "—"


def _date_heure_fr(valeur: Any) -> str:
    if not isinstance(valeur, datetime):
        return _date_fr(valeur)
    local = valeur if valeur.tzinfo else valeur.replace(tzinfo=PARIS)
    return f"{local.astimezone(PARIS):%d/%m/%Y %H:%M}"


def _chemin(valeur: Any) -> str:
    """A dossier key as one URL path segment (`:` and `/` escaped)."""
    return quote(str(valeur), safe="")


def code_explique(libelle: str, code: Any) -> Markup:
    """A label for people with its raw code as a tooltip (`title`) and in `data-code` (tests,
    staff who search the code)."""
    if libelle == str(code):
        return Markup('<span class="code">{}</span>').format(escape(code))
    return Markup('<span class="libelle" title="code : {0}" data-code="{0}">{1}</span>').format(
        escape(code), escape(libelle)
    )


def _statut(code: Any, dispositif: str | None = None) -> Markup:
    return code_explique(libelles.libelle_statut(dispositif, str(code)), code)


def _decision(code: Any) -> Markup:
    return code_explique(libelles.libelle_decision(str(code)), code)


def _champ(nom: Any) -> str:
    return libelles.libelle_champ(str(nom))


def _statut_ordre(code: Any) -> Markup:
    return code_explique(libelles.STATUTS_ORDRE.get(str(code), str(code)), code)


def _motif(code: Any) -> Markup:
    return code_explique(libelles.libelle_motif(str(code)), code)


def _dispositif(code: Any) -> Markup:
    r = regime(str(code))
    return code_explique(r.libelle if r else str(code), code)


def environnement() -> Environment:
    env = Environment(
        loader=FileSystemLoader(ICI / "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["montant"] = _montant
    env.filters["date_fr"] = _date_fr
    env.filters["date_heure_fr"] = _date_heure_fr
    env.filters["urlencode"] = _chemin
    env.filters["statut"] = _statut
    env.filters["decision"] = _decision
    env.filters["champ"] = _champ
    env.filters["statut_ordre"] = _statut_ordre
    env.filters["motif"] = _motif
    env.filters["dispositif"] = _dispositif
    env.globals["libelle_statut"] = libelles.libelle_statut
    env.globals["libelle_document"] = libelles.libelle_document
    env.filters["document"] = lambda code: code_explique(libelles.libelle_document(str(code)), code)
    return env


class Socle:
    """The plumbing of the pages; one console per app (templates and signing key loaded once)."""

    def __init__(self, settings: Settings, prefixe: str, secret: bytes | None) -> None:
        self.settings = settings
        self.prefixe = prefixe
        self.env = environnement()
        self.signeur = sessions.Signeur(secret or sessions.secret_console(settings.data_dir))

    # --- plumbing --------------------------------------------------------------------------

    @staticmethod
    def contexte(request: Request) -> Contexte:
        return deps.contexte(request)

    def rendre(
        self,
        gabarit: str,
        request: Request,
        moi: sessions.SessionConsole | None,
        statut: int = 200,
        **valeurs: Any,
    ) -> HTMLResponse:
        identite = moi.identite if moi else None
        page = self.env.get_template(gabarit).render(
            prefixe=self.prefixe,
            identite=identite,
            csrf=moi.csrf if moi else valeurs.pop("csrf", ""),
            peut_superviser=identite is not None and identite.role in SUPERVISION,
            voit_are=identite is not None and identite.voit(WORKFLOW_CAMPAGNE),
            **valeurs,
        )
        reponse = HTMLResponse(page, status_code=statut)
        reponse.headers["Cache-Control"] = "no-store"
        reponse.headers["X-Content-Type-Options"] = "nosniff"
        reponse.headers["Referrer-Policy"] = "same-origin"
        reponse.headers["Content-Security-Policy"] = (
            "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
            "frame-ancestors 'none'; base-uri 'none'"
        )
        return reponse

    def erreur(
        self,
        request: Request,
        moi: sessions.SessionConsole | None,
        statut: int,
        titre: str,
        detail: str,
    ) -> HTMLResponse:
        return self.rendre("erreur.html", request, moi, statut, titre=titre, detail=detail)

    def session_db(self, request: Request) -> Session:
        return Session(self.contexte(request).engine)

    def moi(self, request: Request, db: Session) -> sessions.SessionConsole | None:
        return sessions.lire_session(request, self.signeur, db)

    def vers_connexion(self, request: Request) -> RedirectResponse:
        suite = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(
            f"{self.prefixe}/connexion?{urlencode({'suite': suite})}", status_code=303
        )

    def suite_sure(self, suite: str | None) -> str:
        """Only a path of the console itself (no open redirect)."""
        if suite and suite.startswith(f"{self.prefixe}/") and not suite.startswith("//"):
            return suite
        return f"{self.prefixe}/file"

    @staticmethod
    def https(request: Request) -> bool:
        return request.url.scheme == "https"
