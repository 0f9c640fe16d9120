"""The money of a contrat-pro dossier (seed 003, sections 3 to 5): the amount evaluated by the
rules (an activity: they read the annex list), the payment request instructed, the single
payment after the aided period, the ASP's execution or rejection, an excess found after payment
proposed for recovery, recovery by titre exécutoire, archive after 10 years. The
instruction (events, decisions, deadlines) is in `workflows/contrat_pro/workflow.py`, which
subclasses this class."""

from datetime import date
from decimal import Decimal

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.cumul_contrat_pro import reserver_aide_contrat_pro, reserver_cumul_contrat_pro
    from activities.regles import evaluer_contrat_pro
    from events import topics
    from models.contrat_pro import (
        PLAFOND_DEPASSE,
        WORKFLOW,
        CadreAide,
        ContratEnregistre,
        ControleDeMinimis,
        CumulAnnuel,
        Decision,
        EntreeCumul,
        EntreeEvaluation,
        EtatContratPro,
        Evaluation,
        OrdrePaiement,
        PaiementExecute,
        PaiementRejete,
        PlafondDeMinimis,
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
        PLAFOND_DE_MINIMIS,
        SEUIL_CONVENTION,
        acte_attribution,
        add_months,
        dernier_jour_contrat,
        siren,
    )
    from workflows.dossier import DossierWorkflow
    from workflows.suivi import ACTIVITE_TIMEOUT

DELAI_ECHU_AVANT_CONNU = "délai échu avant d'être connu"
CONSERVATION_ANNEES = 10
"""Seed 003 section 5: records kept 10 years after payment."""
EMPLOYEUR = "employeur"
INSTRUCTEUR = "instructeur"
AIDE_NON_DUE = "contrat-pro-aide-non-due"
"""`workflow.patched` id: a first-month break or a zero amount ends the dossier `non_due` (no
act, the act withdrawn, never a payment order). Histories recorded before it replay as they
were (docs/contrat_pro.md, "Aid not due")."""
PAIEMENT_INSTRUIT = "contrat-pro-paiement-instruit"
"""`workflow.patched` id: a payment request opens an instruction (`instruction_paiement`) and the
order leaves on `valider_paiement` or `reduire`; before it, the order left on the request
(docs/contrat_pro.md, « Paiement après instruction »)."""
TROP_PERCU = "contrat-pro-trop-percu"
"""`workflow.patched` id: after payment, a fact that lowers the amount due proposes the excess
to an instructor (`examen_trop_percu`); before it, nothing was recovered but on fraud
(docs/contrat_pro.md, « Trop-perçu et recouvrement »)."""
STATUTS_ACTE = frozenset(
    {
        Statut.ATTENTE_SIGNATURE,
        Statut.EN_COURS,
        Statut.ATTENTE_DEMANDE_PAIEMENT,
        Statut.EXAMEN_DELAI,
        Statut.PAIEMENT_REJETE,
        Statut.INSTRUCTION_PAIEMENT,
        Statut.ATTENTE_PIECES_PAIEMENT,
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


class PlafondDepasse(Exception):
    """The ledger refused the act's reservation over the de minimis ceiling; the message says
    the figures (« PLAFOND_DE_MINIMIS : ... »)."""


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
        """After a break, a suspension or an amendment, keep the projected amount current;
        after payment, an amount now lower than what was paid is an excess to examine."""
        if self._etat.demande is not None:
            await self._evaluer()
            await self._constater_trop_percu()

    def _exces(self) -> Decimal:
        """Paid, less the amount due now, less what is already claimed or written off."""
        etat = self._etat
        du = etat.evaluation.montant if etat.evaluation else Decimal("0.00")
        return etat.montant_verse - etat.montant_a_recuperer - etat.montant_abandonne - du

    async def _constater_trop_percu(self) -> None:
        """Seed 003 section 4 (« le remboursement total ou partiel des sommes versées », by
        titre exécutoire): once paid, an excess is proposed to an instructor, never claimed
        without a decision."""
        etat = self._etat
        if etat.statut is not Statut.PAYE or not workflow.patched(TROP_PERCU):
            return
        exces = self._exces()
        if exces <= 0:
            return
        etat.trop_percu = exces
        evaluation = self._evaluation()
        await self._notifier(
            INSTRUCTEUR,
            "TROP_PERCU",
            f"Trop-perçu de {exces} EUR : {etat.montant_verse} EUR versés, {evaluation.montant} "
            f"EUR dus ({len(evaluation.mois_aides)} mois aidé(s)) après la dernière information "
            "de l'OPCO (règlement d'intervention, section 4 : remboursement total ou partiel par "
            "titre exécutoire). Décision attendue : recouvrer ou renoncer_recouvrement.",
        )
        await self._changer(Statut.EXAMEN_TROP_PERCU, "TROP_PERCU")

    async def _reserver_cumul(self, montant: Decimal, cadre: CadreAide | None) -> CumulAnnuel:
        """Seed 003 section 4: reserve this aid on the ledger of the beneficiary (SIREN) and
        calendar year of the act, and test « le montant annuel cumulatif des aides » (the
        service's other contrat-pro aids that year, the other aids the employer declared, this
        one) against 23 000 EUR. Under de minimis (`cadre`, section 3), the ledger also tests
        the 300 000 EUR ceiling, refuses the reservation over it (`PlafondDepasse`) and the
        figures go to `etat.de_minimis`. `cadre` None: a history from before the framework."""
        etat = self._etat
        assert etat.demande is not None
        beneficiaire = siren(self._contrat().siret_etablissement)
        aujourdhui = workflow.now().astimezone(PARIS).date()
        declarees = etat.demande.aides_de_minimis_declarees
        entree = EntreeCumul(
            siren=beneficiaire,
            annee=aujourdhui.year,
            reservation=ReservationCumul(
                dossier=self._suivi.workflow_id,
                montant=montant,
                cadre=cadre or CadreAide.DE_MINIMIS,
                le=aujourdhui,
                autres_declarees=etat.demande.cumul_aides_annee,
            ),
            de_minimis=(
                ControleDeMinimis(declarees=declarees, plafond=PLAFOND_DE_MINIMIS)
                if cadre is CadreAide.DE_MINIMIS
                else None
            ),
        )
        if cadre is None:
            aides_service = await workflow.execute_activity(
                reserver_cumul_contrat_pro, entree, start_to_close_timeout=ACTIVITE_TIMEOUT
            )
        else:
            try:
                faite = await workflow.execute_activity(
                    reserver_aide_contrat_pro, entree, start_to_close_timeout=ACTIVITE_TIMEOUT
                )
            except ActivityError as exc:
                refus = exc.cause
                if isinstance(refus, ApplicationError) and refus.type == PLAFOND_DEPASSE:
                    raise PlafondDepasse(refus.message) from exc
                raise
            aides_service = faite.autres
            if faite.de_minimis_service is not None:
                etat.de_minimis = PlafondDeMinimis(
                    aides_service=faite.de_minimis_service,
                    aides_declarees=declarees,
                    montant=montant,
                    total=faite.de_minimis_service + declarees + montant,
                    plafond=PLAFOND_DE_MINIMIS,
                )
        autres = etat.demande.cumul_aides_annee
        return CumulAnnuel(
            siren=beneficiaire,
            annee=aujourdhui.year,
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
        await self._emettre_titre(
            decision.montant_a_recuperer or etat.montant_verse, decision.motif or ""
        )

    async def _emettre_titre(self, montant: Decimal, motif: str) -> None:
        """Seed 003 section 4: a titre exécutoire for `montant`, followed until recovered
        (`asp.contrat-pro.titre-recouvre`) or written off (`renoncer_recouvrement`)."""
        etat = self._etat
        etat.montant_a_recuperer += montant
        etat.trop_percu = Decimal("0.00")
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
                motif=motif,
            ),
        )
        await self._changer(Statut.RECOUVREMENT, motif)

    async def _renoncer_recouvrement(self, motif: str) -> None:
        """The excess proposed is not claimed, or the rest of the open titres is written off
        (the accounting's admission en non-valeur, recorded by an instructor): back to `paye`,
        whose timer is the archive."""
        etat = self._etat
        if etat.statut is Statut.EXAMEN_TROP_PERCU:
            etat.montant_abandonne += etat.trop_percu
            etat.trop_percu = Decimal("0.00")
        else:
            reste = etat.montant_a_recuperer - etat.montant_recouvre
            etat.montant_a_recuperer -= reste
            etat.montant_abandonne += reste
            for ordre in etat.ordres:
                if ordre.nature == "titre_executoire" and ordre.statut == "emis":
                    ordre.statut = "abandonne"
        await self._changer(Statut.PAYE, motif)

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

    async def _demande_de_paiement(self) -> None:
        """A payment request to act on (received when due, or kept until then): instructed
        (seed 003 section 3: « versée [...] après instruction »; section 4: « La Région
        contrôle la recevabilité des pièces pour procéder au versement »). A request filed
        after its deadline goes to an instructor (`examen_delai`); it is filed on its own date,
        or on the day it is received if it says a later one."""
        etat = self._etat
        assert etat.demande_paiement is not None
        if not workflow.patched(PAIEMENT_INSTRUIT):
            await self._payer(etat.demande_paiement.rib_reference)
            return
        limite = self._limite_demande_paiement()
        aujourdhui = workflow.now().astimezone(PARIS).date()
        if min(etat.demande_paiement.date_demande_paiement, aujourdhui) > limite:
            await self._examen_delai(limite)
            return
        await self._evaluer()
        if await self._aide_nulle("aucun ordre de paiement n'est émis"):
            return
        await self._notifier(
            INSTRUCTEUR,
            "DEMANDE_PAIEMENT_A_INSTRUIRE",
            f"Demande de paiement du {etat.demande_paiement.date_demande_paiement:%d/%m/%Y} "
            f"(montant dû {self._evaluation().montant} EUR) : pièces à contrôler avant le "
            "versement. Décision attendue : valider_paiement, demander_pieces ou reduire.",
        )
        await self._changer(Statut.INSTRUCTION_PAIEMENT, "DEMANDE_PAIEMENT_DEPOSEE")

    def _limite_demande_paiement(self) -> date:
        """The payment-request deadline in force: the instructor's, or 3 months after the
        contract's last day (section 3)."""
        relevee = self._etat.date_limite_demande_paiement_relevee
        return relevee or self._evaluation().date_limite_demande_paiement

    async def _examen_delai(self, limite: date) -> None:
        """The deadline had passed before the fact fixing it (the contract's real end) was
        known, or the request is dated after it: no time-bar in that same instant, an
        instructor decides."""
        fin = self._etat.date_fin_effective or self._contrat().date_fin
        await self._notifier(
            INSTRUCTEUR,
            "DELAI_ECHU_AVANT_CONNU",
            f"Délai échu avant d'être connu : date_limite_demande_paiement {limite:%d/%m/%Y} "
            f"(3 mois après la fin du contrat le {fin:%d/%m/%Y}, règlement d'intervention, "
            "section 3) était passée quand elle a été connue. Décision attendue : "
            "constater_prescription ou relever_delai.",
        )
        await self._changer(Statut.EXAMEN_DELAI, DELAI_ECHU_AVANT_CONNU)

    async def _payer(self, rib_reference: str) -> None:
        """Section 3: a single payment of the final amount (or the lower amount an instructor
        decided, section 4), by an idempotent order. An amount of zero never produces an
        order: the aid is not due."""
        await self._evaluer()
        if await self._aide_nulle("aucun ordre de paiement n'est émis"):
            return
        etat, evaluation = self._etat, self._evaluation()
        montant = evaluation.montant
        if etat.montant_a_verser is not None:
            montant = min(montant, etat.montant_a_verser)
        ordre = OrdrePaiement(
            id=f"{self._suivi.workflow_id}/paiement/{len(etat.ordres) + 1}",
            nature="paiement",
            montant=montant,
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
                objet=f"aide contrat de professionnalisation {etat.cle}{self._presentee_par()}",
            ),
        )
        await self._changer(Statut.PAIEMENT_EMIS)

    def _presentee_par(self) -> str:
        """The état récapitulatif that presented the aid, for the order's wording."""
        demande = self._etat.demande_paiement
        if demande is None or demande.etat_recapitulatif is None:
            return ""
        return f", état récapitulatif {demande.etat_recapitulatif}"

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
        await self._constater_trop_percu()  # a fact learnt while the order was out
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
            for titre in etat.ordres:
                if titre.nature == "titre_executoire" and titre.statut == "emis":
                    titre.statut = "recouvre"
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
