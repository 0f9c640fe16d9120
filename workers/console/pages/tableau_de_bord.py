"""The supervisors' dashboard: counts by scheme and status, amounts by month, deadlines, the
dead letters of the store (`tableau_de_bord.py` computes them, `graphiques.py` draws them)."""

from datetime import timedelta
from decimal import Decimal

from fastapi import Request, Response

from models.contrat_pro import WORKFLOW as CONTRAT_PRO
from workers.console.graphiques import Serie, courbe, histogramme
from workers.console.socle import SUPERVISION, Socle, aujourd_hui
from workers.console.tableau_de_bord import (
    comptes_par_statut,
    echeances_par_jour,
    echeances_prochaines,
    en_retard,
    lire_rebuts,
    montants_par_mois,
)


class PageTableauDeBord(Socle):
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
            mois = montants_par_mois(session=db, aujourd_hui=jour, identite=moi.identite)
            proches = echeances_prochaines(session=db, aujourd_hui=jour)
            retards = en_retard(session=db, aujourd_hui=jour, identite=moi.identite)
            rebuts = lire_rebuts(session=db, identite=moi.identite)
        identite = moi.identite
        comptes = [c for c in comptes if identite.voit(c.dispositif)]
        proches = [d for d in proches if identite.voit(d.dispositif)]
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
            liste_beneficiaires=identite.voit(CONTRAT_PRO),
            annee=jour.year,
        )
