"""The console's pages, as a FastAPI router the API app includes (`routeur_console`).

Server-rendered (Jinja2, autoescaped), in French. The pages use the API's resources
(`app.state.contexte`: engine, Temporal client, document store) and its service layer
(`workers.instruction`, `workers.documents`): the same users, roles, scheme scopes and rules.
The service's errors are caught here and shown as pages, never as the API's JSON.

Query strings and forms are read as text and checked here, so bad input gives a French message
naming the field, never a 422 in English or a 500.
"""

import csv
import io
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, StreamingResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlmodel import Session, col, select

from models.are import WORKFLOW_CAMPAGNE, EtatCampagne
from models.depot import FiltresDossiers
from models.tables import Dossier
from rules.calendrier import PARIS
from workers import documents, instruction
from workers.console import fiche
from workers.console import session as sessions
from workers.console.graphiques import Serie, courbe, histogramme
from workers.console.tableau_de_bord import (
    comptes_par_statut,
    echeances_par_jour,
    echeances_prochaines,
    en_retard,
    lire_rebuts,
    montants_par_mois,
)
from workers.errors import ServiceUnreachable
from workers.regimes import REGIMES, regime
from workers.settings import Settings
from workers.utilisateurs import AccesRefuse, Identite, Role
from workers.validation import EntreeInvalide, resume

ICI = Path(__file__).parent
STATIQUES = {"console.css": "text/css; charset=utf-8"}
TAILLE_PAGE = 25
SUPERVISION = (Role.SUPERVISEUR, Role.ADMIN)
CHOIX_ECHEANCE = (
    ("", "Toutes"),
    ("retard", "En retard"),
    ("7j", "D'ici 7 jours (retards compris)"),
    ("30j", "D'ici 30 jours (retards compris)"),
    ("aucune", "Sans échéance"),
)
JOURS_ECHEANCE = {"retard": 0, "7j": 7, "30j": 30}
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
    return env


@dataclass(frozen=True)
class LigneFile:
    dossier: instruction.DossierPublic
    en_retard: bool
    sous_7_jours: bool


class Console:
    """The pages; one instance per app (templates and signing key loaded once)."""

    def __init__(self, settings: Settings, prefixe: str, secret: bytes | None) -> None:
        self.settings = settings
        self.prefixe = prefixe
        self.env = environnement()
        self.signeur = sessions.Signeur(secret or sessions.secret_console(settings.data_dir))

    # --- plumbing --------------------------------------------------------------------------

    @staticmethod
    def contexte(request: Request) -> Any:
        return request.app.state.contexte

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

    # --- login -----------------------------------------------------------------------------

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
        reponse = RedirectResponse(f"{self.prefixe}/connexion", status_code=303)
        sessions.fermer_session(reponse)
        return reponse

    # --- queue -----------------------------------------------------------------------------

    def file(self, request: Request) -> Response:
        with self.session_db(request) as db:
            moi = self.moi(request, db)
            if moi is None:
                return self.vers_connexion(request)
            identite = moi.identite
            if identite.role is Role.PARTENAIRE:
                return self.erreur(request, moi, 403, "Accès refusé", "Rôle partenaire.")
            p = request.query_params
            choix = {
                "dispositif": p.get("dispositif", ""),
                "statut": p.get("statut", ""),
                "echeance": p.get("echeance", ""),
                "anomalie": p.get("anomalie", ""),
            }
            erreurs = _verifier_filtres(choix, identite)
            if erreurs:
                return self.erreur(request, moi, 422, "Filtre invalide", "; ".join(erreurs))
            jour = aujourd_hui()
            page = self._page_file(db, identite, choix, jour, p.get("curseur"))
            if isinstance(page, str):
                return self.erreur(request, moi, 422, "Pagination invalide", page)
            statuts = _statuts_visibles(db, identite)

            def lien(curseur: str | None) -> str:
                params = {k: v for k, v in choix.items() if v}
                if curseur:
                    params["curseur"] = curseur
                return f"{self.prefixe}/file?{urlencode(params)}"

            return self.rendre(
                "file.html",
                request,
                moi,
                titre="File de travail",
                page="file",
                filtres=choix,
                dispositifs=[(c, r.libelle) for c, r in REGIMES.items() if identite.voit(c)],
                statuts=statuts,
                choix_echeance=CHOIX_ECHEANCE,
                total=page.total,
                lignes=[_ligne_file(d, jour) for d in page.dossiers],
                lien_suivant=lien(page.suivant) if page.suivant else None,
                lien_debut=lien(None) if p.get("curseur") else None,
            )

    def _page_file(
        self,
        db: Session,
        identite: Identite,
        choix: Mapping[str, str],
        jour: date,
        curseur: str | None,
    ) -> instruction.PageDossiers | str:
        echeance = choix["echeance"]
        filtres = FiltresDossiers(
            dispositif=choix["dispositif"] or None,
            statut=choix["statut"] or None,
            echeance_avant=jour + timedelta(days=JOURS_ECHEANCE[echeance] + (echeance != "retard"))
            if echeance in JOURS_ECHEANCE
            else None,
            avec_anomalie={"oui": True, "non": False}.get(choix["anomalie"]),
        )
        if echeance == "aucune":
            return _sans_echeance(db, identite, filtres)
        try:
            return instruction.lister(
                db,
                identite,
                filtres,
                tri="prochaine_echeance",
                limite=TAILLE_PAGE,
                curseur=curseur or None,
            )
        except EntreeInvalide as exc:
            return f"{exc.detail} : {resume(exc.erreurs)}"

    # --- one dossier -----------------------------------------------------------------------

    async def dossier(
        self,
        request: Request,
        cle: str,
        *,
        refus: str | None = None,
        saisie: Mapping[str, str] | None = None,
        statut: int = 200,
    ) -> Response:
        with self.session_db(request) as db:
            moi = self.moi(request, db)
            if moi is None:
                return self.vers_connexion(request)
            try:
                client = await self.contexte(request).client()
            except ServiceUnreachable:
                client = None
            try:
                vue = await instruction.montrer(db, client, cle, moi.identite)
                lignes = instruction.chronologie(db, vue.dossier.cle, moi.identite)
            except instruction.DossierInconnu as exc:
                return self.erreur(request, moi, 404, "Dossier introuvable", str(exc))
            except AccesRefuse as exc:
                return self.erreur(request, moi, 403, "Accès refusé", str(exc))
        identite = moi.identite
        r = regime(vue.dossier.dispositif)
        peut_decider = (
            identite.role in instruction.DECISION and r is not None and r.decision is not None
        )
        if r is None or r.decision is None:
            raison = "Ce dispositif ne prend pas de décision d'instructeur : il avance sur les "
            raison += "événements des partenaires et les échéances."
        else:
            raison = f"Votre rôle ({identite.role.value}) permet de consulter ce dossier, "
            raison += "pas d'y prendre une décision."
        message = _message_decision(request.query_params)
        return self.rendre(
            "dossier.html",
            request,
            moi,
            statut,
            titre=f"Dossier {vue.dossier.reference}",
            page="dossier",
            dossier=vue.dossier,
            libelle_regime=r.libelle if r else vue.dossier.dispositif,
            badges=fiche.badges(vue.dossier, aujourd_hui()),
            etat_indisponible=vue.note,
            refus=refus,
            message=message,
            **fiche.contenu(vue),
            chronologie=[fiche.ligne_chronologie(ligne) for ligne in reversed(lignes)],
            peut_decider=peut_decider,
            raison_sans_decision=raison,
            champs_decision=fiche.champs_decision(r.decision) if r and r.decision else [],
            types_decision=[(t, fiche.libelle_decision(t)) for t in vue.decisions_possibles],
            decisions_refusees=[
                (fiche.libelle_decision(t), motif) for t, motif in vue.decisions_refusees.items()
            ],
            saisie=dict(saisie or {}),
            peut_deposer=identite.role in instruction.DOCUMENT,
            types_document=r.types_document if r else ("autre",),
        )

    async def decider(self, request: Request, cle: str) -> Response:
        formulaire = await request.form()
        champs = {k: str(v) for k, v in formulaire.items() if isinstance(v, str)}
        with self.session_db(request) as db:
            moi = self.moi(request, db)
            if moi is None:
                return self.vers_connexion(request)
            if not sessions.csrf_valide(moi, champs.pop("csrf", "")):
                return self.erreur(
                    request,
                    moi,
                    403,
                    "Formulaire refusé",
                    "Jeton CSRF absent ou invalide : rechargez la page du dossier.",
                )
            demande = fiche.demande_de_formulaire(champs)
            try:
                client = await self.contexte(request).client()
                resultat = await instruction.decider(db, client, cle, demande, moi.identite)
            except instruction.DossierInconnu as exc:
                return self.erreur(request, moi, 404, "Dossier introuvable", str(exc))
            except AccesRefuse as exc:
                return self.erreur(request, moi, 403, "Décision non autorisée", str(exc))
            except instruction.DecisionRefusee as exc:
                refus, statut = exc.motif, 409
            except EntreeInvalide as exc:
                refus, statut = f"{exc.detail} : {resume(exc.erreurs)}", 422
            except instruction.DecisionImpossible as exc:
                refus, statut = str(exc), 422
            except (instruction.TemporalIndisponible, ServiceUnreachable) as exc:
                refus, statut = f"service indisponible : {exc}", 503
            else:
                adresse = f"{self.prefixe}/dossiers/{quote(resultat.dossier, safe='')}?"
                adresse += urlencode({"decision": resultat.type, "statut": resultat.statut})
                return RedirectResponse(adresse, status_code=303)
        return await self.dossier(request, cle, refus=refus, saisie=champs, statut=statut)

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
            contenu = await fichier.read()
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

    # --- dashboard -------------------------------------------------------------------------

    async def tableau_de_bord(self, request: Request) -> Response:
        with self.session_db(request) as db:
            moi = self.moi(request, db)
            if moi is None:
                return self.vers_connexion(request)
            if moi.identite.role not in SUPERVISION:
                return self.erreur(
                    request,
                    moi,
                    403,
                    "Accès refusé",
                    f"Le tableau de bord est réservé aux rôles superviseur et admin "
                    f"(votre rôle : {moi.identite.role.value}).",
                )
            jour = aujourd_hui()
            comptes = comptes_par_statut(session=db)
            mois = montants_par_mois(session=db, aujourd_hui=jour)
            proches = echeances_prochaines(session=db, aujourd_hui=jour)
            retards = en_retard(session=db, aujourd_hui=jour)
        identite = moi.identite
        comptes = [c for c in comptes if identite.voit(c.dispositif)]
        proches = [d for d in proches if identite.voit(d.dispositif)]
        rebuts = await lire_rebuts(self.settings.kafka_bootstrap_servers)
        par_jour = echeances_par_jour(proches)
        jours = [jour + timedelta(days=i) for i in range(31)]
        graphique_montants = histogramme(
            "Montants par mois (€)",
            [m.libelle for m in mois],
            [
                Serie("accordé", [m.accorde for m in mois]),
                Serie("versé", [m.verse for m in mois]),
                Serie("à récupérer", [m.a_recuperer for m in mois]),
            ],
        )
        graphique_echeances = courbe(
            "Échéances des 30 prochains jours (dossiers par jour)",
            [f"{j:%d/%m}" if i % 5 == 0 else "" for i, j in enumerate(jours)],
            [Serie("dossiers", [Decimal(par_jour.get(j, 0)) for j in jours])],
            unite="dossier(s)",
            entiers=True,
        )
        dispositifs = sorted({c.dispositif for c in comptes})
        statuts = sorted({c.statut for c in comptes})
        matrice = {(c.dispositif, c.statut): c.nombre for c in comptes}
        return self.rendre(
            "tableau_de_bord.html",
            request,
            moi,
            titre="Tableau de bord",
            page="tableau",
            dispositifs=dispositifs,
            statuts=statuts,
            matrice=matrice,
            total=sum(c.nombre for c in comptes),
            mois=mois,
            graphique_montants=graphique_montants,
            graphique_echeances=graphique_echeances,
            proches=proches,
            retards=retards,
            rebuts=rebuts,
        )

    # --- ARE campaigns ---------------------------------------------------------------------

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
        return self.rendre(
            "are_campagne.html",
            request,
            moi,
            titre=f"Campagne ARE {vue.dossier.reference}",
            page="are",
            dossier=vue.dossier,
            etat=etat,
            note=vue.note,
            table=fiche.table_commission(etat) if etat else None,
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
        table = fiche.table_commission(EtatCampagne.model_validate(vue.etat))
        if table is None:
            return self.erreur(
                request, moi, 409, "Pas de table", "La table n'est pas encore calculée."
            )

        def lignes() -> Iterator[str]:
            tampon = io.StringIO()
            ecrivain = csv.writer(tampon, delimiter=";", lineterminator="\r\n")
            ecrivain.writerows(fiche.table_csv(table))
            yield "\ufeff" + tampon.getvalue()  # BOM: spreadsheet software reads UTF-8

        nom = re.sub(r"[^\w.-]", "_", f"commission-{vue.dossier.reference}.csv")
        return StreamingResponse(
            lignes(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{nom}"'},
        )


def _ligne_file(dossier: instruction.DossierPublic, jour: date) -> LigneFile:
    echeance = dossier.prochaine_echeance
    return LigneFile(
        dossier=dossier,
        en_retard=echeance is not None and echeance < jour,
        sous_7_jours=echeance is not None and jour <= echeance <= jour + timedelta(days=7),
    )


def _verifier_filtres(choix: Mapping[str, str], identite: Identite) -> list[str]:
    erreurs = []
    if choix["dispositif"] and choix["dispositif"] not in REGIMES:
        erreurs.append(
            f"dispositif « {choix['dispositif']} » inconnu : l'un de {', '.join(REGIMES)}"
        )
    elif choix["dispositif"] and not identite.voit(choix["dispositif"]):
        erreurs.append(f"dispositif « {choix['dispositif']} » hors de votre périmètre")
    if choix["statut"] and not CODE.match(choix["statut"]):
        erreurs.append(f"statut « {choix['statut'][:50]} » : lettres minuscules, chiffres et _")
    if choix["echeance"] not in dict(CHOIX_ECHEANCE):
        erreurs.append(
            f"échéance « {choix['echeance'][:50]} » : l'une de "
            + ", ".join(c for c, _ in CHOIX_ECHEANCE if c)
        )
    if choix["anomalie"] not in ("", "oui", "non"):
        erreurs.append(f"anomalie « {choix['anomalie'][:50]} » : oui, non ou vide")
    return erreurs


def _statuts_visibles(db: Session, identite: Identite) -> list[str]:
    lignes = db.exec(select(Dossier.dispositif, Dossier.statut).distinct()).all()
    return sorted({s for d, s in lignes if identite.voit(d)})


def _sans_echeance(
    db: Session, identite: Identite, filtres: FiltresDossiers
) -> instruction.PageDossiers:
    """Dossiers with no deadline (the service lists by deadline; nulls come last there)."""
    query = select(Dossier).where(col(Dossier.prochaine_echeance).is_(None))
    if filtres.dispositif:
        query = query.where(Dossier.dispositif == filtres.dispositif)
    if filtres.statut:
        query = query.where(Dossier.statut == filtres.statut)
    if filtres.avec_anomalie is not None:
        anomalies = col(Dossier.anomalies)
        query = query.where((anomalies > 0) if filtres.avec_anomalie else (anomalies == 0))
    lignes = [
        d for d in db.exec(query.order_by(col(Dossier.cle))).all() if identite.voit(d.dispositif)
    ]
    return instruction.PageDossiers(
        dossiers=[
            instruction.DossierPublic.model_validate(d, from_attributes=True)
            for d in lignes[:TAILLE_PAGE]
        ],
        total=len(lignes),
        suivant=None,
    )


def _message_decision(params: Mapping[str, str]) -> str | None:
    decision, statut = params.get("decision", ""), params.get("statut", "")
    if decision and CODE.match(decision) and CODE.match(statut or "x"):
        return f"Décision « {fiche.libelle_decision(decision)} » enregistrée : statut {statut}."
    document = params.get("document", "")
    if document and CODE.match(document):
        return f"Document « {document} » déposé et transmis au dossier."
    return None


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
    get("/are", campagnes_get)
    get("/are/table/{cle:path}", console.campagne_csv)
    get("/are/{cle:path}", console.campagne)
    return routeur
