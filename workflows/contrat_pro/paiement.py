"""The money of a contrat-pro dossier (seed 003, sections 3 to 5): the amount evaluated by the
rules (an activity: they read the annex list), the single payment after the aided period, the
ASP's execution or rejection, recovery by titre exécutoire, archive after 10 years. The
instruction (events, decisions, deadlines) is in `workflows/contrat_pro/workflow.py`, which
subclasses this class."""

from decimal import Decimal

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.cumul_contrat_pro import reserver_cumul_contrat_pro
    from activities.regles import evaluer_contrat_pro
    from events import topics
    from models.contrat_pro import (
        WORKFLOW,
        ContratEnregistre,
        CumulAnnuel,
        Decision,
        EntreeCumul,
        EntreeEvaluation,
        EtatContratPro,
        Evaluation,
        OrdrePaiement,
        PaiementExecute,
        PaiementRejete,
        ReservationCumul,
        Statut,
        TitreRecouvre,
    )
    from models.dossier import Nature
    from models.evenements import CloudEvent
    from models.sortants import (
        DossierArchive,
        OrdrePaiementEmis,
        TitreExecutoire,
    )
    from rules.calendrier import PARIS
    from rules.contrat_pro import (
        SEUIL_CONVENTION,
        acte_attribution,
        add_months,
        dernier_jour_contrat,
        siren,
    )
    from workflows.dossier import DossierWorkflow
    from workflows.suivi import ACTIVITE_TIMEOUT

CONSERVATION_ANNEES = 10
"""Seed 003 section 5: records kept 10 years after payment."""
EMPLOYEUR = "employeur"
INSTRUCTEUR = "instructeur"
AIDE_NON_DUE = "contrat-pro-aide-non-due"
"""`workflow.patched` id: a first-month break or a zero amount ends the dossier `non_due` (no
act, the act withdrawn, never a payment order). Histories recorded before it replay as they
were (docs/contrat_pro.md, "Aid not due")."""
STATUTS_ACTE = frozenset(
    {
        Statut.ATTENTE_SIGNATURE,
        Statut.EN_COURS,
        Statut.ATTENTE_DEMANDE_PAIEMENT,
        Statut.EXAMEN_DELAI,
        Statut.PAIEMENT_REJETE,
    }
)
"""Statuses where an act (arrêté or convention) was taken and nothing was paid yet: an aid found
not due there withdraws the act."""
STATUTS_AVANT_PAIEMENT = STATUTS_ACTE | {
    Statut.ATTENTE_DEMANDE,
    Statut.INSTRUCTION,
    Statut.ATTENTE_PIECES,
}
"""Statuses where a first-month break ends the dossier `non_due` (after an order left, the
money is a matter of recovery)."""


class ContratProPaiement(DossierWorkflow[EtatContratPro]):
    """Amounts, payment, recovery and archive; see the module's docstring."""

    # --- amounts -----------------------------------------------------------------------------

    def _contrat(self) -> ContratEnregistre:
        assert self._etat.contrat is not None
        return self._etat.contrat

    def _evaluation(self) -> Evaluation:
        assert self._etat.evaluation is not None
        return self._etat.evaluation

    async def _evaluer(self) -> None:
        """Evaluate the rules on the facts known now (an activity: they read the annex)."""
        etat, contrat = self._etat, self._contrat()
        assert etat.demande is not None
        dernier = dernier_jour_contrat(
            contrat.date_debut, contrat.date_fin, etat.date_fin_effective
        )
        etat.evaluation = await workflow.execute_activity(
            evaluer_contrat_pro,
            EntreeEvaluation(
                contrat=contrat,
                demande=etat.demande,
                date_fin_effective=etat.date_fin_effective,
                suspensions=[(s.du, s.au or dernier) for s in etat.suspensions],
                avenants=etat.avenants,
            ),
            start_to_close_timeout=ACTIVITE_TIMEOUT,
        )

    async def _reevaluer(self) -> None:
        """After a break, a suspension or an amendment, keep the projected amount current."""
        if self._etat.demande is not None:
            await self._evaluer()

    async def _reserver_cumul(self, montant: Decimal) -> CumulAnnuel:
        """Seed 003 section 4: reserve this aid on the ledger of the beneficiary (SIREN) and
        calendar year of the act, and test « le montant annuel cumulatif des aides » (the
        service's other contrat-pro aids that year, the other aids the employer declared, this
        one) against 23 000 EUR."""
        etat = self._etat
        assert etat.demande is not None
        beneficiaire = siren(self._contrat().siret_etablissement)
        annee = workflow.now().astimezone(PARIS).year
        aides_service = await workflow.execute_activity(
            reserver_cumul_contrat_pro,
            EntreeCumul(
                siren=beneficiaire,
                annee=annee,
                reservation=ReservationCumul(dossier=self._suivi.workflow_id, montant=montant),
            ),
            start_to_close_timeout=ACTIVITE_TIMEOUT,
        )
        autres = etat.demande.cumul_aides_annee
        return CumulAnnuel(
            siren=beneficiaire,
            annee=annee,
            aides_service=aides_service,
            autres_aides_declarees=autres,
            montant=montant,
            total=aides_service + autres + montant,
            seuil=SEUIL_CONVENTION,
            acte=acte_attribution(aides_service + autres, montant),
        )

    async def _liberer_cumul(self) -> None:
        """The act withdrawn or the aid refused after it: the ledger no longer counts it."""
        cumul = self._etat.cumul
        if cumul is None:
            return
        await workflow.execute_activity(
            reserver_cumul_contrat_pro,
            EntreeCumul(
                siren=cumul.siren,
                annee=cumul.annee,
                reservation=ReservationCumul(
                    dossier=self._suivi.workflow_id, montant=Decimal("0.00")
                ),
            ),
            start_to_close_timeout=ACTIVITE_TIMEOUT,
        )

    async def _fraude(self, decision: Decision) -> None:
        """Seed 003 section 4: sums unduly paid are recovered (titre exécutoire)."""
        etat = self._etat
        if etat.montant_verse == 0:
            await self._liberer_cumul()
            await self._changer(Statut.REJETE, f"fraude: {decision.motif}")
            return
        montant = decision.montant_a_recuperer or etat.montant_verse
        etat.montant_a_recuperer = montant
        ordre = OrdrePaiement(
            id=f"{self._suivi.workflow_id}/titre/{len(etat.ordres) + 1}",
            nature="titre_executoire",
            montant=montant,
            statut="emis",
        )
        etat.ordres.append(ordre)
        await self._suivi.publier(
            topics.PAIEMENTS,
            "guichet.paiement.titre-executoire.v1",
            TitreExecutoire(
                ordre_id=ordre.id,
                dispositif=WORKFLOW,
                debiteur=self._contrat().siret_etablissement,
                montant=montant,
                motif=decision.motif or "",
            ),
        )
        await self._changer(Statut.RECOUVREMENT, decision.motif)

    async def _non_due(self, motif: str, message: str) -> None:
        """Seed 003 section 3: « l'aide n'est pas due ». Terminal `non_due`, the employer told,
        0 granted; an act already taken is withdrawn (audit line `retrait_acte`); no order."""
        etat = self._etat
        if etat.statut in STATUTS_ACTE:
            acte = etat.acte() or "arrete"
            self._suivi.noter(
                self._suivi.entree(
                    Nature.DECISION,
                    "retrait_acte",
                    f"retrait-acte/{self._suivi.workflow_id}",
                    acte=acte,
                    motif=motif,
                    statut_avant=str(etat.statut),
                )
            )
            message += f" L'acte d'attribution ({acte}) est retiré."
        await self._liberer_cumul()
        await self._notifier(EMPLOYEUR, "AIDE_NON_DUE", message)
        await self._changer(Statut.NON_DUE, motif)

    async def _aide_nulle(self, suite: str) -> bool:
        """The rule of every scheme: an amount of zero never produces an act or a payment
        order. True when the evaluated amount is zero and the dossier is now `non_due`."""
        evaluation = self._evaluation()
        if evaluation.montant > 0 or not workflow.patched(AIDE_NON_DUE):
            return False
        await self._non_due(
            "MONTANT_NUL",
            f"L'aide n'est pas due : montant {evaluation.montant} EUR "
            f"({len(evaluation.mois_aides)} mois aidé(s), motifs : "
            f"{', '.join(evaluation.motifs) or 'aucun'}) ; {suite} (règlement d'intervention, "
            "section 3).",
        )
        return True

    # --- payment -----------------------------------------------------------------------------

    async def _payer(self, rib_reference: str) -> None:
        """Section 3: a single payment of the final amount, by an idempotent order. An amount
        of zero never produces an order: the aid is not due."""
        await self._evaluer()
        if await self._aide_nulle("aucun ordre de paiement n'est émis"):
            return
        etat, evaluation = self._etat, self._evaluation()
        ordre = OrdrePaiement(
            id=f"{self._suivi.workflow_id}/paiement/{len(etat.ordres) + 1}",
            nature="paiement",
            montant=evaluation.montant,
            statut="emis",
            rib_reference=rib_reference,
        )
        etat.ordres.append(ordre)
        await self._suivi.publier(
            topics.PAIEMENTS,
            "guichet.paiement.ordre.v1",
            OrdrePaiementEmis(
                ordre_id=ordre.id,
                dispositif=WORKFLOW,
                beneficiaire=self._contrat().siret_etablissement,
                montant=ordre.montant,
                rib_reference=rib_reference,
                objet=f"aide contrat de professionnalisation {etat.cle}",
            ),
        )
        await self._changer(Statut.PAIEMENT_EMIS)

    def _ordre(self, ordre_id: str, nature: str) -> OrdrePaiement | None:
        return next((o for o in self._etat.ordres if o.id == ordre_id and o.nature == nature), None)

    async def _sur_paiement_execute(self, event: CloudEvent) -> str | None:
        paiement = PaiementExecute.model_validate(event.data)
        ordre = self._ordre(paiement.ordre_id, "paiement")
        if ordre is None or ordre.statut != "emis":
            return f"paiement exécuté pour un ordre inconnu ou non émis: {paiement.ordre_id}"
        ordre.statut = "execute"
        etat = self._etat
        etat.montant_verse += ordre.montant
        etat.date_fin_conservation = add_months(paiement.date_execution, 12 * CONSERVATION_ANNEES)
        await self._changer(Statut.PAYE)
        return None

    async def _sur_paiement_rejete(self, event: CloudEvent) -> str | None:
        rejet = PaiementRejete.model_validate(event.data)
        ordre = self._ordre(rejet.ordre_id, "paiement")
        if ordre is None or ordre.statut != "emis":
            return f"paiement rejeté pour un ordre inconnu ou non émis: {rejet.ordre_id}"
        ordre.statut = "rejete"
        await self._notifier(
            EMPLOYEUR,
            "PAIEMENT_REJETE",
            f"Le paiement a été rejeté ({rejet.motif}) : corrigez les coordonnées bancaires.",
        )
        await self._changer(Statut.PAIEMENT_REJETE, rejet.motif)
        return None

    async def _sur_titre_recouvre(self, event: CloudEvent) -> str | None:
        recouvrement = TitreRecouvre.model_validate(event.data)
        ordre = self._ordre(recouvrement.ordre_id, "titre_executoire")
        if ordre is None or ordre.statut != "emis":
            return f"recouvrement d'un titre inconnu ou déjà soldé: {recouvrement.ordre_id}"
        etat = self._etat
        etat.montant_recouvre += recouvrement.montant
        if etat.montant_recouvre >= etat.montant_a_recuperer:
            ordre.statut = "recouvre"
            await self._changer(Statut.PAYE, "RECOUVREMENT_SOLDE")
        return None

    async def _archiver(self) -> None:
        """Seed 003 section 5: kept 10 years after payment, then personal data purged."""
        etat = self._etat
        assert etat.date_fin_conservation is not None
        await self._suivi.publier(
            topics.DOSSIERS,
            "guichet.dossier.archive.v1",
            DossierArchive(dispositif=WORKFLOW, date_fin_conservation=etat.date_fin_conservation),
        )
        etat.contrat = None
        etat.demande = None
        etat.documents = []
        etat.evaluation = None
        etat.demande_paiement = None
        etat.suspensions = []
        etat.avenants = []
        await self._changer(Statut.ARCHIVE, "FIN_DE_CONSERVATION")

    # --- outputs -----------------------------------------------------------------------------
