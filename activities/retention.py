"""The retention job's side effects: find the closed dossiers whose retention period has
ended (`rules/retention.py`, `rules/data/retention.csv`) and purge their personal data from
the read model and the document store, writing what was purged to the audit log (nature
`purge`). The anonymous figures (scheme, status, amounts, dates, orders) stay for statistics.

Temporal keeps nothing to purge here: a closed workflow's history is deleted by the namespace
retention, and its search attributes never hold a personal field (`models/recherche.py`).
"""

import asyncio
from collections.abc import Mapping
from typing import Protocol

from sqlalchemy import Engine
from sqlmodel import Session
from temporalio import activity

from models import are, cae_dom, contrat_pro, depot_rgpd, exapro
from models.dossier import Nature
from models.retention import DossierEchu, PurgeDemandee, PurgeFaite, RechercheEchus
from rules.calendrier import PARIS
from rules.retention import RegleConservation, fin_conservation, regles_conservation

AUTEUR = "guichet/retention"
STATUTS_CLOS: Mapping[str, frozenset[str]] = {
    contrat_pro.WORKFLOW: frozenset(contrat_pro.STATUTS_TERMINAUX),
    "cae-dom": frozenset(cae_dom.STATUTS_TERMINAUX),
    "are-campagne": frozenset({are.StatutCampagne.BILANS_DEMANDES}),
    "are-complement": frozenset(are.STATUTS_COMPLEMENT_TERMINAUX),
    "are-bilan": frozenset(are.STATUTS_BILAN_TERMINAUX),
    "exapro-import": frozenset(exapro.STATUTS_TERMINAUX),
}
"""The statuses in which each scheme's workflow has ended (the dossier is closed)."""


class EffaceurDocuments(Protocol):
    """The document store, as the purge needs it (`workers.services.documents.Stockage`
    adapted by the composition root): delete every file of a dossier, return what was
    deleted."""

    def supprimer_dossier(self, dossier: str) -> list[str]: ...


def _regle(regles: Mapping[str, RegleConservation], dispositif: str) -> RegleConservation:
    regle = regles.get(dispositif)
    if regle is None:
        raise ValueError(
            f"dispositif {dispositif!r}: aucune durée de conservation dans "
            "rules/data/retention.csv (une ligne par dispositif est obligatoire)"
        )
    return regle


class RetentionActivities:
    def __init__(self, engine: Engine, documents: EffaceurDocuments | None = None) -> None:
        self._engine = engine
        self._documents = documents

    @activity.defn(name="dossiers_a_purger")
    async def dossiers_a_purger(self, recherche: RechercheEchus) -> list[DossierEchu]:
        return await asyncio.to_thread(self._echus, recherche)

    def _echus(self, recherche: RechercheEchus) -> list[DossierEchu]:
        regles = regles_conservation()
        with Session(self._engine) as session:
            clos = depot_rgpd.dossiers_non_purges(session=session, statuts_clos=STATUTS_CLOS)
            payes = depot_rgpd.derniers_paiements(session=session, dossiers=[d.cle for d in clos])
        echus: list[DossierEchu] = []
        for dossier in clos:
            paiement = payes.get(dossier.cle)
            fin = fin_conservation(
                _regle(regles, dossier.dispositif),
                cloture=depot_rgpd.jour_de(dossier.maj_le, PARIS),
                dernier_paiement=None if paiement is None else depot_rgpd.jour_de(paiement, PARIS),
            )
            if fin is not None and recherche.aujourdhui > fin:
                echus.append(DossierEchu(cle=dossier.cle, fin_conservation=fin))
                if len(echus) >= recherche.limite:
                    break
        return echus

    @activity.defn(name="purger_dossier")
    async def purger_dossier(self, demande: PurgeDemandee) -> PurgeFaite:
        return await asyncio.to_thread(self._purger, demande)

    def _purger(self, demande: PurgeDemandee) -> PurgeFaite:
        # Files first: if deleting them fails, the dossier is not marked purged and the next
        # attempt tries again. Deleting a file already gone is not an error for the store.
        documents = self._documents.supprimer_dossier(demande.cle) if self._documents else []
        with Session(self._engine) as session:
            purge = depot_rgpd.purger_lecture(session=session, cle=demande.cle, quand=demande.quand)
            if not purge:
                return PurgeFaite(cle=demande.cle, purge=False)
            depot_rgpd.ajouter_ligne(
                session=session,
                dossier=demande.cle,
                cle_unique=f"purge/{demande.aujourdhui.isoformat()}",
                horodatage=demande.quand,
                nature=Nature.PURGE,
                type_="fin_de_conservation",
                auteur=AUTEUR,
                detail={
                    "fin_conservation": demande.fin_conservation.isoformat(),
                    **purge,
                    "documents_supprimes": len(documents),
                    "stockage_documents": "supprimés" if self._documents else "non branché",
                },
            )
            session.commit()
        activity.logger.info(
            "dossier_purge", extra={"dossier": demande.cle, "documents": len(documents)}
        )
        return PurgeFaite(cle=demande.cle, purge=True, documents=documents)
