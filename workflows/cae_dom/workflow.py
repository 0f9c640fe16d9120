"""`CaeDomWorkflow`, one per CAE-DOM convention, keyed by the convention's dossier key
(`DDD-AA-NNNNN`). Orchestration only (handlers, activity calls, orders, notifications); the
life of a convention and where each part lives are in the package's docstring
(`workflows/cae_dom/__init__.py`)."""

from datetime import date

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.regles_cae_dom import (
        calculer_echeancier_cae_dom,
        evaluer_convention_cae_dom,
        liquider_trimestres_cae_dom,
    )
    from events import topics
    from models.cae_dom import (
        STATUTS_TERMINAUX,
        TRIMESTRES_LIQUIDES,
        TRIMESTRES_SOLDES,
        WORKFLOW,
        ConventionCaeDom,
        CoordonneesBancairesCaeDom,
        DecisionCaeDom,
        EtatCaeDom,
        EtatPresenceCaeDom,
        Liquidation,
        ModificationCaeDom,
        PaiementExecuteCaeDom,
        PaiementRejeteCaeDom,
        RenouvellementCaeDom,
        ReversementRecuCaeDom,
        RuptureCaeDom,
        Statut,
        StatutTrimestre,
        TrimestreCaeDom,
        TypeDecisionCaeDom,
    )
    from models.dossier import LigneOrdre, Nature
    from models.evenements import CloudEvent, EntreeDossier
    from models.sortants import DossierOuvert, OrdrePaiementEmis, TitreExecutoire
    from workflows.cae_dom import echeances, montants, refus
    from workflows.dossier import DossierWorkflow, Echeance
    from workflows.rgpd import LIBELLE_LIMITE
    from workflows.suivi import ACTIVITE_TIMEOUT

HISTORIQUE_MAX_CAE_DOM = 500
"""Continue-as-new beyond this many history events (instead of the base's 10 000): a quarter costs
about 55 (end, statement, order, execution), so a run holds about two years and a 60-month
convention replays at most a few hundred events, never its whole life."""
DELAI_ETAT_PRESENCE = "cae-dom-delai-etat-presence"
"""`workflow.patched` id of the statements' deadline (issue 18): a quarter whose statement is
past its deadline goes to an instructor. Asked once, at the start of a run (the main path):
histories recorded before it (tests/replay/cae_dom-*) replay without the deadline timer."""
ENREGISTREE = "asp.cae-dom.convention-enregistree.v1"
EMPLOYEUR = "employeur"
INSTRUCTEUR = "instructeur"
RECTIFIABLES: dict[str, tuple[str, ...]] = {
    "salarie": ("convention", "salarie"),
    "nir_salarie": ("convention", "salarie", "nir"),
    "nom_salarie": ("convention", "salarie", "nom"),
    "prenoms_salarie": ("convention", "salarie", "prenoms"),
    "nom_patronymique_salarie": ("convention", "salarie", "nom_patronymique"),
    "date_naissance_salarie": ("convention", "salarie", "date_naissance"),
    "lieu_naissance_salarie": ("convention", "salarie", "lieu_naissance"),
    "adresse_salarie": ("convention", "salarie", "adresse"),
    "code_postal_salarie": ("convention", "salarie", "adresse", "code_postal"),
}
"""GDPR art. 16: the Cerfa's employee fields a `guichet.rgpd.rectification.v1` may correct, and
where they live in the state; each is validated by the Cerfa model (`models.cae_dom.Salarie`:
NIR key, NIR consistent with the birth date, postal code). `salarie` and `adresse_salarie` take
an object of some of their fields, validated together: a NIR and a birth date both wrong are
corrected at once, since each alone would contradict the other."""


@workflow.defn(name=WORKFLOW)
class CaeDomWorkflow(DossierWorkflow[EtatCaeDom]):
    dispositif = WORKFLOW
    historique_max = HISTORIQUE_MAX_CAE_DOM
    rectifiables = RECTIFIABLES

    @workflow.init
    def __init__(self, entree: EntreeDossier) -> None:
        self._demarrer(
            EtatCaeDom.model_validate(entree.reprise)
            if entree.reprise
            else EtatCaeDom(cle=entree.cle),
            entree.reprise,
        )
        self._delai_etat = False
        """Whether the statements have a deadline (`DELAI_ETAT_PRESENCE`), known in `run`."""

    # --- messages ----------------------------------------------------------------------------

    @workflow.update(name="decider")
    async def decider(self, decision: DecisionCaeDom) -> Statut:
        """An instructor's decision; returns the status once it is applied."""
        await self._decider(decision)
        return self._etat.statut

    @decider.validator
    def _valider(self, decision: DecisionCaeDom) -> None:
        self._valider_decision(decision)

    @workflow.query(name="decisions_possibles")
    def decisions_possibles(self) -> dict[str, str | None]:
        """Each decision type and why the state refuses it now (None: possible), by the
        validator's own rules. The probe carries a motive, the first quarter awaiting a
        decision and an end the day before the coverage's, so only the state decides; the
        real decision is still validated when it is sent."""
        etat = self._etat
        attendus = refus.en_instruction(etat)
        return {
            t.value: self._motif_refus(
                DecisionCaeDom(
                    type=t,
                    auteur="(sonde)",
                    motif="(sonde)",
                    trimestre=attendus[0] if attendus else None,
                    date_fin_effective=etat.date_fin - refus.UN_JOUR if etat.date_fin else None,
                )
            )
            for t in TypeDecisionCaeDom
        }

    @workflow.run
    async def run(self, entree: EntreeDossier) -> EtatCaeDom:
        self._delai_etat = workflow.patched(DELAI_ETAT_PRESENCE)
        await self._boucle()
        return self._etat

    def _termine(self) -> bool:
        return self._etat.statut in STATUTS_TERMINAUX

    async def _apres_levee(self) -> None:
        """A quarter that ended while processing was restricted awaits its statement first (a
        statement held for it would otherwise arrive "before the quarter's end"); the held
        partner events follow; the main loop then sends the reminders still due."""
        while self._etat.statut not in STATUTS_TERMINAUX:
            fins = echeances.fins_echues(self._etat, workflow.now())
            if not fins:
                break
            await self._echeance(min(fins, key=lambda e: e.quand))

    # --- deadlines and reminders (computed in echeances.py) ---------------------------------

    def _aujourdhui(self) -> date:
        return workflow.now().astimezone(echeances.fuseau(self._etat)).date()

    def _echeances(self) -> list[Echeance]:
        """Quarter ends not reached yet, reminders not sent yet, statements' deadlines."""
        return echeances.echeances(self._etat, delai=self._delai_etat)

    async def _echeance(self, echeance: Echeance) -> None:
        trimestre = self._trimestre(echeance.sujet)
        maintenant = workflow.now()
        if echeance.code == echeances.DELAI:
            await self._delai_depasse(trimestre, echeance)
            return
        self._suivi.noter(
            self._suivi.entree(
                Nature.ECHEANCE,
                echeance.code,
                f"echeance/{echeance.sujet}/{echeance.code}",
                trimestre=echeance.sujet,
                date=echeance.jour.isoformat(),
            )
        )
        if echeance.code == "fin":
            trimestre.rappels.append("fin")
            trimestre.statut = StatutTrimestre.ATTENTE_ETAT
            if self._delai_etat:
                trimestre.date_limite_etat = echeances.date_limite_a_la_demande(
                    trimestre, self._aujourdhui()
                )
        # Every reminder of this quarter due now is marked done: after a quarter's end (when
        # registered late) none is sent after the demand; otherwise only the latest is sent.
        zone = echeances.fuseau(self._etat)
        trimestre.rappels.extend(r.code for r in echeances.rappels_dus(trimestre, zone, maintenant))
        suivant = next(iter(echeances.rappels(trimestre, zone)), None)
        if echeance.code == "fin":
            limite = (
                f" au plus tard le {trimestre.date_limite_etat:%d/%m/%Y}"
                if trimestre.date_limite_etat
                else ""
            )
            await self._notifier(
                EMPLOYEUR,
                "ETAT_PRESENCE_ATTENDU",
                f"Le trimestre {trimestre.trimestre} est échu : transmettez à l'ASP{limite} "
                f"l'état de présence du salarié du {trimestre.du:%d/%m/%Y} au "
                f"{trimestre.au:%d/%m/%Y} (mois non travaillés, absences non rémunérées).",
                suivant.jour if suivant else None,
            )
        else:
            await self._notifier(
                EMPLOYEUR,
                "RAPPEL_ETAT_PRESENCE",
                f"Rappel : l'état de présence du trimestre {trimestre.trimestre} n'a pas été "
                "reçu ; l'aide du trimestre ne peut être payée sans lui.",
                suivant.jour if suivant else None,
            )
            if suivant is None:
                await self._notifier(
                    INSTRUCTEUR,
                    "ETAT_PRESENCE_NON_RECU",
                    f"Convention {self._etat.cle} : état de présence du trimestre "
                    f"{trimestre.trimestre} non reçu {echeances.RAPPELS_JOURS[-1]} jours après "
                    "la fin du trimestre, malgré les rappels.",
                )
        await self._clore_si_termine()
        await self._enregistrer()

    async def _delai_depasse(self, trimestre: TrimestreCaeDom, echeance: Echeance) -> None:
        """The statement's deadline passed without it: the quarter goes to an instructor, who
        pays it on the contract's hours, suspends the payments or ends the convention (a late
        statement is still liquidated as usual)."""
        self._suivi.noter(
            self._suivi.entree(
                Nature.ECHEANCE,
                echeance.code,
                f"echeance/{echeance.sujet}/{echeance.code}",
                trimestre=echeance.sujet,
                date=echeance.jour.isoformat(),
            )
        )
        trimestre.rappels.append(echeances.DELAI)
        trimestre.statut = StatutTrimestre.EN_INSTRUCTION
        await self._notifier(
            INSTRUCTEUR,
            "ETAT_PRESENCE_DELAI_DEPASSE",
            f"Convention {self._etat.cle} : l'état de présence du trimestre "
            f"{trimestre.trimestre} n'a pas été reçu à sa date limite du "
            f"{echeance.jour:%d/%m/%Y}. Décision attendue : payer sur les heures du contrat, "
            "suspendre les paiements ou mettre fin à la convention.",
        )
        await self._enregistrer()

    # --- instructor decisions (refused in refus.py) ------------------------------------------

    def _refus_decision(self, decision: DecisionCaeDom) -> str | None:
        return refus.refus_decision(self._etat, decision)

    async def _appliquer_decision(self, decision: DecisionCaeDom) -> str | None:
        etat = self._etat
        etat.decisions.append(decision)
        self._noter_decision(
            decision.type,
            decision.auteur,
            motif=decision.motif or "",
            trimestre=decision.trimestre or "",
            date_fin_effective=decision.date_fin_effective.isoformat()
            if decision.date_fin_effective
            else "",
        )
        if decision.type is TypeDecisionCaeDom.PAYER_HEURES_DECLAREES:
            assert decision.trimestre is not None
            await self._payer_heures_declarees(self._trimestre(decision.trimestre))
        elif decision.type is TypeDecisionCaeDom.SUSPENDRE_PAIEMENTS:
            etat.motif_suspension = decision.motif
            await self._notifier(
                EMPLOYEUR,
                "PAIEMENTS_SUSPENDUS",
                f"Les paiements de l'aide CAE-DOM (convention {etat.cle}) sont suspendus : "
                f"{decision.motif}.",
            )
            await self._changer(Statut.SUSPENDU, f"SUSPENSION : {decision.motif}")
        elif decision.type is TypeDecisionCaeDom.REPRENDRE_PAIEMENTS:
            await self._reprendre_paiements(decision.motif)
        elif decision.type is TypeDecisionCaeDom.METTRE_FIN:
            assert decision.date_fin_effective is not None
            await self._rompre(
                decision.date_fin_effective, f"décision de l'instructeur : {decision.motif}"
            )
        elif decision.type is TypeDecisionCaeDom.CLORE:
            for trimestre in etat.trimestres:
                if trimestre.statut not in TRIMESTRES_SOLDES:
                    trimestre.statut = StatutTrimestre.ANNULE
            await self._changer(Statut.CLOS, f"CLOTURE : {decision.motif}")
        await self._clore_si_termine()
        await self._enregistrer()
        return None

    async def _payer_heures_declarees(self, trimestre: TrimestreCaeDom) -> None:
        """The quarter liquidated as a statement declaring no absence would be: every covered
        day at the contract's hours (the aid periods in force)."""
        declaration = EtatPresenceCaeDom(trimestre=trimestre.trimestre)
        (liquidation,) = await self._liquider([declaration])
        trimestre.etat_presence, trimestre.liquidation = declaration, liquidation
        trimestre.montant_du, trimestre.sans_etat_presence = liquidation.montant, True
        if liquidation.montant == 0:
            trimestre.statut = StatutTrimestre.NEANT
        else:
            await self._ordonner(trimestre)

    async def _reprendre_paiements(self, motif: str | None) -> None:
        """Payments resume: every quarter held meanwhile is ordered (with the bank details in
        force)."""
        etat = self._etat
        etat.motif_suspension = None
        await self._changer(Statut.EN_COURS, f"REPRISE_DES_PAIEMENTS : {motif or '-'}")
        for trimestre in etat.trimestres:
            if trimestre.statut is StatutTrimestre.SUSPENDU:
                await self._ordonner(trimestre)

    # --- partner events (refused in refus.py) ------------------------------------------------

    async def _sur_evenement(self, event: CloudEvent) -> str | None:
        """Apply a partner event; returns why it makes no sense in this state, or None."""
        appliquer = {
            "asp.cae-dom.convention-enregistree": self._sur_enregistrement,
            "asp.cae-dom.etat-presence": self._sur_etat_presence,
            "asp.cae-dom.paiement-execute": self._sur_paiement_execute,
            "asp.cae-dom.paiement-rejete": self._sur_paiement_rejete,
            "asp.cae-dom.coordonnees-bancaires-corrigees": self._sur_coordonnees_bancaires,
            "asp.cae-dom.avenant-renouvellement": self._sur_renouvellement,
            "asp.cae-dom.avenant-modification": self._sur_modification,
            "asp.cae-dom.rupture": self._sur_rupture,
            "asp.cae-dom.reversement-recu": self._sur_reversement_recu,
        }.get(self._type(event))
        if appliquer is None:
            return f"événement {event.type} inconnu du dispositif {WORKFLOW}"
        if event.type != ENREGISTREE and self._etat.convention is None:
            return f"événement {event.type} pour une convention que l'ASP n'a pas enregistrée"
        return await appliquer(event)

    async def _apres_evenement(self) -> None:
        await self._clore_si_termine()

    # --- data subject's rights (GDPR) --------------------------------------------------------

    async def _rectifie(self, champ: str) -> None:
        """After a corrected birth date, the maximum duration (annexe II, question 3: age 50
        within the first 24 months) is evaluated again: renewals are checked against it. A
        coverage already beyond it is for an instructor to review, never cut here."""
        etat = self._etat
        if champ not in ("date_naissance_salarie", "salarie") or etat.evaluation is None:
            return
        avant = etat.evaluation
        apres = await workflow.execute_activity(
            evaluer_convention_cae_dom,
            self._convention(),
            start_to_close_timeout=ACTIVITE_TIMEOUT,
        )
        if apres.duree_maximale_mois == avant.duree_maximale_mois:
            return
        etat.evaluation = avant.model_copy(
            update={
                "duree_maximale_mois": apres.duree_maximale_mois,
                "date_fin_maximale": apres.date_fin_maximale,
            }
        )
        self._suivi.noter(
            self._suivi.entree(
                Nature.DECISION,
                "rgpd_reevaluation",
                f"{self._rgpd.etat.rectifications[-1]}/reevaluation",
                champ=champ,
                duree_maximale_mois_avant=str(avant.duree_maximale_mois),
                duree_maximale_mois=str(apres.duree_maximale_mois),
            )
        )
        if etat.date_fin is not None and etat.date_fin > apres.date_fin_maximale:
            await self._notifier(
                INSTRUCTEUR,
                "DUREE_MAXIMALE_A_REVOIR",
                f"Convention {etat.cle} : après rectification de la date de naissance du "
                f"salarié, la durée maximale de prise en charge passe de "
                f"{avant.duree_maximale_mois} à {apres.duree_maximale_mois} mois (fin au plus "
                f"tard le {apres.date_fin_maximale:%d/%m/%Y}, {refus.SOURCE_DUREE}) ; la prise "
                f"en charge en vigueur court jusqu'au {etat.date_fin:%d/%m/%Y}.",
            )

    async def _sur_enregistrement(self, event: CloudEvent) -> str | None:
        etat = self._etat
        if etat.statut is not Statut.NOUVEAU:
            return f"événement {event.type} inattendu au statut {etat.statut}"
        convention = ConventionCaeDom.model_validate(event.data)
        numero = convention.numero_convention
        if numero.cle_dossier != etat.cle:
            return f"convention {numero} : sa clé {numero.cle_dossier} n'est pas celle du dossier"
        evaluation = await workflow.execute_activity(
            evaluer_convention_cae_dom,
            convention,
            start_to_close_timeout=ACTIVITE_TIMEOUT,
        )
        etat.convention, etat.evaluation = convention, evaluation
        if evaluation.motifs:
            etat.motifs_refus = evaluation.motifs
            await self._notifier(
                EMPLOYEUR,
                "CONVENTION_REFUSEE",
                refus.convention_refusee(convention, evaluation),
            )
            await self._changer(Statut.REFUSE, ", ".join(evaluation.motifs))
            return None
        etat.periodes = [evaluation.periode]
        etat.date_fin = convention.prise_en_charge.date_fin
        etat.trimestres = [montants.nouveau_trimestre(e) for e in evaluation.echeancier]
        etat.statut = Statut.EN_COURS
        await self._suivi.publier(
            topics.DOSSIERS,
            "guichet.dossier.ouvert.v1",
            DossierOuvert(dispositif=WORKFLOW, statut=etat.statut),
        )
        return None

    async def _sur_etat_presence(self, event: CloudEvent) -> str | None:
        declaration = EtatPresenceCaeDom.model_validate(event.data)
        if motif := refus.refus_etat_presence(self._etat, declaration):
            return motif
        trimestre = self._trimestre(declaration.trimestre)
        (liquidation,) = await self._liquider([declaration])
        trimestre.etat_presence, trimestre.liquidation = declaration, liquidation
        trimestre.montant_du = liquidation.montant
        if liquidation.montant == 0:
            trimestre.statut = StatutTrimestre.NEANT
        elif self._etat.statut is Statut.SUSPENDU:
            trimestre.statut = StatutTrimestre.SUSPENDU  # ordered when payments resume
        else:
            await self._ordonner(trimestre)
        return None

    async def _sur_paiement_execute(self, event: CloudEvent) -> str | None:
        paiement = PaiementExecuteCaeDom.model_validate(event.data)
        ordre = self._etat.ordre(paiement.ordre_id, "paiement")
        if motif := refus.refus_paiement_execute(ordre, paiement):
            return motif
        assert ordre is not None
        ordre.statut, ordre.solde_le = "execute", paiement.date_execution
        trimestre = self._trimestre(ordre.periode)
        trimestre.montant_verse += ordre.montant
        trimestre.statut = StatutTrimestre.PAYE
        await self._reverser_si_besoin()
        return None

    async def _sur_paiement_rejete(self, event: CloudEvent) -> str | None:
        rejet = PaiementRejeteCaeDom.model_validate(event.data)
        ordre = self._etat.ordre(rejet.ordre_id, "paiement")
        if motif := refus.ordre_inattendu(ordre, rejet.ordre_id, "paiement rejeté"):
            return motif
        assert ordre is not None
        ordre.statut = "rejete"
        trimestre = self._trimestre(ordre.periode)
        if trimestre.montant_du == 0:  # a break made the quarter not due: nothing to pay again
            trimestre.statut = StatutTrimestre.ANNULE
            return None
        trimestre.statut = StatutTrimestre.REJETE
        await self._notifier(
            EMPLOYEUR,
            "PAIEMENT_REJETE",
            f"Le paiement de {ordre.montant} EUR du trimestre {trimestre.trimestre} a été rejeté "
            f"({rejet.motif}) : transmettez à l'ASP vos coordonnées bancaires corrigées.",
        )
        return None

    async def _sur_coordonnees_bancaires(self, event: CloudEvent) -> str | None:
        """New bank details: kept for the next orders; every rejected quarter is ordered again
        (a new order id, `<quarter>-<attempt>`)."""
        etat = self._etat
        etat.rib_reference = CoordonneesBancairesCaeDom.model_validate(event.data).rib_reference
        for trimestre in etat.trimestres:
            if trimestre.statut is StatutTrimestre.REJETE:
                if etat.statut is Statut.SUSPENDU:
                    trimestre.statut = StatutTrimestre.SUSPENDU  # ordered when payments resume
                else:
                    await self._ordonner(trimestre)
        return None

    async def _sur_renouvellement(self, event: CloudEvent) -> str | None:
        avenant = RenouvellementCaeDom.model_validate(event.data)
        etat = self._etat
        if motif := refus.refus_renouvellement(etat, avenant):
            return motif
        maximum = refus.maximum_renouvellement(etat, avenant)
        if maximum.reevalue and etat.evaluation is not None:
            # The maximum now follows the situation at this renewal (annexe II, question 3).
            etat.evaluation = etat.evaluation.model_copy(
                update={
                    "duree_maximale_mois": maximum.duree_mois,
                    "date_fin_maximale": maximum.date_fin,
                    "duree_reevaluee_par": str(avenant.numero_convention),
                }
            )
        await self._appliquer_avenant(avenant, montants.fin(etat) + refus.UN_JOUR)
        return None

    async def _sur_modification(self, event: CloudEvent) -> str | None:
        avenant = ModificationCaeDom.model_validate(event.data)
        if motif := refus.refus_modification(self._etat, avenant):
            return motif
        await self._appliquer_avenant(avenant, avenant.date_effet)
        return None

    async def _appliquer_avenant(
        self, avenant: RenouvellementCaeDom | ModificationCaeDom, effet: date
    ) -> None:
        """New level or hours from `effet` (the amendment's effective date, the day after the
        previous end for a renewal), the new end, then the schedule again."""
        etat = self._etat
        nouvelle_fin = avenant.date_fin or montants.fin(etat)
        etat.periodes = montants.periodes_apres_avenant(etat.periodes, avenant, effet)
        etat.date_fin = nouvelle_fin
        etat.avenants.append(str(avenant.numero_convention))
        await self._recalculer_echeancier()

    async def _sur_rupture(self, event: CloudEvent) -> str | None:
        """Early end: quarters after it are cancelled, what was liquidated is recomputed up to
        the effective end, and what was paid beyond it is recovered (Cerfa: « ordre de
        reversement »)."""
        rupture = RuptureCaeDom.model_validate(event.data)
        if motif := refus.refus_rupture(self._etat, rupture):
            return motif
        await self._rompre(rupture.date_fin_effective, rupture.motif)
        return None

    async def _rompre(self, date_fin_effective: date, motif_rupture: str) -> None:
        """The convention ends at `date_fin_effective` (the ASP's rupture, or an instructor's
        decision): quarters after it are cancelled, what was liquidated is recomputed up to
        it, quarters held by a suspension are ordered for what is still due (an end lifts the
        suspension), and what was paid beyond it is recovered."""
        etat = self._etat
        etat.date_fin_effective, etat.motif_rupture = date_fin_effective, motif_rupture
        await self._recalculer_echeancier()
        liquides = [
            t for t in etat.trimestres if t.statut in TRIMESTRES_LIQUIDES and t.etat_presence
        ]
        if liquides:
            liquidations = await self._liquider(
                [t.etat_presence for t in liquides if t.etat_presence]
            )
            for trimestre, liquidation in zip(liquides, liquidations, strict=True):
                trimestre.montant_du = liquidation.montant
                if trimestre.statut is StatutTrimestre.REJETE and liquidation.montant == 0:
                    trimestre.statut = StatutTrimestre.ANNULE
        etat.motif_suspension = None
        for trimestre in etat.trimestres:
            if trimestre.statut is StatutTrimestre.SUSPENDU:
                if trimestre.montant_du:
                    await self._ordonner(trimestre)
                else:
                    trimestre.statut = StatutTrimestre.ANNULE
        await self._changer(Statut.ROMPU, f"RUPTURE : {motif_rupture}")
        await self._reverser_si_besoin()

    async def _sur_reversement_recu(self, event: CloudEvent) -> str | None:
        recu = ReversementRecuCaeDom.model_validate(event.data)
        ordre = self._etat.ordre(recu.ordre_id, "reversement")
        if motif := refus.refus_reversement(ordre, recu):
            return motif
        assert ordre is not None
        ordre.montant_recu += recu.montant
        if ordre.montant_recu == ordre.montant:
            ordre.statut, ordre.solde_le = "recouvre", recu.date_encaissement
        en_cours = [o for o in montants.ordres_de_reversement(self._etat) if o.statut == "emis"]
        if not en_cours and self._etat.statut is Statut.RECOUVREMENT:
            await self._changer(Statut.ROMPU, "REVERSEMENT_SOLDE")
        return None

    # --- amounts and orders (computed in montants.py) ----------------------------------------

    async def _liquider(self, etats: list[EtatPresenceCaeDom]) -> list[Liquidation]:
        return await workflow.execute_activity(
            liquider_trimestres_cae_dom,
            montants.entree_liquidation(self._etat, etats),
            start_to_close_timeout=ACTIVITE_TIMEOUT,
        )

    async def _recalculer_echeancier(self) -> None:
        """The schedule after an amendment or an early end: quarters still to come are updated,
        added or cancelled; liquidated ones keep their amount (a rupture recomputes it)."""
        echeancier = await workflow.execute_activity(
            calculer_echeancier_cae_dom,
            montants.entree_echeancier(self._etat),
            start_to_close_timeout=ACTIVITE_TIMEOUT,
        )
        self._etat.trimestres = montants.fusionner(self._etat.trimestres, echeancier)

    async def _ordonner(self, trimestre: TrimestreCaeDom) -> None:
        """Pay the quarter's amount by a new order (`montants.ordre_de_paiement`), whose id is
        the idempotency key. The id comes from the state, changed once per applied event, so a
        retried or replayed step publishes the same id."""
        etat = self._etat
        assert trimestre.montant_du is not None
        trimestre.tentatives += 1
        ordre = montants.ordre_de_paiement(
            trimestre, self._suivi.workflow_id, etat.rib_reference, self._aujourdhui()
        )
        etat.ordres.append(ordre)
        trimestre.statut = StatutTrimestre.ORDONNE
        await self._suivi.publier(
            topics.PAIEMENTS,
            "guichet.paiement.ordre.v1",
            OrdrePaiementEmis(
                ordre_id=ordre.id,
                dispositif=WORKFLOW,
                beneficiaire=self._convention().employeur.siret,
                montant=ordre.montant,
                rib_reference=ordre.rib_reference,
                objet=f"aide CAE-DOM convention {etat.cle}, trimestre {trimestre.trimestre} "
                f"(du {trimestre.du:%d/%m/%Y} au {trimestre.au:%d/%m/%Y})",
            ),
        )

    async def _reverser_si_besoin(self) -> None:
        """After an early end, what was paid beyond what is due and not yet ordered
        (`montants.a_reverser`) is recovered by a new order `<workflow id>/reversement/<n>`."""
        etat = self._etat
        if etat.date_fin_effective is None:
            return
        manque = montants.a_reverser(etat)
        if manque <= 0:
            return
        ordre = montants.ordre_de_reversement(
            etat, self._suivi.workflow_id, manque, self._aujourdhui()
        )
        etat.ordres.append(ordre)
        motif = (
            f"ordre de reversement : aide versée au-delà de la fin effective du contrat le "
            f"{etat.date_fin_effective:%d/%m/%Y} (convention {etat.cle})"
        )
        await self._suivi.publier(
            topics.PAIEMENTS,
            "guichet.paiement.titre-executoire.v1",
            TitreExecutoire(
                ordre_id=ordre.id,
                dispositif=WORKFLOW,
                debiteur=self._convention().employeur.siret,
                montant=manque,
                motif=motif,
            ),
        )
        await self._notifier(
            EMPLOYEUR, "ORDRE_REVERSEMENT", f"{motif} : {manque} EUR à reverser à l'ASP."
        )
        if etat.statut is not Statut.RECOUVREMENT:
            await self._changer(Statut.RECOUVREMENT, "ORDRE_DE_REVERSEMENT")

    async def _clore_si_termine(self) -> None:
        """Every quarter paid, nothing to pay or cancelled, nothing left to recover: closed."""
        if montants.soldee(self._etat):
            await self._changer(Statut.CLOS, "CONVENTION_SOLDEE")

    # --- state helpers -----------------------------------------------------------------------

    def _convention(self) -> ConventionCaeDom:
        assert self._etat.convention is not None
        return self._etat.convention

    def _trimestre(self, libelle: str) -> TrimestreCaeDom:
        trimestre = self._etat.trimestre(libelle)
        assert trimestre is not None
        return trimestre

    # --- outputs -----------------------------------------------------------------------------

    async def _enregistrer(self) -> None:
        etat = self._etat
        totaux = montants.totaux(etat)
        etat.montant_accorde, etat.montant_verse = totaux.montant_accorde, totaux.montant_verse
        etat.montant_du, etat.montant_recouvre = totaux.montant_du, totaux.montant_recouvre
        etat.montant_a_recuperer = totaux.montant_a_recuperer
        prochaine = None if self._rgpd.limitation else self._prochaine_echeance()
        await self._suivi.enregistrer(
            ordres=[
                LigneOrdre(id=o.id, periode=o.periode, montant=o.montant, statut=o.statut)
                for o in etat.ordres
            ],
            statut=etat.statut,
            beneficiaire=etat.convention.employeur.siret if etat.convention else None,
            montant_accorde=etat.montant_accorde,
            montant_verse=etat.montant_verse,
            montant_a_recuperer=etat.montant_a_recuperer,
            prochaine_echeance=prochaine.jour if prochaine else None,
            libelle_echeance=LIBELLE_LIMITE
            if self._rgpd.limitation
            else prochaine.libelle
            if prochaine
            else None,
            anomalies=len(etat.anomalies),
        )
