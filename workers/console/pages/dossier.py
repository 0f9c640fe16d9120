"""One dossier: what it shows (`fiche.py`), its timeline, and the instructor's decision form."""

from collections.abc import Mapping
from urllib.parse import quote, urlencode

from fastapi import Request, Response
from fastapi.responses import RedirectResponse

from models import exapro, libelles
from workers.console import fiche, rapport_exapro
from workers.console import session as sessions
from workers.console.socle import CODE, Socle, aujourd_hui
from workers.runtime.errors import ServiceUnreachable
from workers.services import instruction
from workers.services.regimes import regime
from workers.services.utilisateurs import AccesRefuse
from workers.services.validation import EntreeInvalide, resume


class PageDossier(Socle):
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
        message = _message_decision(request.query_params, vue.dossier.dispositif)
        import_exapro = None
        if vue.dossier.dispositif == exapro.WORKFLOW and vue.etat:
            champ = request.query_params.get("champ", "")[:60]
            import_exapro = rapport_exapro.vue(
                exapro.EtatImportExapro.model_validate(vue.etat), self.settings.data_dir, champ
            )
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
            exapro=import_exapro,
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


def _message_decision(params: Mapping[str, str], dispositif: str) -> str | None:
    decision, statut = params.get("decision", ""), params.get("statut", "")
    if decision and CODE.match(decision) and CODE.match(statut or "x"):
        nouveau = libelles.libelle_statut(dispositif, statut)
        return f"Décision « {fiche.libelle_decision(decision)} » enregistrée : {nouveau}."
    document = params.get("document", "")
    if document and CODE.match(document):
        return f"Document « {libelles.libelle_document(document)} » déposé et transmis au dossier."
    return None
