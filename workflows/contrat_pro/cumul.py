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

It is also the year's **convention** (section 3: « Les aides listées dans la convention seront
versées au bénéficiaire sur présentation d'un état récapitulatif annexé à la convention »): it
lists the dossiers whose act is a convention, receives the portal's état récapitulatif (partner
event `portail.contrat-pro.etat-recapitulatif-depose.v1`, subject `<SIREN>:<année>`, signal
`evenement`), checks each line against its aids and passes the valid ones to their dossiers as
their payment request; the refused lines are kept with their reason and announced to the
instructors (docs/contrat_pro.md, « Convention et état récapitulatif »).

The ledger lives until 1 January four years after its year (the de minimis test of the three
following years reads it; before `contrat-pro-cumul-trois-ans`, two years), then completes; it
continues as new when its history grows.
"""

from datetime import datetime, timedelta
from decimal import Decimal

from temporalio import workflow
from temporalio.exceptions import ApplicationError, FailureError

with workflow.unsafe.imports_passed_through():
    from pydantic import ValidationError

    from activities.publication import PublicationActivities
    from events import topics
    from models.contrat_pro import (
        PLAFOND_DEPASSE,
        WORKFLOW,
        WORKFLOW_CUMUL,
        CadreAide,
        EntreeCumul,
        EtatCumul,
        EtatRecapitulatifDepose,
        EtatRecapitulatifTraite,
        LigneEtatRecapitulatif,
        LigneTraitee,
        ReservationCumul,
        ReservationFaite,
    )
    from models.evenements import CloudEvent, EvenementSortant
    from models.sortants import Notification
    from rules.calendrier import PARIS
    from rules.contrat_pro import Acte, acte_attribution, depasse_plafond_de_minimis
    from workflows.suivi import sortie

SIGNAL = "evenement"
"""The partner events' signal (`events.delivery.SIGNAL`), here the états récapitulatifs."""
DEMANDE_PAIEMENT = "portail.contrat-pro.demande-paiement-deposee.v1"

TROIS_ANS = "contrat-pro-cumul-trois-ans"
"""`workflow.patched` id: the ledger lives until 1 January of year + 4 (was year + 2)."""


@workflow.defn(name=WORKFLOW_CUMUL)
class CumulContratProWorkflow:
    @workflow.init
    def __init__(self, etat: EtatCumul) -> None:
        self._etat = etat
        self._recus: list[CloudEvent] = []

    @workflow.signal(name=SIGNAL)
    def evenement(self, event: CloudEvent) -> None:
        self._recus.append(event)

    @workflow.run
    async def run(self, etat: EtatCumul) -> EtatCumul:
        siren, _, annee_texte = etat.cle.partition(":")
        if not (siren.isdigit() and len(siren) == 9 and annee_texte.isdigit()):
            workflow.logger.warning("convention_cle_invalide", extra={"cle": etat.cle})
            return self._etat  # closed: a later event for this key is a dead letter
        annee = int(annee_texte)
        fin = datetime(annee + (4 if workflow.patched(TROIS_ANS) else 2), 1, 1, tzinfo=PARIS)
        while True:
            reste = (fin - workflow.now()).total_seconds()
            if reste <= 0:
                break
            try:
                await workflow.wait_condition(
                    lambda: bool(self._recus) or workflow.info().is_continue_as_new_suggested(),
                    timeout=timedelta(seconds=reste),
                )
            except TimeoutError:
                break
            while self._recus:
                await self._etat_recapitulatif(self._recus.pop(0))
            if not workflow.info().is_continue_as_new_suggested():
                continue
            await workflow.wait_condition(workflow.all_handlers_finished)
            if not self._recus:
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
        for liste in (etat.hors_de_minimis, etat.conventions):
            if dossier in liste:
                liste.remove(dossier)
        etat.dates.pop(dossier, None)
        acte = None
        if reservation.montant > 0:
            etat.reservations[dossier] = reservation.montant
            if reservation.cadre is not CadreAide.DE_MINIMIS:
                etat.hors_de_minimis.append(dossier)
            if reservation.le is not None:
                etat.dates[dossier] = reservation.le
            if reservation.autres_declarees is not None:
                acte = acte_attribution(autres + reservation.autres_declarees, reservation.montant)
                if acte is Acte.CONVENTION:
                    etat.conventions.append(dossier)
        else:
            etat.reservations.pop(dossier, None)
        return ReservationFaite(
            autres=autres, de_minimis_service=de_minimis_service, acte=acte.value if acte else None
        )

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

    # --- the convention's états récapitulatifs ------------------------------------------------

    async def _etat_recapitulatif(self, event: CloudEvent) -> None:
        """Check each line against the convention's aids and pass the valid ones to their
        dossiers (one payment request each: one order per dossier); keep the refused ones with
        their reason and tell the instructors. An event id seen before is ignored."""
        etat = self._etat
        if not etat.registre.appliquer(event.id):
            return
        try:
            recu = EtatRecapitulatifDepose.model_validate(event.data)
        except ValidationError as exc:  # the consumer checks contracts; a direct signal may not
            workflow.logger.warning(
                "etat_recapitulatif_invalide", extra={"cle": etat.cle, "erreurs": exc.error_count()}
            )
            return
        reference = f"{etat.cle}/{recu.numero_etat}"
        lignes = []
        for ligne in recu.lignes:
            motif = self._refus_ligne(ligne)
            if motif is None:
                motif = await self._transmettre(event, recu, ligne, reference)
            lignes.append(
                LigneTraitee(
                    numero_contrat=ligne.numero_contrat,
                    montant=ligne.montant,
                    transmise=motif is None,
                    motif=motif,
                )
            )
        etat.etats_recapitulatifs.append(
            EtatRecapitulatifTraite(
                id=event.id, numero_etat=recu.numero_etat, date_depot=recu.date_depot, lignes=lignes
            )
        )
        refusees = [ligne for ligne in lignes if not ligne.transmise]
        if refusees:
            await self._notifier_instructeurs(
                "ETAT_RECAPITULATIF_LIGNES_REFUSEES",
                f"État récapitulatif {reference} du {recu.date_depot:%d/%m/%Y} : "
                f"{len(refusees)} ligne(s) sur {len(lignes)} non transmise(s) : "
                + " ; ".join(f"{ligne.numero_contrat} ({ligne.motif})" for ligne in refusees)
                + " (règlement d'intervention, section 3).",
            )

    def _refus_ligne(self, ligne: LigneEtatRecapitulatif) -> str | None:
        """Why a line is not one of the convention's aids as granted, or None."""
        etat = self._etat
        dossier = f"{WORKFLOW}:{ligne.numero_contrat}"
        if dossier not in etat.conventions:
            return (
                f"le contrat {ligne.numero_contrat} n'est pas une aide de la convention {etat.cle}"
            )
        presentees = {
            traitee.numero_contrat
            for recu in etat.etats_recapitulatifs
            for traitee in recu.lignes
            if traitee.transmise
        }
        if ligne.numero_contrat in presentees:
            return f"le contrat {ligne.numero_contrat} a déjà été présenté"
        accorde = etat.reservations[dossier]
        if ligne.montant > accorde:
            return f"montant {ligne.montant} EUR présenté, {accorde} EUR accordés"
        return None

    async def _transmettre(
        self,
        event: CloudEvent,
        recu: EtatRecapitulatifDepose,
        ligne: LigneEtatRecapitulatif,
        reference: str,
    ) -> str | None:
        """The line as its dossier's payment request; why it could not be passed, or None."""
        demande = CloudEvent(
            id=f"{event.id}/{ligne.numero_contrat}",
            source=event.source,
            type=DEMANDE_PAIEMENT,
            subject=ligne.numero_contrat,
            time=event.time,
            data={
                "date_demande_paiement": recu.date_depot.isoformat(),
                "rib_reference": recu.rib_reference,
                "etat_recapitulatif": reference,
            },
        )
        dossier = f"{WORKFLOW}:{ligne.numero_contrat}"
        try:
            await workflow.get_external_workflow_handle(dossier).signal(SIGNAL, demande)
        except FailureError as exc:
            return f"le dossier {dossier} n'a pas pu la recevoir ({exc.message})"
        return None

    async def _notifier_instructeurs(self, objet: str, message: str) -> None:
        registre = self._etat.registre
        registre.publications += 1
        notification = Notification(
            dispositif=WORKFLOW, destinataire="instructeur", objet=objet, message=message
        )
        await sortie(
            PublicationActivities.publier_evenement,
            EvenementSortant(
                topic=topics.NOTIFICATIONS,
                id=f"{workflow.info().workflow_id}/{registre.publications}",
                type="guichet.notification.v1",
                subject=self._etat.cle,
                time=workflow.now(),
                data=notification.model_dump(mode="json"),
            ),
        )
