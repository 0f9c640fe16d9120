"""The yearly list of the contrat-pro beneficiaries, downloaded from the dashboard's form (the
same file as `GET /rapports/beneficiaires` and `guichet rapports beneficiaires`,
`workers.services.beneficiaires`). The year and the format are read as text and checked here:
a bad one is a French page naming the field, never a 422 in English."""

from fastapi import Request, Response

from workers.console.socle import Socle
from workers.services import beneficiaires
from workers.services.instruction import EXPORT
from workers.services.utilisateurs import AccesRefuse
from workers.services.validation import EntreeInvalide

FORMATS = {"csv": "text/csv; charset=utf-8", "xlsx": beneficiaires.XLSX}


class PageRapports(Socle):
    def rapport_beneficiaires(self, request: Request) -> Response:
        with self.session_db(request) as db:
            moi = self.moi(request, db)
            if moi is None:
                return self.vers_connexion(request)
            if moi.identite.role not in EXPORT:
                return self.erreur(
                    request,
                    moi,
                    403,
                    "Export non autorisé",
                    f"Rôle {moi.identite.role.value} : la liste des bénéficiaires est réservée "
                    "aux rôles instructeur, superviseur et admin.",
                )
            p = request.query_params
            format_ = p.get("format", "csv")
            if format_ not in FORMATS:
                return self.erreur(
                    request,
                    moi,
                    422,
                    "Format invalide",
                    f"format : « {format_[:20]} » n'est pas un format proposé (csv ou xlsx).",
                )
            try:
                liste = beneficiaires.liste_beneficiaires(db, moi.identite, p.get("annee", ""))
            except EntreeInvalide as exc:
                erreur = exc.erreurs[0]
                detail = (
                    f"annee : « {erreur.valeur} » n'est pas {erreur.regle}."
                    if erreur.valeur
                    else f"annee : obligatoire, {erreur.regle}."
                )
                return self.erreur(request, moi, 422, "Année invalide", detail)
            except AccesRefuse as exc:
                return self.erreur(request, moi, 403, "Accès refusé", str(exc))
        contenu = (
            beneficiaires.texte_csv(liste).encode()
            if format_ == "csv"
            else beneficiaires.octets_xlsx(liste)
        )
        nom = beneficiaires.nom_fichier(liste.annee, format_)
        return Response(
            contenu,
            media_type=FORMATS[format_],
            headers={
                "Content-Disposition": f'attachment; filename="{nom}"',
                "Cache-Control": "no-store",
                "X-Content-Type-Options": "nosniff",
            },
        )
