"""The dead letters: the list (filters by topic, type, code, status and date) and one dead letter
with its record (personal fields masked; shown in clear on request, audited), the form to
replay it (as stored, or corrected) and the form to ignore it with a motive. Roles superviseur
and admin, within their schemes (`workers.services.rebuts`)."""

import json
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import Request, Response
from fastapi.responses import RedirectResponse

from events import topics
from events.catalogue import CATALOGUE
from events.registre import CodeRejet
from rules.calendrier import PARIS
from workers.console import session as sessions
from workers.console.socle import Socle
from workers.runtime.errors import ServiceUnreachable
from workers.services import rebuts
from workers.services.instruction import DossierClos, TemporalIndisponible
from workers.services.rebuts import (
    FiltresRebuts,
    RebutDejaTraite,
    RebutInconnu,
    RegistreRebutsSql,
    StatutRebut,
    VueRebut,
)
from workers.services.utilisateurs import AccesRefuse
from workers.services.validation import EntreeInvalide, resume

TAILLE_PAGE = 25
LIBELLES_CODE = {
    CodeRejet.TROP_VOLUMINEUX: "Trop volumineux",
    CodeRejet.JSON_INVALIDE: "JSON illisible",
    CodeRejet.ENVELOPPE: "Enveloppe CloudEvents invalide",
    CodeRejet.TYPE_INCONNU: "Type inconnu",
    CodeRejet.MAUVAIS_TOPIC: "Mauvais topic",
    CodeRejet.CONTRAT: "Données hors contrat",
    CodeRejet.DOSSIER_CLOS: "Dossier clos",
    CodeRejet.TEMPORAL_REFUS: "Refusé par Temporal",
    CodeRejet.ECHECS_REPETES: "Échecs répétés",
}
LIBELLES_STATUT = {
    StatutRebut.NOUVEAU: "Nouveau",
    StatutRebut.REJOUE: "Rejoué",
    StatutRebut.IGNORE: "Ignoré",
}
MESSAGES = {
    "rejoue": "Rebut rejoué : l'événement a été transmis au dossier.",
    "ignore": "Rebut ignoré : il ne sera pas rejoué.",
}


def _jour(texte: str, champ: str) -> date | str:
    try:
        return date.fromisoformat(texte)
    except ValueError:
        return f"{champ} : date attendue au format AAAA-MM-JJ (reçu « {texte[:40]} »)"


def _minuit(jour: date) -> datetime:
    return datetime.combine(jour, time(0), tzinfo=PARIS)


def _filtres(choix: Mapping[str, str]) -> FiltresRebuts | list[str]:
    """The list's filters from the query string, or what is wrong with it (in French)."""
    erreurs: list[str] = []
    code, statut = choix["code"], choix["statut"]
    if code and code not in {c.value for c in CodeRejet}:
        erreurs.append(f"motif de rejet inconnu : « {code[:40]} »")
    if statut and statut not in {s.value for s in StatutRebut}:
        erreurs.append(f"statut inconnu : « {statut[:40]} »")
    if len(choix["topic"]) > 255 or len(choix["type"]) > 100:
        erreurs.append("topic (255 caractères) ou type (100 caractères) trop long")
    depuis = _jour(choix["depuis"], "reçu depuis") if choix["depuis"] else None
    jusqu_a = _jour(choix["jusqu_a"], "reçu jusqu'au") if choix["jusqu_a"] else None
    erreurs += [x for x in (depuis, jusqu_a) if isinstance(x, str)]
    if erreurs:
        return erreurs
    assert not isinstance(depuis, str)
    assert not isinstance(jusqu_a, str)
    return FiltresRebuts(
        topic=choix["topic"] or None,
        type=choix["type"] or None,
        code=code or None,
        statut=StatutRebut(statut) if statut else None,
        depuis=_minuit(depuis) if depuis else None,
        jusqu_a=_minuit(jusqu_a + timedelta(days=1)) if jusqu_a else None,  # the day included
    )


def _id(texte: str) -> int | None:
    return int(texte) if texte.isdigit() and len(texte) < 18 else None


def _joli(vue: VueRebut) -> str:
    if vue.format == "json":
        return json.dumps(vue.contenu, ensure_ascii=False, indent=2)
    return "" if vue.contenu is None else str(vue.contenu)


class PageRebuts(Socle):
    def _registre(self, request: Request) -> RegistreRebutsSql:
        return RegistreRebutsSql.pour(self.settings, self.contexte(request).engine)

    def rebuts(self, request: Request) -> Response:
        with self.session_db(request) as db:
            moi = self.moi(request, db)
        if moi is None:
            return self.vers_connexion(request)
        p = request.query_params
        choix = {
            nom: p.get(nom, "").strip()
            for nom in ("topic", "type", "code", "statut", "depuis", "jusqu_a")
        }
        filtres = _filtres(choix)
        if isinstance(filtres, list):
            return self.erreur(request, moi, 422, "Filtre invalide", " ; ".join(filtres))
        try:
            page = self._registre(request).lister(
                moi.identite, filtres, limite=TAILLE_PAGE, curseur=p.get("curseur") or None
            )
        except AccesRefuse as exc:
            return self.erreur(request, moi, 403, "Accès refusé", str(exc))
        except EntreeInvalide as exc:
            return self.erreur(request, moi, 422, "Pagination invalide", resume(exc.erreurs))

        def lien(curseur: str | None) -> str:
            params = {k: v for k, v in choix.items() if v}
            if curseur:
                params["curseur"] = curseur
            return f"{self.prefixe}/rebuts?{urlencode(params)}"

        identite = moi.identite
        return self.rendre(
            "rebuts.html",
            request,
            moi,
            titre="Événements rejetés",
            page="rebuts",
            filtres=choix,
            topics=[*topics.PARTENAIRES, rebuts.HTTP],
            types=sorted(t for t, spec in CATALOGUE.items() if identite.voit(spec.perimetre())),
            codes=[(c.value, LIBELLES_CODE.get(c, c.value)) for c in CodeRejet],
            statuts=[(s.value, LIBELLES_STATUT[s]) for s in StatutRebut],
            libelles_code=LIBELLES_CODE,
            libelles_statut=LIBELLES_STATUT,
            total=page.total,
            lignes=page.rebuts,
            lien_suivant=lien(page.suivant) if page.suivant else None,
            lien_debut=lien(None) if p.get("curseur") else None,
            conservation=self.settings.rebuts_conservation_jours,
        )

    async def rebut(
        self,
        request: Request,
        id_rebut: str,
        *,
        en_clair: bool = False,
        refus: str | None = None,
        saisie: Mapping[str, str] | None = None,
        statut: int = 200,
    ) -> Response:
        with self.session_db(request) as db:
            moi = self.moi(request, db)
        if moi is None:
            return self.vers_connexion(request)
        id_ = _id(id_rebut)
        if id_ is None:
            return self.erreur(request, moi, 404, "Rebut introuvable", f"rebut {id_rebut[:40]!r}")
        try:
            vue = self._registre(request).lire(id_, moi.identite, en_clair=en_clair)
        except RebutInconnu as exc:
            return self.erreur(request, moi, 404, "Rebut introuvable", str(exc))
        except AccesRefuse as exc:
            return self.erreur(request, moi, 403, "Accès refusé", str(exc))
        champs = dict(saisie or {})
        if en_clair and vue.format == "json" and "corrige" not in champs:
            champs["corrige"] = _joli(vue)  # the clear record, ready to correct
        return self.rendre(
            "rebut.html",
            request,
            moi,
            statut,
            titre=f"Rebut {id_}",
            page="rebuts",
            vue=vue,
            r=vue.rebut,
            enregistrement=_joli(vue),
            libelle_code=LIBELLES_CODE.get(CodeRejet(vue.rebut.code), vue.rebut.code)
            if vue.rebut.code in {c.value for c in CodeRejet}
            else vue.rebut.code,
            libelle_statut=LIBELLES_STATUT[vue.rebut.statut],
            a_traiter=vue.rebut.statut is StatutRebut.NOUVEAU,
            peut_voir_en_clair=moi.identite.role in rebuts.EN_CLAIR,
            refus=refus,
            message=MESSAGES.get(request.query_params.get("fait", "")),
            saisie=champs,
        )

    async def _formulaire(
        self, request: Request, id_rebut: str
    ) -> tuple[sessions.SessionConsole, dict[str, str]] | Response:
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
                "Jeton CSRF absent ou invalide : rechargez la page du rebut.",
            )
        if _id(id_rebut) is None:
            return self.erreur(request, moi, 404, "Rebut introuvable", f"rebut {id_rebut[:40]!r}")
        return moi, champs

    async def rebut_en_clair(self, request: Request, id_rebut: str) -> Response:
        """A POST (with the CSRF token): reading the clear values is audited."""
        lu = await self._formulaire(request, id_rebut)
        if isinstance(lu, Response):
            return lu
        return await self.rebut(request, id_rebut, en_clair=True)

    async def rejouer(self, request: Request, id_rebut: str) -> Response:
        lu = await self._formulaire(request, id_rebut)
        if isinstance(lu, Response):
            return lu
        moi, champs = lu
        id_ = int(id_rebut)
        texte = champs.get("corrige", "").strip()
        corrige = texte.encode() if texte else None
        try:
            await self._registre(request).rejouer(
                id_,
                moi.identite,
                corrige,
                client=self.contexte(request).client,
                task_queue=self.settings.task_queue,
            )
        except RebutInconnu as exc:
            return self.erreur(request, moi, 404, "Rebut introuvable", str(exc))
        except AccesRefuse as exc:
            return self.erreur(request, moi, 403, "Rejeu non autorisé", str(exc))
        except EntreeInvalide as exc:
            refus, statut = f"Rejeu refusé. {exc.detail}", 422
        except (RebutDejaTraite, DossierClos) as exc:
            refus, statut = f"Rejeu impossible. {exc}", 409
        except (TemporalIndisponible, ServiceUnreachable) as exc:
            refus, statut = f"Service indisponible : {exc}", 503
        else:
            return self._vers_rebut(id_, "rejoue")
        return await self.rebut(
            request, id_rebut, refus=refus, saisie=_saisie(champs), statut=statut
        )

    async def ignorer(self, request: Request, id_rebut: str) -> Response:
        lu = await self._formulaire(request, id_rebut)
        if isinstance(lu, Response):
            return lu
        moi, champs = lu
        id_ = int(id_rebut)
        try:
            self._registre(request).ignorer(id_, moi.identite, champs.get("motif", ""))
        except RebutInconnu as exc:
            return self.erreur(request, moi, 404, "Rebut introuvable", str(exc))
        except AccesRefuse as exc:
            return self.erreur(request, moi, 403, "Action non autorisée", str(exc))
        except EntreeInvalide as exc:
            refus, statut = f"{exc.detail} : {resume(exc.erreurs)}", 422
        except RebutDejaTraite as exc:
            refus, statut = str(exc), 409
        else:
            return self._vers_rebut(id_, "ignore")
        return await self.rebut(
            request, id_rebut, refus=refus, saisie=_saisie(champs), statut=statut
        )

    def _vers_rebut(self, id_: int, fait: str) -> RedirectResponse:
        return RedirectResponse(
            f"{self.prefixe}/rebuts/{id_}?{urlencode({'fait': fait})}", status_code=303
        )


def _saisie(champs: Mapping[str, Any]) -> dict[str, str]:
    """What the user typed, given back to the form (the correction may hold personal values:
    it is the user's own input, shown to that user only)."""
    return {k: str(v)[:1_100_000] for k, v in champs.items() if k in ("corrige", "motif")}
