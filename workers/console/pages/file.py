"""The work queue: the dossiers in scope by next deadline, with filters and pagination."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlencode

from fastapi import Request, Response
from sqlmodel import Session, col, select

from models.depot import FiltresDossiers
from models.tables import Dossier
from workers.console.socle import CODE, Socle, aujourd_hui
from workers.services import instruction
from workers.services.regimes import REGIMES
from workers.services.utilisateurs import Identite, Role
from workers.services.validation import EntreeInvalide, resume

TAILLE_PAGE = 25
CHOIX_ECHEANCE = (
    ("", "Toutes"),
    ("retard", "En retard"),
    ("7j", "D'ici 7 jours (retards compris)"),
    ("30j", "D'ici 30 jours (retards compris)"),
    ("aucune", "Sans échéance"),
)
JOURS_ECHEANCE = {"retard": 0, "7j": 7, "30j": 30}


@dataclass(frozen=True)
class LigneFile:
    dossier: instruction.DossierPublic
    en_retard: bool
    sous_7_jours: bool


class PageFile(Socle):
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
