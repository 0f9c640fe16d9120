"""One workflow per contrat de professionnalisation, keyed by the OPCO contract number.

Orchestration only: the rules are in `rules/contrat_pro.py`, side effects in activities.
Partner events arrive on the `evenement` signal and are applied one at a time, in arrival
order, from the main loop; an event id already applied is ignored.
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
    from models.evenements import CloudEvent, EntreeDossier, EvenementSortant
    from rules.calendrier import fin_du_jour
    from rules.contrat_pro import date_limite_demande

ENREGISTRE = "opco.contrat-pro.enregistre.v1"
PUBLICATION_TIMEOUT = timedelta(minutes=1)


@workflow.defn(name=WORKFLOW)
class ContratProWorkflow:
    @workflow.init
    def __init__(self, entree: EntreeDossier) -> None:
        self._etat = EtatContratPro(cle=entree.cle)
        self._a_appliquer: list[CloudEvent] = []
        self._publications = 0

    @workflow.signal(name="evenement")
    def evenement(self, event: CloudEvent) -> None:
        self._a_appliquer.append(event)

    @workflow.query(name="etat")
    def etat(self) -> EtatContratPro:
        return self._etat

    @workflow.run
    async def run(self, entree: EntreeDossier) -> EtatContratPro:
        while self._etat.statut not in STATUTS_TERMINAUX:
            try:
                await workflow.wait_condition(
                    lambda: bool(self._a_appliquer), timeout=self._temps_avant_echeance()
                )
            except TimeoutError:
                await self._echeance_atteinte()
                continue
            await self._appliquer(self._a_appliquer.pop(0))
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self._etat

    def _temps_avant_echeance(self) -> timedelta | None:
        if self._etat.statut is Statut.ATTENTE_DEMANDE and self._etat.date_limite_demande:
            return max(fin_du_jour(self._etat.date_limite_demande) - workflow.now(), timedelta(0))
        return None

    async def _echeance_atteinte(self) -> None:
        self._etat.statut = Statut.PRESCRIT
        workflow.logger.info("demande_prescrite", extra={"dossier": self._etat.cle})
        await self._publier(
            topics.DOSSIERS,
            "guichet.dossier.prescrit.v1",
            {"motif": "DEMANDE_HORS_DELAI", "date_limite_demande": self._limite()},
        )

    async def _appliquer(self, event: CloudEvent) -> None:
        if event.id in self._etat.evenements_appliques:
            workflow.logger.info(
                "evenement_deja_applique", extra={"dossier": self._etat.cle, "event_id": event.id}
            )
            return
        self._etat.evenements_appliques.append(event.id)
        if event.type == ENREGISTRE and self._etat.statut is Statut.NOUVEAU:
            await self._ouvrir(ContratEnregistre.model_validate(event.data))
        else:
            self._etat.anomalies.append(
                Anomalie(
                    evenement_id=event.id,
                    type=event.type,
                    motif=f"événement {event.type} inattendu au statut {self._etat.statut}",
                )
            )

    async def _ouvrir(self, contrat: ContratEnregistre) -> None:
        self._etat.contrat = contrat
        self._etat.date_limite_demande = date_limite_demande(contrat.date_debut)
        self._etat.statut = Statut.ATTENTE_DEMANDE
        await self._publier(
            topics.DOSSIERS,
            "guichet.dossier.ouvert.v1",
            {
                "dispositif": WORKFLOW,
                "statut": self._etat.statut,
                "date_limite_demande": self._limite(),
            },
        )

    def _limite(self) -> str | None:
        limite = self._etat.date_limite_demande
        return limite.isoformat() if limite else None

    async def _publier(self, topic: str, type_: str, data: dict[str, object]) -> None:
        self._publications += 1
        await workflow.execute_activity(
            "publier_evenement",
            EvenementSortant(
                topic=topic,
                id=f"{workflow.info().workflow_id}/{self._publications}",
                type=type_,
                subject=self._etat.cle,
                time=workflow.now(),
                data=data,
            ),
            start_to_close_timeout=PUBLICATION_TIMEOUT,
        )
