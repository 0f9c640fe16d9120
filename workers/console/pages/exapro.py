"""An EXAPRO import's stored report, downloaded as it was written (JSON): the page itself is
the dossier page (`pages/dossier.py` with `rapport_exapro.py`)."""

from fastapi import Request, Response
from fastapi.responses import FileResponse

from models import exapro
from workers.console import rapport_exapro
from workers.console import session as sessions
from workers.console.socle import Socle
from workers.runtime.errors import ServiceUnreachable
from workers.services import instruction
from workers.services.utilisateurs import AccesRefuse


class PageRapportExapro(Socle):
    async def _import(
        self, request: Request, cle: str
    ) -> tuple[sessions.SessionConsole | None, exapro.EtatImportExapro | Response]:
        with self.session_db(request) as db:
            moi = self.moi(request, db)
            if moi is None:
                return None, self.vers_connexion(request)
            try:
                client = await self.contexte(request).client()
                vue = await instruction.montrer(db, client, cle, moi.identite)
            except ServiceUnreachable as exc:
                return moi, self.erreur(request, moi, 503, "Temporal injoignable", str(exc))
            except instruction.DossierInconnu as exc:
                return moi, self.erreur(request, moi, 404, "Import introuvable", str(exc))
            except AccesRefuse as exc:
                return moi, self.erreur(request, moi, 403, "Accès refusé", str(exc))
        if vue.dossier.dispositif != exapro.WORKFLOW or not vue.etat:
            return moi, self.erreur(
                request, moi, 404, "Rapport introuvable", f"{cle} : pas d'import"
            )
        return moi, exapro.EtatImportExapro.model_validate(vue.etat)

    async def rapport_exapro(self, request: Request, cle: str) -> Response:
        """The stored report of an EXAPRO import (JSON), for whoever may see the dossier."""
        moi, etat = await self._import(request, cle)
        if isinstance(etat, Response):
            return etat
        chemin = rapport_exapro.chemin_rapport(self.settings.data_dir, etat)
        if chemin is None or not chemin.is_file():
            return self.erreur(
                request, moi, 404, "Rapport introuvable", "Le rapport n'est pas (ou plus) stocké."
            )
        return FileResponse(
            chemin,
            media_type="application/json",
            filename=chemin.name,
            headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"},
        )
