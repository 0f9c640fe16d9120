"""One workflow per contrat de professionnalisation, keyed by the OPCO contract number.

Orchestration only: the rules are in `rules/contrat_pro.py`, side effects in activities, the
bookkeeping shared by every scheme in `workflows/dossier.py`.
"""

from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from events import topics
    from models.contrat_pro import (
        STATUTS_TERMINAUX,
        WORKFLOW,
        Anomalie,
        ContratEnregistre,
        EtatContratPro,
        Statut,
    )
    from models.dossier import Nature
    from models.evenements import CloudEvent, EntreeDossier
    from models.sortants import DossierOuvert, DossierPrescrit
    from rules.calendrier import fin_du_jour
    from rules.contrat_pro import date_limite_demande
    from workflows.dossier import Suivi

ENREGISTRE = "opco.contrat-pro.enregistre.v1"


@workflow.defn(name=WORKFLOW)
class ContratProWorkflow:
    @workflow.init
    def __init__(self, entree: EntreeDossier) -> None:
        self._etat = (
            EtatContratPro.model_validate(entree.reprise)
            if entree.reprise
            else EtatContratPro(cle=entree.cle)
        )
        self._suivi = Suivi(WORKFLOW, entree.cle, self._etat.registre)

    @workflow.signal(name="evenement")
    def evenement(self, event: CloudEvent) -> None:
        self._suivi.recevoir(event)

    @workflow.query(name="etat")
    def etat(self) -> EtatContratPro:
        return self._etat

    @workflow.run
    async def run(self, entree: EntreeDossier) -> EtatContratPro:
        while self._etat.statut not in STATUTS_TERMINAUX:
            if self._suivi.doit_continuer_ailleurs():
                await workflow.wait_condition(workflow.all_handlers_finished)
                workflow.continue_as_new(
                    EntreeDossier(cle=self._etat.cle, reprise=self._etat.model_dump(mode="json"))
                )
            try:
                await workflow.wait_condition(
                    lambda: bool(self._suivi.a_appliquer), timeout=self._temps_avant_echeance()
                )
            except TimeoutError:
                await self._echeance_atteinte()
                continue
            event = self._suivi.prochain()
            if event is not None:
                await self._appliquer(event)
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self._etat

    def _temps_avant_echeance(self) -> timedelta | None:
        if self._etat.statut is Statut.ATTENTE_DEMANDE and self._etat.date_limite_demande:
            return max(fin_du_jour(self._etat.date_limite_demande) - workflow.now(), timedelta(0))
        return None

    async def _echeance_atteinte(self) -> None:
        self._etat.statut = Statut.PRESCRIT
        workflow.logger.info("demande_prescrite", extra={"dossier": self._etat.cle})
        self._suivi.noter(
            self._suivi.entree(
                Nature.ECHEANCE,
                "demande_hors_delai",
                f"echeance/demande/{self._limite()}",
                date_limite_demande=self._limite(),
            )
        )
        await self._suivi.publier(
            topics.DOSSIERS,
            "guichet.dossier.prescrit.v1",
            DossierPrescrit(
                motif="DEMANDE_HORS_DELAI", date_limite_demande=self._etat.date_limite_demande
            ),
        )
        await self._enregistrer()

    async def _appliquer(self, event: CloudEvent) -> None:
        if event.type == ENREGISTRE and self._etat.statut is Statut.NOUVEAU:
            await self._ouvrir(event, ContratEnregistre.model_validate(event.data))
            return
        motif = f"événement {event.type} inattendu au statut {self._etat.statut}"
        self._etat.anomalies.append(Anomalie(evenement_id=event.id, type=event.type, motif=motif))
        await self._suivi.signaler_anomalie(event, motif)
        await self._enregistrer()

    async def _ouvrir(self, event: CloudEvent, contrat: ContratEnregistre) -> None:
        self._etat.contrat = contrat
        self._etat.date_limite_demande = date_limite_demande(contrat.date_debut)
        self._etat.statut = Statut.ATTENTE_DEMANDE
        self._suivi.noter(self._suivi.entree_evenement(event, date_limite_demande=self._limite()))
        await self._suivi.publier(
            topics.DOSSIERS,
            "guichet.dossier.ouvert.v1",
            DossierOuvert(
                dispositif=WORKFLOW,
                statut=self._etat.statut,
                date_limite_demande=self._etat.date_limite_demande,
            ),
        )
        await self._enregistrer()

    async def _enregistrer(self) -> None:
        en_attente = self._etat.statut is Statut.ATTENTE_DEMANDE
        await self._suivi.enregistrer(
            statut=self._etat.statut,
            beneficiaire=self._etat.contrat.siret_etablissement if self._etat.contrat else None,
            prochaine_echeance=self._etat.date_limite_demande if en_attente else None,
            libelle_echeance="dépôt de la demande d'aide" if en_attente else None,
            anomalies=len(self._etat.anomalies),
        )

    def _limite(self) -> str | None:
        limite = self._etat.date_limite_demande
        return limite.isoformat() if limite else None
