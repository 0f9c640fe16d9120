"""`contrat-pro-cumul`: the ledger of one beneficiary's contrat-pro aids in one calendar year.

Seed 003 section 4: the act is a convention « lorsque le montant annuel cumulatif des aides
dépasserait 23 000 € ». Each dossier reserves its amount through the update `reserver` at
acceptance and learns the amount the other dossiers of that SIREN and year already hold. A
workflow runs one update handler at a time and this one does not await: two acceptances at the
same moment are served one after the other, so the second sees the first (docs/contrat_pro.md,
« Cumul annuel par bénéficiaire »).

The ledger lives until 1 January two years after its year (a release may still come while the
year's dossiers are instructed), then completes; it continues as new when its history grows.
"""

from datetime import datetime, timedelta
from decimal import Decimal

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from models.contrat_pro import WORKFLOW_CUMUL, EntreeCumul, EtatCumul, ReservationCumul
    from rules.calendrier import PARIS


@workflow.defn(name=WORKFLOW_CUMUL)
class CumulContratProWorkflow:
    @workflow.init
    def __init__(self, etat: EtatCumul) -> None:
        self._etat = etat

    @workflow.run
    async def run(self, etat: EtatCumul) -> EtatCumul:
        annee = int(etat.cle.rpartition(":")[2])
        fin = datetime(annee + 2, 1, 1, tzinfo=PARIS)
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
    def reserver(self, entree: EntreeCumul) -> Decimal:
        """Record the dossier's amount (0 releases it; a second call replaces the first) and
        return what the other dossiers of the SIREN and year hold."""
        reservation: ReservationCumul = entree.reservation
        autres = sum(
            (m for d, m in self._etat.reservations.items() if d != reservation.dossier),
            Decimal("0.00"),
        )
        if reservation.montant > 0:
            self._etat.reservations[reservation.dossier] = reservation.montant
        else:
            self._etat.reservations.pop(reservation.dossier, None)
        return autres

    @reserver.validator
    def _valider(self, entree: EntreeCumul) -> None:
        if f"{entree.siren}:{entree.annee}" != self._etat.cle:
            cle = f"{entree.siren}:{entree.annee}"
            raise ValueError(f"réservation pour {cle} reçue par le cumul {self._etat.cle}")

    @workflow.query(name="etat")
    def etat(self) -> EtatCumul:
        return self._etat
