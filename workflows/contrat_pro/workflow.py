"""One workflow per contrat de professionnalisation, keyed by the OPCO contract number.

Orchestration only: the rules are in `rules/contrat_pro.py` (evaluated by an activity, since
they read the annex list), side effects in activities, what every scheme shares (the main
loop, decisions, GDPR, outputs) in `workflows/dossier.py`. The life of a dossier (seed 003,
sections 2 to 5) is in docs/contrat_pro.md; in short:

registration (or the request first) -> wait for the request, reminders -> instruction and
decision (documents may be asked) -> act (arrêté, or a convention to sign) -> 12-month wait
applying OPCO events -> payment request, reminders -> payment order, ASP confirmation (a
rejection waits for corrected bank details) -> retention 10 years -> archive; recovery on fraud.

Timers are computed from the state (`echeances.py`): the next deadline or reminder is the
wait's timeout. The decisions the state allows are in `refus.py`, the money in `paiement.py`.
"""

from datetime import date, timedelta
from decimal import Decimal

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from events import topics
    from models.contrat_pro import (
        STATUTS_TERMINAUX,
        WORKFLOW,
        AvenantDuree,
        CadreAide,
        ContratEnregistre,
        ContratRepris,
        ContratRompu,
        ConventionSignee,
        CoordonneesBancairesCorrigees,
        Decision,
        DemandeDeposee,
        DemandePaiementDeposee,
        DocumentAjoute,
        EtatContratPro,
        Statut,
        SuspensionNonRemuneree,
        TypeDecision,
    )
    from models.dossier import LigneOrdre, Nature
    from models.evenements import CloudEvent, EntreeDossier
    from models.sortants import (
        DossierOuvert,
        DossierPrescrit,
    )
    from rules.calendrier import PARIS, fin_du_jour
    from rules.contrat_pro import date_limite_demande, rupture_premier_mois
    from workflows.contrat_pro.echeances import LIBELLES_ECHEANCE, echeances
    from workflows.contrat_pro.paiement import (
        AIDE_NON_DUE,
        EMPLOYEUR,
        INSTRUCTEUR,
        STATUTS_AVANT_PAIEMENT,
        ContratProPaiement,
        PlafondDepasse,
    )
    from workflows.contrat_pro.refus import refus_decision
    from workflows.dossier import Echeance
    from workflows.rgpd import LIBELLE_LIMITE

ENREGISTRE = "opco.contrat-pro.enregistre.v1"
STATUTS_ACCORDES = frozenset(
    {
        Statut.ATTENTE_SIGNATURE,
        Statut.EN_COURS,
        Statut.ATTENTE_DEMANDE_PAIEMENT,
        Statut.PAIEMENT_EMIS,
        Statut.PAIEMENT_REJETE,
        Statut.PAYE,
        Statut.RECOUVREMENT,
        Statut.EXAMEN_DELAI,
        Statut.INSTRUCTION_PAIEMENT,
        Statut.ATTENTE_PIECES_PAIEMENT,
        Statut.EXAMEN_TROP_PERCU,
    }
)
"""Statuses after an acceptance: the read model shows the amount as granted only then."""
RECTIFIABLES: dict[str, tuple[str, ...]] = {
    "date_naissance_salarie": ("contrat", "date_naissance_salarie"),
    "demandeur_emploi": ("contrat", "demandeur_emploi"),
}
"""GDPR art. 16: the personal fields a `guichet.rgpd.rectification.v1` may correct, and where
they live in the state."""
DELAIS_CONNUS = "contrat-pro-delais-connus"
"""`workflow.patched` id: a payment request received before payment is due is kept and examined
once it is due; a payment-request deadline already passed when it becomes known sends the
dossier to an instructor (`examen_delai`) instead of time-barring it in the same instant.
Histories recorded before it replay as they were (docs/contrat_pro.md, "Deadlines that can be
met")."""
CADRE_AIDE = "contrat-pro-cadre-aide"
"""`workflow.patched` id: the act records its framework (de minimis by default, or SA.111722)
and a de minimis act is tested against the 300 000 EUR ceiling on the ledgers
(docs/contrat_pro.md, « Cadre de l'aide et plafond de minimis »)."""
TEXTES_CADRE = {
    CadreAide.DE_MINIMIS: "du règlement (UE) 2023/2831 (de minimis)",
    CadreAide.SA_111722: "du régime d'aide exempté SA.111722",
}
"""How the acceptance names the act's framework (seed 003 section 3)."""
ETAT_RECAPITULATIF = "contrat-pro-etat-recapitulatif"
"""`workflow.patched` id: an aid under a convention is paid on the état récapitulatif the
convention passes on, a payment request alone is an anomaly (docs/contrat_pro.md, « Convention
et état récapitulatif »)."""
RAPPELS_DEJA_DUS = "contrat-pro-rappels-deja-dus"
"""`workflow.patched` id: asking for documents with a reply date within 30 days no longer sends
the 30-day reminder right after the request (the request gives the date)."""
CUMUL_CALCULE = "contrat-pro-cumul-calcule"
"""`workflow.patched` id: the act's 23 000 EUR test counts the aids guichet granted to the SIREN
that year, reserved on its ledger (`contrat-pro-cumul`); before it, only the employer's
declared figure counted (docs/contrat_pro.md, « Cumul annuel par bénéficiaire »)."""
STATUTS_DEMANDE_PAIEMENT_ANTICIPEE = (
    Statut.ATTENTE_SIGNATURE,
    Statut.EN_COURS,
    Statut.EXAMEN_DELAI,
)
"""Statuses where a payment request is kept for later (payment not due yet, or an instructor
examining the deadline)."""


@workflow.defn(name=WORKFLOW)
class ContratProWorkflow(ContratProPaiement):
    dispositif = WORKFLOW
    rectifiables = RECTIFIABLES
    reponse_au_rang_ancien = True

    @workflow.init
    def __init__(self, entree: EntreeDossier) -> None:
        self._demarrer(
            EtatContratPro.model_validate(entree.reprise)
            if entree.reprise
            else EtatContratPro(cle=entree.cle),
            entree.reprise,
        )

    # --- messages ----------------------------------------------------------------------------

    @workflow.update(name="decider")
    async def decider(self, decision: Decision) -> Statut:
        """An instructor's decision; returns the status once it is applied."""
        await self._decider(decision)
        return self._etat.statut

    @decider.validator
    def _valider(self, decision: Decision) -> None:
        self._valider_decision(decision)

    @workflow.query(name="decisions_possibles")
    def decisions_possibles(self) -> dict[str, str | None]:
        """Each decision type and why the state refuses it now (None: possible), by the
        validator's own rules. The probe carries a reason and a deadline a month away, so only
        the state decides; the real decision is still validated when it is sent."""
        limite = workflow.now().astimezone(PARIS).date() + timedelta(days=30)
        return {
            t.value: self._motif_refus(
                Decision(type=t, auteur="(sonde)", motif="(sonde)", date_limite_reponse=limite)
            )
            for t in TypeDecision
        }

    @workflow.run
    async def run(self, entree: EntreeDossier) -> EtatContratPro:
        await self._boucle()
        return self._etat

    def _termine(self) -> bool:
        return self._etat.statut in STATUTS_TERMINAUX

    # --- deadlines and reminders -------------------------------------------------------------

    def _echeances(self) -> list[Echeance]:
        return echeances(self._etat)

    def _date_echeance(self) -> date | None:
        """The next deadline (not a reminder), for the read model; none while held."""
        if self._rgpd.limitation is not None:
            return None
        jours = [e.jour for e in self._echeances() if not e.code.startswith("rappel")]
        return min(jours, default=None)

    async def _echeance(self, echeance: Echeance) -> None:
        etat = self._etat
        if echeance.code.startswith("rappel"):
            # Every reminder due now is marked done; only the most urgent is sent (a dossier
            # opened late gets one reminder, not two at once).
            dus = [e for e in self._echeances() if e.code.startswith("rappel")]
            dus = [e for e in dus if e.quand <= workflow.now()]
            etat.rappels_envoyes.extend(e.code for e in dus)
            await self._notifier(
                EMPLOYEUR,
                f"RAPPEL_{echeance.sujet}",
                f"Rappel : échéance le {echeance.jour:%d/%m/%Y}.",
                echeance.jour,
            )
            await self._enregistrer()
            return
        etat.rappels_envoyes.append(echeance.code)
        self._suivi.noter(
            self._suivi.entree(
                Nature.ECHEANCE,
                echeance.code,
                f"echeance/{echeance.code}/{echeance.jour}",
                date=echeance.jour.isoformat(),
            )
        )
        if echeance.code == "demande":
            await self._suivi.publier(
                topics.DOSSIERS,
                "guichet.dossier.prescrit.v1",
                DossierPrescrit(
                    motif="DEMANDE_HORS_DELAI", date_limite_demande=etat.date_limite_demande
                ),
            )
            await self._changer(Statut.PRESCRIT, "DEMANDE_HORS_DELAI")
        elif echeance.code.startswith("pieces"):
            etat.date_limite_pieces = None
            await self._notifier(
                INSTRUCTEUR,
                "PIECES_NON_RECUES",
                f"Les pièces demandées n'ont pas été reçues au {echeance.jour:%d/%m/%Y}.",
            )
            retour = (
                Statut.INSTRUCTION_PAIEMENT
                if etat.statut is Statut.ATTENTE_PIECES_PAIEMENT
                else Statut.INSTRUCTION
            )
            await self._changer(retour, "PIECES_NON_RECUES")
        elif echeance.code == "versement":
            await self._evaluer()
            if await self._aide_nulle("aucun ordre de paiement ne sera émis") or (
                await self._examiner_delai_paiement()
            ):
                await self._enregistrer()
                return
            await self._notifier(
                EMPLOYEUR,
                "INVITATION_DEMANDE_PAIEMENT",
                "L'aide peut être demandée en paiement sur le portail des aides régionales.",
                self._evaluation().date_limite_demande_paiement,
            )
            await self._changer(Statut.ATTENTE_DEMANDE_PAIEMENT)
        elif echeance.code.startswith("demande-paiement"):
            await self._prescrire_paiement()
        elif echeance.code == "archive":
            await self._archiver()
        await self._enregistrer()

    # --- partner events ----------------------------------------------------------------------

    async def _sur_evenement(self, event: CloudEvent) -> str | None:
        """Apply a partner event; returns why it makes no sense in this state, or None."""
        appliquer = {
            "opco.contrat-pro.enregistre": self._sur_enregistrement,
            "opco.contrat-pro.rompu": self._sur_rupture,
            "opco.contrat-pro.suspendu": self._sur_suspension,
            "opco.contrat-pro.repris": self._sur_reprise,
            "opco.contrat-pro.avenant": self._sur_avenant,
            "portail.contrat-pro.demande-deposee": self._sur_demande,
            "portail.contrat-pro.document-ajoute": self._sur_document,
            "portail.contrat-pro.convention-signee": self._sur_signature,
            "portail.contrat-pro.demande-paiement-deposee": self._sur_demande_paiement,
            "portail.contrat-pro.coordonnees-bancaires-corrigees": self._sur_rib_corrige,
            "asp.contrat-pro.paiement-execute": self._sur_paiement_execute,
            "asp.contrat-pro.paiement-rejete": self._sur_paiement_rejete,
            "asp.contrat-pro.titre-recouvre": self._sur_titre_recouvre,
        }.get(self._type(event))
        if appliquer is None:
            return f"événement {event.type} inconnu du dispositif {WORKFLOW}"
        if event.type.startswith("opco.") and event.type != ENREGISTRE and not self._etat.contrat:
            return f"événement {event.type} pour un contrat que l'OPCO n'a pas enregistré"
        return await appliquer(event)

    async def _rectifie(self, champ: str) -> None:
        """A corrected age or situation (GDPR) may change eligibility: evaluate again."""
        await self._reevaluer()

    def _inattendu(self, event: CloudEvent, *statuts: Statut) -> str | None:
        """The anomaly text when the dossier is not in one of `statuts`, else None."""
        if self._etat.statut in statuts:
            return None
        return f"événement {event.type} inattendu au statut {self._etat.statut}"

    async def _sur_enregistrement(self, event: CloudEvent) -> str | None:
        if motif := self._inattendu(event, Statut.NOUVEAU):
            return motif
        await self._ouvrir(ContratEnregistre.model_validate(event.data))
        return None

    async def _sur_demande(self, event: CloudEvent) -> str | None:
        if motif := self._inattendu(event, Statut.NOUVEAU, Statut.ATTENTE_DEMANDE):
            return motif
        etat = self._etat
        etat.demande = DemandeDeposee.model_validate(event.data)
        etat.documents.extend(etat.demande.documents)
        if etat.statut is Statut.ATTENTE_DEMANDE:  # else: instructed once registered
            await self._instruire()
        return None

    async def _sur_document(self, event: CloudEvent) -> str | None:
        etat = self._etat
        etat.documents.append(DocumentAjoute.model_validate(event.data).document)
        if etat.statut is Statut.ATTENTE_PIECES and not etat.documents_manquants():
            etat.date_limite_pieces = None
            await self._changer(Statut.INSTRUCTION, "PIECES_RECUES")
        elif etat.statut is Statut.ATTENTE_PIECES_PAIEMENT:  # the instructor judges them
            etat.date_limite_pieces = None
            await self._changer(Statut.INSTRUCTION_PAIEMENT, "PIECES_RECUES")
        return None

    async def _sur_avenant(self, event: CloudEvent) -> str | None:
        self._etat.avenants.append(AvenantDuree.model_validate(event.data))
        await self._reevaluer()
        return None

    async def _sur_signature(self, event: CloudEvent) -> str | None:
        if motif := self._inattendu(event, Statut.ATTENTE_SIGNATURE):
            return motif
        signature = ConventionSignee.model_validate(event.data)
        self._etat.date_signature_convention = signature.date_signature
        await self._changer(Statut.EN_COURS, "CONVENTION_SIGNEE")
        return None

    async def _sur_demande_paiement(self, event: CloudEvent) -> str | None:
        if motif := self._refus_sans_etat_recapitulatif(event):
            return motif
        if self._etat.statut in STATUTS_DEMANDE_PAIEMENT_ANTICIPEE and workflow.patched(
            DELAIS_CONNUS
        ):
            await self._conserver_demande_paiement(
                DemandePaiementDeposee.model_validate(event.data)
            )
            return None
        if motif := self._inattendu(event, Statut.ATTENTE_DEMANDE_PAIEMENT):
            return motif
        self._etat.demande_paiement = DemandePaiementDeposee.model_validate(event.data)
        await self._demande_de_paiement()
        return None

    def _refus_sans_etat_recapitulatif(self, event: CloudEvent) -> str | None:
        """Seed 003 section 3: « Les aides listées dans la convention seront versées au
        bénéficiaire sur présentation d'un état récapitulatif annexé à la convention ». An aid
        under a convention is paid on a request the convention passes on (from the portal's
        état récapitulatif), not on a payment request alone."""
        cumul = self._etat.cumul
        if cumul is None or cumul.acte != "convention" or not workflow.patched(ETAT_RECAPITULATIF):
            return None
        convention = f"{cumul.siren}:{cumul.annee}"
        reference = DemandePaiementDeposee.model_validate(event.data).etat_recapitulatif
        if reference is None:
            return (
                f"aide sous la convention {convention} : elle est versée sur présentation de "
                "l'état récapitulatif annexé à la convention (portail.contrat-pro.etat-"
                "recapitulatif-depose.v1), pas sur une demande de paiement seule "
                "(règlement d'intervention, section 3)"
            )
        if not reference.startswith(f"{convention}/"):
            return f"état récapitulatif {reference} d'une autre convention que {convention}"
        return None

    async def _conserver_demande_paiement(self, demande: DemandePaiementDeposee) -> None:
        """Seed 003 section 3: payment after month 12 or the contract's end, requested « dans un
        délai de 3 mois maximum après la fin du contrat ». A request received before it is due
        is kept (a later one gives the bank details, the first keeps its date) and examined
        when payment becomes due, as filed on its own date."""
        etat = self._etat
        if etat.demande_paiement is not None:
            premiere = min(
                etat.demande_paiement.date_demande_paiement, demande.date_demande_paiement
            )
            demande = demande.model_copy(update={"date_demande_paiement": premiere})
        etat.demande_paiement = demande
        etat.demande_paiement_anticipee = True
        if etat.statut is Statut.EXAMEN_DELAI:
            return  # the instructor deciding on the deadline sees it in the state
        versement = self._evaluation().date_versement
        await self._notifier(
            EMPLOYEUR,
            "DEMANDE_PAIEMENT_CONSERVEE",
            f"Demande de paiement du {demande.date_demande_paiement:%d/%m/%Y} conservée : le "
            f"paiement n'est dû qu'à partir du {versement:%d/%m/%Y} (règlement d'intervention, "
            "section 3) ; elle sera alors examinée comme déposée à sa date.",
            versement,
        )

    async def _examiner_delai_paiement(self) -> bool:
        """Payment is due now: pay a kept request filed by the deadline; send the dossier to an
        instructor if the deadline had passed before it was known. False: neither applies
        (the employer is invited to file, as before)."""
        etat = self._etat
        limite = self._limite_demande_paiement()
        echu = fin_du_jour(limite) <= workflow.now()
        if etat.demande_paiement is None and not echu:
            return False
        if not workflow.patched(DELAIS_CONNUS):
            return False
        demande = etat.demande_paiement
        if demande is not None and demande.date_demande_paiement <= limite:
            await self._demande_de_paiement()
        else:
            await self._examen_delai(limite)
        return True

    async def _sur_rib_corrige(self, event: CloudEvent) -> str | None:
        if motif := self._inattendu(event, Statut.PAIEMENT_REJETE):
            return motif
        await self._payer(CoordonneesBancairesCorrigees.model_validate(event.data).rib_reference)
        return None

    async def _ouvrir(self, contrat: ContratEnregistre) -> None:
        etat = self._etat
        etat.contrat = contrat
        etat.date_limite_demande = date_limite_demande(contrat.date_debut)
        etat.statut = Statut.ATTENTE_DEMANDE
        await self._suivi.publier(
            topics.DOSSIERS,
            "guichet.dossier.ouvert.v1",
            DossierOuvert(
                dispositif=WORKFLOW,
                statut=etat.statut,
                date_limite_demande=etat.date_limite_demande,
            ),
        )
        if etat.demande is not None:  # the request arrived before the registration
            await self._instruire()

    async def _instruire(self) -> None:
        """The request is in (section 2: filed within 3 months, checked by the rules)."""
        await self._evaluer()
        await self._changer(Statut.INSTRUCTION, "DEMANDE_DEPOSEE")

    async def _sur_rupture(self, event: CloudEvent) -> str | None:
        rupture = ContratRompu.model_validate(event.data)
        contrat = self._contrat()
        if not contrat.date_debut <= rupture.date_fin_effective <= contrat.date_fin:
            return (
                f"rupture au {rupture.date_fin_effective} hors de la période du contrat "
                f"({contrat.date_debut} au {contrat.date_fin})"
            )
        etat = self._etat
        etat.date_fin_effective = rupture.date_fin_effective
        await self._reevaluer()
        if (
            rupture_premier_mois(contrat.date_debut, rupture.date_fin_effective)
            and etat.statut in STATUTS_AVANT_PAIEMENT
            and workflow.patched(AIDE_NON_DUE)
        ):
            await self._non_due(
                "RUPTURE_PREMIER_MOIS",
                f"L'aide n'est pas due : date_fin_effective {rupture.date_fin_effective:%d/%m/%Y} "
                f"tombe dans le premier mois du contrat débuté le {contrat.date_debut:%d/%m/%Y} "
                "(règlement d'intervention, section 3 : rupture anticipée durant le premier mois).",
            )
        elif (
            etat.statut is Statut.ATTENTE_DEMANDE_PAIEMENT
            and etat.date_limite_demande_paiement_relevee is None
            and fin_du_jour(self._limite_demande_paiement()) <= workflow.now()
            and workflow.patched(DELAIS_CONNUS)
        ):
            await self._examen_delai(self._limite_demande_paiement())
        return None

    async def _sur_suspension(self, event: CloudEvent) -> str | None:
        suspension = SuspensionNonRemuneree.model_validate(event.data)
        contrat = self._contrat()
        if suspension.du < contrat.date_debut:
            return (
                f"suspension au {suspension.du}, avant le début du contrat ({contrat.date_debut})"
            )
        self._etat.suspensions.append(suspension)
        await self._reevaluer()
        return None

    async def _sur_reprise(self, event: CloudEvent) -> str | None:
        reprise = ContratRepris.model_validate(event.data)
        ouvertes = [s for s in self._etat.suspensions if s.au is None]
        if not ouvertes:
            return f"reprise au {reprise.date_reprise} sans suspension en cours"
        derniere = ouvertes[-1]
        if reprise.date_reprise <= derniere.du:
            return f"reprise au {reprise.date_reprise}, pas après la suspension du {derniere.du}"
        derniere.au = reprise.date_reprise - timedelta(days=1)
        await self._reevaluer()
        return None

    # --- decisions ---------------------------------------------------------------------------

    def _refus_decision(self, decision: Decision) -> str | None:
        return refus_decision(self._etat, decision, workflow.now().astimezone(PARIS).date())

    async def _appliquer_decision(self, decision: Decision) -> str | None:
        etat = self._etat
        if decision.type is TypeDecision.ACCEPTER and (
            refus := await self._reserver_acte(decision)
        ):
            return refus
        etat.decisions.append(decision)
        self._noter_decision(decision.type, decision.auteur, motif=decision.motif or "")
        if decision.type is TypeDecision.ACCEPTER:
            await self._accepter()
        elif decision.type is TypeDecision.REJETER:
            await self._notifier(EMPLOYEUR, "DECISION_REJET", f"Demande rejetée : {decision.motif}")
            await self._changer(Statut.REJETE, decision.motif)
        elif decision.type is TypeDecision.DEMANDER_PIECES:
            await self._demander_pieces(decision)
        elif decision.type is TypeDecision.SIGNALER_FRAUDE:
            await self._fraude(decision)
        elif decision.type is TypeDecision.CLORE_SANS_SUITE:
            await self._changer(Statut.CLOS_SANS_SUITE, decision.motif)
        elif decision.type is TypeDecision.CONSTATER_PRESCRIPTION:
            await self._prescrire_paiement()
        elif decision.type is TypeDecision.RELEVER_DELAI:
            await self._relever_delai(decision)
        elif decision.type is TypeDecision.VALIDER_PAIEMENT:
            assert etat.demande_paiement is not None
            await self._payer(etat.demande_paiement.rib_reference)
        elif decision.type is TypeDecision.REDUIRE:
            await self._reduire(decision)
        elif decision.type is TypeDecision.RECOUVRER:
            await self._emettre_titre(decision.montant or etat.trop_percu, decision.motif or "")
        elif decision.type is TypeDecision.RENONCER_RECOUVREMENT:
            await self._renoncer_recouvrement(decision.motif or "")
        await self._enregistrer()
        return None

    async def _demander_pieces(self, decision: Decision) -> None:
        """For the aid request (`instruction`) or the payment request
        (`instruction_paiement`): the employer told what to send and by when."""
        etat = self._etat
        etat.date_limite_pieces = decision.date_limite_reponse
        await self._notifier(
            EMPLOYEUR,
            "DEMANDE_PIECES",
            f"Pièces à fournir : {decision.motif or ', '.join(etat.documents_manquants())}",
            decision.date_limite_reponse,
        )
        await self._changer(
            Statut.ATTENTE_PIECES_PAIEMENT
            if etat.statut is Statut.INSTRUCTION_PAIEMENT
            else Statut.ATTENTE_PIECES
        )
        if workflow.patched(RAPPELS_DEJA_DUS):
            self._rappels_deja_dus()  # the request above says the date

    def _rappels_deja_dus(self) -> None:
        """A notice that has just given the deadline: no reminder already due on top of it
        (a reply date within 30 days makes the first reminder due at once)."""
        maintenant = workflow.now()
        self._etat.rappels_envoyes.extend(
            e.code
            for e in self._echeances()
            if e.code.startswith("rappel") and e.quand <= maintenant
        )

    async def _reduire(self, decision: Decision) -> None:
        """Seed 003 section 4: « la Région se réserve le droit de ne pas verser l'aide en
        partie ou en totalité ». The order is for the amount decided; nothing at all: the aid
        is not due."""
        etat = self._etat
        assert decision.montant is not None
        assert etat.demande_paiement is not None
        du = self._evaluation().montant
        if decision.montant == 0:
            await self._non_due(
                "NON_VERSEMENT",
                f"L'aide ne sera pas versée ({du} EUR dus) : {decision.motif} (règlement "
                "d'intervention, section 4).",
            )
            return
        etat.montant_a_verser = decision.montant
        await self._notifier(
            EMPLOYEUR,
            "PAIEMENT_REDUIT",
            f"Versement réduit à {decision.montant} EUR au lieu de {du} EUR : {decision.motif} "
            "(règlement d'intervention, section 4).",
        )
        await self._payer(etat.demande_paiement.rib_reference)

    async def _relever_delai(self, decision: Decision) -> None:
        """`examen_delai`: the instructor gives a new deadline; a kept request is instructed
        now."""
        etat = self._etat
        assert decision.date_limite_reponse is not None
        etat.date_limite_demande_paiement_relevee = decision.date_limite_reponse
        if etat.demande_paiement is not None:
            await self._demande_de_paiement()
            return
        await self._changer(Statut.ATTENTE_DEMANDE_PAIEMENT, "DELAI_RELEVE")
        self._rappels_deja_dus()  # the invitation below says the date
        await self._notifier(
            EMPLOYEUR,
            "INVITATION_DEMANDE_PAIEMENT",
            "L'aide peut être demandée en paiement sur le portail des aides régionales, "
            f"jusqu'au {decision.date_limite_reponse:%d/%m/%Y} (délai relevé : {decision.motif}).",
            decision.date_limite_reponse,
        )

    async def _prescrire_paiement(self) -> None:
        """`examen_delai`, or the payment-request deadline: time-barred (section 3)."""
        await self._suivi.publier(
            topics.DOSSIERS,
            "guichet.dossier.prescrit.v1",
            DossierPrescrit(motif="DEMANDE_PAIEMENT_HORS_DELAI"),
        )
        await self._changer(Statut.PAIEMENT_PRESCRIT, "DEMANDE_PAIEMENT_HORS_DELAI")

    async def _reserver_acte(self, decision: Decision) -> str | None:
        """Before the act: its framework (section 3: de minimis by default, or SA.111722 as the
        instructor chooses) and its reservation on the beneficiary's ledger, which gives the
        year's cumul (section 4) and tests the de minimis ceiling. Returns why the acceptance
        is refused after all (« PLAFOND_DE_MINIMIS »), or None. Nothing is reserved for an
        amount of zero (the aid is not due)."""
        montant = self._evaluation().montant
        if montant <= 0 or not workflow.patched(CUMUL_CALCULE):
            return None
        cadre = None
        if workflow.patched(CADRE_AIDE):
            cadre = decision.cadre or CadreAide.DE_MINIMIS
        try:
            self._etat.cumul = await self._reserver_cumul(montant, cadre)
        except PlafondDepasse as exc:
            return (
                f"accepter: {exc} ; accepter au titre du régime SA.111722 (cadre sa_111722) ou "
                "rejeter (motif PLAFOND_DE_MINIMIS)"
            )
        self._etat.cadre = cadre
        return None

    async def _accepter(self) -> None:
        """Sections 3 and 4: the act is an arrêté, or a convention to sign when the year's
        cumul of the beneficiary's aids would exceed 23 000 EUR, computed on its ledger
        (`_reserver_acte`, just before). No act for an amount of zero: the aid is not due."""
        if await self._aide_nulle("aucun acte n'est pris"):
            return
        evaluation = self._evaluation()
        convention = self._etat.acte() == "convention"
        cadre = self._etat.cadre
        titre = f", au titre {TEXTES_CADRE[cadre]}" if cadre else ""
        await self._notifier(
            EMPLOYEUR,
            "DECISION_ACCEPTATION",
            f"Aide accordée : {evaluation.montant} EUR ({len(evaluation.mois_aides)} mois), "
            f"par {'convention à signer' if convention else 'arrêté'}{titre}.",
        )
        await self._changer(Statut.ATTENTE_SIGNATURE if convention else Statut.EN_COURS)

    # --- outputs -----------------------------------------------------------------------------

    async def _enregistrer(self) -> None:
        etat = self._etat
        accorde = (
            etat.evaluation.montant
            if etat.evaluation and etat.statut in STATUTS_ACCORDES
            else Decimal("0.00")
        )
        await self._suivi.enregistrer(
            ordres=[
                LigneOrdre(id=o.id, periode=o.nature, montant=o.montant, statut=o.statut)
                for o in etat.ordres
            ],
            statut=etat.statut,
            beneficiaire=etat.contrat.siret_etablissement if etat.contrat else None,
            montant_accorde=accorde,
            montant_verse=etat.montant_verse,
            montant_a_recuperer=etat.montant_a_recuperer - etat.montant_recouvre,
            prochaine_echeance=self._date_echeance(),
            libelle_echeance=self._libelle_echeance(),
            anomalies=len(etat.anomalies),
        )

    def _libelle_echeance(self) -> str | None:
        if self._rgpd.limitation is not None:
            return LIBELLE_LIMITE
        return LIBELLES_ECHEANCE.get(self._etat.statut)
