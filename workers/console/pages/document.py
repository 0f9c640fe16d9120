"""Document upload from a dossier's page: stored, then sent to the dossier's workflow."""

from urllib.parse import quote, urlencode

from fastapi import Request, Response
from fastapi.responses import RedirectResponse

from workers.console import session as sessions
from workers.console.pages.dossier import PageDossier
from workers.runtime.errors import ServiceUnreachable
from workers.services import documents, instruction
from workers.services.utilisateurs import AccesRefuse
from workers.services.validation import EntreeInvalide, resume


class PageDocument(PageDossier):
    async def deposer(self, request: Request, cle: str) -> Response:
        formulaire = await request.form()
        with self.session_db(request) as db:
            moi = self.moi(request, db)
            if moi is None:
                return self.vers_connexion(request)
            if not sessions.csrf_valide(moi, str(formulaire.get("csrf", ""))):
                return self.erreur(request, moi, 403, "Formulaire refusé", "Jeton CSRF invalide.")
            fichier = formulaire.get("fichier")
            if fichier is None or isinstance(fichier, str):
                return await self.dossier(
                    request, cle, refus="fichier : choisissez un fichier à déposer", statut=422
                )
            contenu = await fichier.read(documents.TAILLE_MAX + 1)  # the API's cap
            ctx = self.contexte(request)
            try:
                try:
                    client = await ctx.client()
                except ServiceUnreachable:
                    client = None
                piece = await documents.deposer(
                    session=db,
                    client=client,
                    task_queue=self.settings.task_queue,
                    stockage=ctx.stockage,
                    cle=cle,
                    contenu=contenu,
                    type_contenu=fichier.content_type or "",
                    nom_fichier=fichier.filename,
                    type_document=str(formulaire.get("type_document", "")),
                    acteur=moi.identite,
                    auteur=moi.identite.nom,
                )
            except instruction.DossierInconnu as exc:
                refus, statut = str(exc), 404
            except AccesRefuse as exc:
                refus, statut = f"dépôt non autorisé : {exc}", 403
            except EntreeInvalide as exc:
                refus, statut = f"{exc.detail} : {resume(exc.erreurs)}", 422
            except (documents.DocumentTropGros, documents.TypeNonAccepte) as exc:
                refus, statut = f"document refusé : {exc}", 422
            except (instruction.TemporalIndisponible, instruction.DossierClos) as exc:
                refus, statut = (
                    f"document enregistré, mais le dossier n'a pas été informé : {exc}",
                    503,
                )
            else:
                adresse = f"{self.prefixe}/dossiers/{quote(piece.dossier, safe='')}?"
                adresse += urlencode({"document": piece.type_document})
                return RedirectResponse(adresse, status_code=303)
        return await self.dossier(request, cle, refus=refus, statut=statut)
