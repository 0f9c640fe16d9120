"""The retention job's side effects: find the closed dossiers whose retention period has
ended (`rules/retention.py`, `rules/data/retention.csv`) and purge their personal data from
the read model and the document store, writing what was purged to the audit log (nature
`purge`). The anonymous figures (scheme, status, amounts, dates, orders) stay for statistics.

The same daily run deletes the dead letters (`rebut` table, their encrypted records included)
received more than `rebuts_conservation_jours` days ago, inside `dossiers_a_purger`: no new
workflow command, so running retention workflows replay unchanged. The purge is written to the
audit log (dossier `rebuts`, nature `rebut`, type `purge`).

The same activity, first of all, writes the day's signed digest of every audit chain head
(`models.depot_audit.condenser`, docs/audit.md) and publishes it on `guichet.audit`
(`guichet.audit.condensat.v1`): again no workflow command of its own. The digest is written
once a day; a retry (or the run's continue-as-new) publishes it again only if it was not yet
marked published, with the same event id.

Temporal keeps nothing to purge here: a closed workflow's history is deleted by the namespace
retention, and its search attributes never hold a personal field (`models/recherche.py`).
"""

import asyncio
import uuid
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol

from sqlalchemy import Engine, delete, func
from sqlmodel import Session, col, select
from temporalio import activity

from activities.publication import SOURCE
from events import topics
from events.publisher import Publisher, encode
from models import are, cae_dom, contrat_pro, depot_audit, depot_rgpd, exapro
from models.chaine_audit import Signataire, utc
from models.dossier import Nature
from models.evenements import CloudEvent
from models.retention import DossierEchu, PurgeDemandee, PurgeFaite, RechercheEchus
from models.sortants import CondensatAuditSigne
from models.tables import CondensatAudit, Rebut
from rules.calendrier import PARIS
from rules.retention import RegleConservation, fin_conservation, regles_conservation

AUTEUR = "guichet/retention"
TYPE_CONDENSAT = "guichet.audit.condensat.v1"
CLE_CONDENSAT = "audit"
"""Kafka key (and CloudEvent subject) of the audit digest: one ordered stream of days."""
NATURE_REBUT = "rebut"
"""Audit nature of the dead-letter store's actions (`workers.services.rebuts`)."""
DOSSIER_REBUTS = "rebuts"
CONSERVATION_REBUTS_JOURS = 180
"""Days a dead letter is kept by default (`GUICHET_REBUTS_CONSERVATION_JOURS`)."""
"""Audit `dossier` of a dead-letter purge (it concerns many rows)."""
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


def purger_rebuts(*, session: Session, avant: datetime, auteur: str, quand: datetime) -> int:
    """Delete the dead letters received before `avant` and audit it (when any was); the caller
    commits. Idempotent: a second call finds nothing left."""
    avant = avant.astimezone(UTC)  # SQLite compares wall times: everything is stored in UTC
    echus = col(Rebut.recu_le) < avant
    par_code: dict[str, int] = dict(
        session.exec(select(Rebut.code, func.count()).where(echus).group_by(col(Rebut.code))).all()
    )
    resultat = session.execute(delete(Rebut).where(echus))
    nombre = int(getattr(resultat, "rowcount", 0) or 0)
    if nombre:
        depot_rgpd.ajouter_ligne(
            session=session,
            dossier=DOSSIER_REBUTS,
            cle_unique=f"purge/{avant.isoformat()}/{uuid.uuid4()}",
            horodatage=quand,
            nature=NATURE_REBUT,
            type_="purge",
            auteur=auteur,
            # per code: `GET /metrics` counts the dead letters ever consigned as those kept
            # plus those purged
            detail={"recus_avant": avant.isoformat(), "supprimes": nombre, "par_code": par_code},
        )
    return nombre


def limite_rebuts(aujourdhui: date, jours: int) -> datetime:
    """Dead letters received before this moment are past their retention: midnight in Paris,
    `jours` days before `aujourdhui`."""
    return datetime.combine(aujourdhui - timedelta(days=jours), time(0), tzinfo=PARIS)


class RetentionActivities:
    def __init__(
        self,
        engine: Engine,
        documents: EffaceurDocuments | None = None,
        *,
        conservation_rebuts: int | None = None,
        signataire: Signataire | None = None,
        publisher: Publisher | None = None,
    ) -> None:
        """`conservation_rebuts`: days a dead letter is kept (`rebuts_conservation_jours`);
        None: the dead letters are not purged by this worker. `signataire`: the key that signs
        the audit log's daily digest (`GUICHET_AUDIT_SIGNING_KEY`); None: no digest.
        `publisher`: where the digest is published (None: kept in the table only)."""
        self._engine = engine
        self._documents = documents
        self._conservation_rebuts = conservation_rebuts
        self._signataire = signataire
        self._publisher = publisher

    @activity.defn(name="dossiers_a_purger")
    async def dossiers_a_purger(self, recherche: RechercheEchus) -> list[DossierEchu]:
        """The closed dossiers past their retention; first, the day's audit digest is signed
        and published, and the dead letters past their retention are deleted (no workflow
        command of their own: see the module's docstring)."""
        if self._signataire is not None:
            await self._condenser_audit(recherche.aujourdhui, self._signataire)
        if self._conservation_rebuts is not None:
            await asyncio.to_thread(self._purger_rebuts, recherche.aujourdhui)
        return await asyncio.to_thread(self._echus, recherche)

    async def _condenser_audit(self, jour: date, signataire: Signataire) -> None:
        condensat = await asyncio.to_thread(self._condenser, jour, signataire)
        if self._publisher is None or condensat.publie_le is not None:
            return
        evenement = CloudEvent(
            id=f"audit/condensat/{jour.isoformat()}",
            source=SOURCE,
            type=TYPE_CONDENSAT,
            subject=CLE_CONDENSAT,
            time=utc(condensat.cree_le),
            data=CondensatAuditSigne(
                jour=condensat.jour,
                nombre_chaines=condensat.nombre_chaines,
                racine=condensat.racine,
                precedent=condensat.precedent,
                cle_id=condensat.cle_id,
                signature=condensat.signature,
            ).model_dump(mode="json"),
        )
        await self._publisher.publish(topics.AUDIT, CLE_CONDENSAT, encode(evenement))
        await asyncio.to_thread(self._marquer_publie, jour)

    def _condenser(self, jour: date, signataire: Signataire) -> CondensatAudit:
        with Session(self._engine, expire_on_commit=False) as session:
            condensat = depot_audit.condenser(
                session=session, jour=jour, signataire=signataire, quand=datetime.now(UTC)
            )
            session.commit()
        activity.logger.info(
            "audit_condense", extra={"jour": jour.isoformat(), "chaines": condensat.nombre_chaines}
        )
        return condensat

    def _marquer_publie(self, jour: date) -> None:
        with Session(self._engine) as session:
            depot_audit.marquer_publie(session=session, jour=jour, quand=datetime.now(UTC))
            session.commit()

    def _purger_rebuts(self, aujourdhui: date) -> int:
        assert self._conservation_rebuts is not None
        avant = limite_rebuts(aujourdhui, self._conservation_rebuts)
        with Session(self._engine) as session:
            nombre = purger_rebuts(
                session=session,
                avant=avant,
                auteur=AUTEUR,
                quand=datetime.now(UTC),
            )
            session.commit()
        if nombre:
            activity.logger.info("rebuts_purges", extra={"nombre": nombre})
        return nombre

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
