"""Login and logout: the login form (with its own CSRF token), the session cookie."""

from fastapi import Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from workers.console import session as sessions
from workers.console.socle import Socle
from workers.services.utilisateurs import Role


class PageConnexion(Socle):
    def page_connexion(
        self, request: Request, *, statut: int = 200, erreur: str | None = None, nom: str = ""
    ) -> HTMLResponse:
        csrf, cookie = sessions.jeton_connexion(request, self.signeur)
        reponse = self.rendre(
            "connexion.html",
            request,
            None,
            statut,
            titre="Connexion",
            csrf=csrf,
            suite=self.suite_sure(request.query_params.get("suite")),
            erreur=erreur,
            nom=nom,
        )
        if cookie:
            sessions.poser_cookie_connexion(reponse, cookie, https=self.https(request))
        return reponse

    async def connexion(self, request: Request) -> Response:
        formulaire = await request.form()
        nom, jeton = str(formulaire.get("nom", "")), str(formulaire.get("jeton", ""))
        if not sessions.csrf_connexion_valide(
            request, self.signeur, str(formulaire.get("csrf", ""))
        ):
            return self.page_connexion(
                request,
                statut=403,
                erreur="Le formulaire a expiré ou ne vient pas de cette page : "
                "rechargez la page et reconnectez-vous.",
                nom=nom,
            )
        with self.session_db(request) as db:
            resultat = sessions.ouvrir_session(session=db, nom=nom, jeton=jeton)
            if isinstance(resultat, str):
                return self.page_connexion(
                    request, statut=401, erreur=f"Connexion refusée : {resultat}.", nom=nom
                )
            utilisateur, empreinte = resultat
            if utilisateur.role == Role.PARTENAIRE.value:
                return self.page_connexion(
                    request,
                    statut=403,
                    erreur="Connexion refusée : le rôle partenaire sert aux systèmes des "
                    "partenaires (API), pas à la console.",
                    nom=nom,
                )
        reponse = RedirectResponse(
            self.suite_sure(str(formulaire.get("suite", ""))), status_code=303
        )
        sessions.poser_session(
            reponse,
            self.signeur,
            nom=utilisateur.nom,
            empreinte_jeton=empreinte,
            version=utilisateur.version_session,
            https=self.https(request),
        )
        return reponse

    async def deconnexion(self, request: Request) -> Response:
        formulaire = await request.form()
        with self.session_db(request) as db:
            moi = self.moi(request, db)
            if moi is not None and not sessions.csrf_valide(moi, str(formulaire.get("csrf", ""))):
                return self.erreur(
                    request, moi, 403, "Formulaire refusé", "Jeton CSRF absent ou invalide."
                )
            if moi is not None:
                sessions.fermer_sessions(db, moi.identite.nom)
                db.commit()
        reponse = RedirectResponse(f"{self.prefixe}/connexion", status_code=303)
        sessions.fermer_session(reponse)
        return reponse
