"""`contrat-pro-cumul`: the ledger of one beneficiary's contrat-pro aids in one calendar year.

Seed 003 section 4: the act is a convention « lorsque le montant annuel cumulatif des aides
dépasserait 23 000 € ». Each dossier reserves its amount through the update `reserver` at
acceptance and learns the amount the other dossiers of that SIREN and year already hold. A
workflow runs one update handler at a time and this one does not await: two acceptances at the
same moment are served one after the other, so the second sees the first (docs/contrat_pro.md,
« Cumul annuel par bénéficiaire »).

The same update tests the de minimis ceiling (regulation (UE) 2023/2831, art. 3: 300 000 EUR
over any three years) when the dossier's framework is de minimis: the activity brings the
earlier years' de minimis aids (read from the earlier ledgers) and the employer's declared
figure, the ledger adds its own year's, and its validator refuses a reservation that would go
over (nothing recorded), serialized like the threshold (docs/contrat_pro.md, « Cadre de l'aide
et plafond de minimis »).

The ledger lives until 1 January four years after its year (the de minimis test of the three
following years reads it; before `contrat-pro-cumul-trois-ans`, two years), then completes; it
continues as new when its history grows.
"""

from datetime import datetime, timedelta
from decimal import Decimal

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from models.contrat_pro import (
        PLAFOND_DEPASSE,
        WORKFLOW_CUMUL,
        CadreAide,
        EntreeCumul,
        EtatCumul,
        ReservationCumul,
        ReservationFaite,
    )
    from rules.calendrier import PARIS
    from rules.contrat_pro import depasse_plafond_de_minimis

TROIS_ANS = "contrat-pro-cumul-trois-ans"
"""`workflow.patched` id: the ledger lives until 1 January of year + 4 (was year + 2)."""


@workflow.defn(name=WORKFLOW_CUMUL)
class CumulContratProWorkflow:
    @workflow.init
    def __init__(self, etat: EtatCumul) -> None:
        self._etat = etat

    @workflow.run
    async def run(self, etat: EtatCumul) -> EtatCumul:
        annee = int(etat.cle.rpartition(":")[2])
        fin = datetime(annee + (4 if workflow.patched(TROIS_ANS) else 2), 1, 1, tzinfo=PARIS)
        while True:
            reste = (fin - workflow.now()).total_seconds()
            if reste <= 0:
                break
            try:
                await workflow.wait_condition(
                    lambda: workflow.info().is_continue_as_new_suggested(),
                    timeout=timedelta(seconds=reste),
                )
            except TimeoutError:
                break
            await workflow.wait_condition(workflow.all_handlers_finished)
            workflow.continue_as_new(self._etat)
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self._etat

    @workflow.update(name="reserver")
    def reserver(self, entree: EntreeCumul) -> ReservationFaite:
        """Record the dossier's amount (0 releases it; a second call replaces the first) and
        return what the other dossiers of the SIREN and year hold (and, for a de minimis test,
        the service's de minimis aids over the three years)."""
        reservation: ReservationCumul = entree.reservation
        de_minimis_service = None
        if entree.de_minimis is not None:
            de_minimis_service = (
                entree.de_minimis.annees_precedentes or 0
            ) + self._etat.de_minimis(reservation.dossier)
        autres = sum(
            (m for d, m in self._etat.reservations.items() if d != reservation.dossier),
            Decimal("0.00"),
        )
        etat, dossier = self._etat, reservation.dossier
        if dossier in etat.hors_de_minimis:
            etat.hors_de_minimis.remove(dossier)
        etat.dates.pop(dossier, None)
        if reservation.montant > 0:
            etat.reservations[dossier] = reservation.montant
            if reservation.cadre is not CadreAide.DE_MINIMIS:
                etat.hors_de_minimis.append(dossier)
            if reservation.le is not None:
                etat.dates[dossier] = reservation.le
        else:
            etat.reservations.pop(dossier, None)
        return ReservationFaite(autres=autres, de_minimis_service=de_minimis_service)

    @reserver.validator
    def _valider(self, entree: EntreeCumul) -> None:
        if f"{entree.siren}:{entree.annee}" != self._etat.cle:
            cle = f"{entree.siren}:{entree.annee}"
            raise ValueError(f"réservation pour {cle} reçue par le cumul {self._etat.cle}")
        controle, reservation = entree.de_minimis, entree.reservation
        if controle is None or reservation.cadre is not CadreAide.DE_MINIMIS:
            return
        service = (controle.annees_precedentes or 0) + self._etat.de_minimis(reservation.dossier)
        if depasse_plafond_de_minimis(service, controle.declarees, reservation.montant):
            raise ApplicationError(
                f"PLAFOND_DE_MINIMIS : {service} EUR d'aides de minimis du service sur trois ans "
                f"+ {controle.declarees} EUR déclarés + {reservation.montant} EUR = "
                f"{service + controle.declarees + reservation.montant} EUR, au-delà de "
                f"{controle.plafond} EUR (règlement (UE) 2023/2831, art. 3)",
                type=PLAFOND_DEPASSE,
                non_retryable=True,
            )

    @workflow.query(name="etat")
    def etat(self) -> EtatCumul:
        return self._etat
