"""ARE campaigns: the list, one campaign (envelopes, schools filterable by UAI or name,
académie and observation, the commission table and its vote), the table as CSV (the same
filters: totals of the lines exported)."""

import csv
import io
import re
from collections.abc import Iterator
from urllib.parse import urlencode

from fastapi import Request, Response
from fastapi.responses import StreamingResponse
from sqlmodel import col, select

from models.are import WORKFLOW_CAMPAGNE, EtatCampagne
from models.tables import Dossier
from workers.console import commission, fiche_are
from workers.console import session as sessions
from workers.console.socle import Socle
from workers.runtime.errors import ServiceUnreachable
from workers.services import instruction
from workers.services.utilisateurs import AccesRefuse, Role


class PagesAre(Socle):
    def campagnes(self, request: Request) -> Response:
        with self.session_db(request) as db:
            moi = self.moi(request, db)
            if moi is None:
                return self.vers_connexion(request)
            if not moi.identite.voit(WORKFLOW_CAMPAGNE) or moi.identite.role is Role.PARTENAIRE:
                return self.erreur(
                    request, moi, 403, "Accès refusé", "Le dispositif ARE n'est pas le vôtre."
                )
            lignes = db.exec(
                select(Dossier)
                .where(Dossier.dispositif == WORKFLOW_CAMPAGNE)
                .order_by(col(Dossier.reference).desc())
            ).all()
        return self.rendre(
            "are.html", request, moi, titre="Campagnes ARE", page="are", campagnes=lignes
        )

    async def _campagne(
        self, request: Request, cle: str
    ) -> tuple[sessions.SessionConsole | None, instruction.VueDossier | Response]:
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
                return moi, self.erreur(request, moi, 404, "Campagne introuvable", str(exc))
            except AccesRefuse as exc:
                return moi, self.erreur(request, moi, 403, "Accès refusé", str(exc))
        if vue.dossier.dispositif != WORKFLOW_CAMPAGNE:
            return moi, self.erreur(
                request, moi, 404, "Campagne introuvable", f"{cle} n'est pas une campagne ARE"
            )
        return moi, vue

    async def campagne(self, request: Request, cle: str) -> Response:
        moi, vue = await self._campagne(request, cle)
        if isinstance(vue, Response):
            return vue
        etat = EtatCampagne.model_validate(vue.etat) if vue.etat else None
        p = request.query_params
        filtres = {k: p.get(k, "")[:60] for k in ("q", "academie", "observation")}
        vue_campagne = None
        if etat is not None:
            detail = (
                fiche_are.lire_calcul(etat.calcul.calcul, etat.calcul.empreinte)
                if etat.calcul
                else None
            )
            vue_campagne = fiche_are.campagne(etat, detail)
        return self.rendre(
            "are_campagne.html",
            request,
            moi,
            titre=f"Campagne ARE {vue.dossier.reference}",
            page="are",
            dossier=vue.dossier,
            etat=etat,
            note=vue.note,
            table=commission.table_commission(etat) if etat else None,
            campagne=vue_campagne,
            filtres=filtres,
            lycees=fiche_are.filtrer(vue_campagne.etablissements, **filtres)
            if vue_campagne
            else [],
            export=urlencode({k: v for k, v in filtres.items() if v}),
        )

    async def campagne_csv(self, request: Request, cle: str) -> Response:
        moi, vue = await self._campagne(request, cle)
        if isinstance(vue, Response):
            return vue
        if moi is not None and moi.identite.role not in instruction.EXPORT:
            return self.erreur(
                request,
                moi,
                403,
                "Export non autorisé",
                f"Rôle {moi.identite.role.value} : l'export est réservé aux rôles "
                "instructeur, superviseur et admin.",
            )
        if not vue.etat:
            return self.erreur(request, moi, 503, "État indisponible", vue.note or "")
        etat = EtatCampagne.model_validate(vue.etat)
        table = commission.table_commission(etat)
        if table is None:
            return self.erreur(
                request, moi, 409, "Pas de table", "La table n'est pas encore calculée."
            )

        p = request.query_params
        filtres = {k: p.get(k, "")[:60] for k in ("q", "academie", "observation")}
        if any(filtres.values()) and etat.calcul:
            detail = fiche_are.lire_calcul(etat.calcul.calcul, etat.calcul.empreinte)
            retenus = {
                e.uai
                for e in fiche_are.filtrer(
                    fiche_are.campagne(etat, detail).etablissements, **filtres
                )
            }
            table = commission.restreindre(table, retenus)

        def lignes() -> Iterator[str]:
            tampon = io.StringIO()
            ecrivain = csv.writer(tampon, delimiter=";", lineterminator="\r\n")
            ecrivain.writerows(commission.table_csv(table))
            yield "\ufeff" + tampon.getvalue()  # BOM: spreadsheet software reads UTF-8

        nom = re.sub(r"[^\w.-]", "_", f"commission-{vue.dossier.reference}.csv")
        return StreamingResponse(
            lignes(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{nom}"'},
        )
