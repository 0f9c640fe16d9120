"""`are-bilan`: one workflow per school and year, the spending report (seeds 000 and 001;
docs/are.md)."""

from datetime import date, timedelta
from decimal import Decimal

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from dateutil.relativedelta import relativedelta

    from activities.are import (
        verifier_bilan_are,
    )
    from models.are import (
        BILAN_EN_RETARD,
        RELIQUATS_CONSTATES,
        STATUTS_BILAN_TERMINAUX,
        WORKFLOW_BILAN,
        WORKFLOW_CAMPAGNE,
        BilanDemande,
        BilanDepose,
        BilanEnRetard,
        ComplementAccorde,
        ComplementRecu,
        DecisionBilan,
        EntreeVerificationBilan,
        EtatBilan,
        RefusSignal,
        ReliquatsConstates,
        SignalDossier,
        StatutBilan,
        TypeDecisionBilan,
        VerificationBilan,
        annee_suivante,
        cle_etablissement,
        fin_annee_scolaire,
        texte_montant,
    )
    from models.dossier import Anomalie, LigneOrdre
    from models.evenements import CloudEvent, EntreeDossier
    from rules.are import annee_valide, uai_valide
    from rules.calendrier import fin_du_jour
    from workflows.are.commun import (
        DELAI_BILAN_MOIS,
        ETABLISSEMENT,
        INSTRUCTEUR,
        RAPPELS_JOURS,
        RELANCES_JOURS,
        DossierAre,
        a_neuf_heures,
        aujourdhui,
    )
    from workflows.dossier import Echeance
    from workflows.suivi import ACTIVITE_TIMEOUT


ATTENTE_DU_BILAN = (StatutBilan.ATTENTE_BILAN, StatutBilan.A_CORRIGER)
RETARD_SIGNALE = "are-bilan-retard-signale"
"""Patch: a report missing at its due date is signalled to next year's campaign
(`guichet.are.bilan-en-retard.v1`), which flags the school on its commission table; histories
recorded before it go late without telling the campaign."""


@workflow.defn(name=WORKFLOW_BILAN)
class BilanAreWorkflow(DossierAre[EtatBilan]):
    dispositif = WORKFLOW_BILAN

    @workflow.init
    def __init__(self, entree: EntreeDossier) -> None:
        if entree.reprise:
            etat = EtatBilan.model_validate(entree.reprise)
        else:
            etat = EtatBilan(cle=entree.cle)
            uai, _, annee = entree.cle.partition(":")
            if uai_valide(uai) and annee_valide(annee):
                etat.uai, etat.annee_scolaire = uai, annee
        self._demarrer(etat, entree.reprise)

    @workflow.update(name="decider")
    async def decider(self, decision: DecisionBilan) -> StatutBilan:
        await self._decider(decision)
        return self._etat.statut

    @decider.validator
    def _valider(self, decision: DecisionBilan) -> None:
        self._valider_decision(decision)

    @workflow.run
    async def run(self, entree: EntreeDossier) -> EtatBilan:
        await self._boucle()
        return self._etat

    def _termine(self) -> bool:
        return self._etat.statut in STATUTS_BILAN_TERMINAUX

    # --- events ----------------------------------------------------------------------------

    async def _sur_evenement(self, event: CloudEvent) -> str | None:
        etat = self._etat
        if etat.uai is None:
            return (
                f"clé « {etat.cle} » invalide : <UAI>:<année scolaire> attendu "
                "(ex. 0750001A:2023-2024)"
            )
        appliquer = {
            "guichet.are.bilan-demande": self._sur_demande_campagne,
            "guichet.are.complement-accorde": self._sur_complement,
            "etablissements.are.bilan-depose": self._sur_bilan,
        }.get(self._type(event))
        if appliquer is None:
            return f"événement {event.type} inconnu du dispositif {WORKFLOW_BILAN}"
        return await appliquer(event)

    async def _sur_demande_campagne(self, event: CloudEvent) -> str | None:
        etat = self._etat
        demande = BilanDemande.model_validate(event.data)
        if etat.campagne is not None:
            return f"bilan déjà demandé par {etat.campagne.campagne}"
        etat.campagne = demande
        return None

    async def _sur_complement(self, event: CloudEvent) -> str | None:
        etat = self._etat
        complement = ComplementAccorde.model_validate(event.data)
        if any(c.demande == complement.demande for c in etat.complements):
            return f"dotation complémentaire {complement.demande} déjà enregistrée"
        etat.complements.append(
            ComplementRecu(
                demande=complement.demande,
                montants=complement.montants,
                deliberation=complement.deliberation,
            )
        )
        return None

    async def _sur_bilan(self, event: CloudEvent) -> str | None:
        etat = self._etat
        bilan = BilanDepose.model_validate(event.data)
        if cle_etablissement(bilan.uai, bilan.annee_scolaire) != etat.cle:
            return (
                f"bilan de {bilan.uai} pour {bilan.annee_scolaire} reçu sur le dossier {etat.cle}"
            )
        etat.bilan = bilan
        etat.bilans_recus += 1
        en_retard = etat.statut is StatutBilan.EN_RETARD or (
            etat.date_limite is not None and bilan.date_depot > etat.date_limite
        )
        etat.depose_en_retard = etat.depose_en_retard or en_retard
        verification = await workflow.execute_activity(
            verifier_bilan_are,
            EntreeVerificationBilan(
                bilan=bilan,
                dotations_versees=etat.dotations_versees(),
                reliquats_connus=etat.campagne.reliquats_anterieurs if etat.campagne else None,
            ),
            start_to_close_timeout=ACTIVITE_TIMEOUT,
        )
        etat.verification = verification
        if verification.valide:
            await self._valider_bilan(verification)
            return None
        messages = " ; ".join(f"[{a.code}] {a.message}" for a in verification.anomalies[:5])
        await self._notifier(
            ETABLISSEMENT,
            "BILAN_A_CORRIGER",
            f"Votre bilan ARE {etat.annee_scolaire} ne peut pas être accepté "
            f"({len(verification.anomalies)} anomalie(s)) : {messages}. Déposez un bilan corrigé.",
            etat.date_limite,
        )
        if etat.statut is not StatutBilan.EN_RETARD:
            await self._changer(StatutBilan.A_CORRIGER, "ANOMALIES")
        return None

    async def _valider_bilan(self, verification: VerificationBilan) -> None:
        """A valid report: its leftovers (allocations received + last leftovers − spending, per
        envelope, never below zero) are deducted from next year's allocation, so they go to
        next year's campaign (signal-with-start) and are this workflow's result."""
        etat = self._etat
        assert etat.annee_scolaire is not None
        assert etat.uai is not None
        reliquats = verification.reliquats
        etat.reliquats = reliquats
        suivante = annee_suivante(etat.annee_scolaire)
        refus = await self._signaler(
            [
                SignalDossier(
                    workflow=WORKFLOW_CAMPAGNE,
                    cle=suivante,
                    evenement=self._interne(
                        RELIQUATS_CONSTATES,
                        suivante,
                        "reliquats",
                        ReliquatsConstates(
                            uai=etat.uai,
                            annee_scolaire=etat.annee_scolaire,
                            reliquats=reliquats,
                            bilan=self._suivi.workflow_id,
                            depose_en_retard=etat.depose_en_retard,
                        ),
                    ).model_dump(mode="json"),
                )
            ]
        )
        self._noter_refus(refus, RELIQUATS_CONSTATES)
        if not refus:
            etat.transmis_a = f"{WORKFLOW_CAMPAGNE}:{suivante}"
        await self._notifier(
            ETABLISSEMENT,
            "BILAN_VALIDE",
            f"Bilan ARE {etat.annee_scolaire} accepté. Reliquats : "
            f"{texte_montant(reliquats.pre_bac)} (pré-bac), {texte_montant(reliquats.post_bac)} "
            f"(post-bac), déduits de la dotation {suivante}.",
        )
        await self._changer(
            StatutBilan.VALIDE,
            f"RELIQUATS pre_bac={reliquats.pre_bac} post_bac={reliquats.post_bac}"
            + (" (déposé en retard)" if etat.depose_en_retard else ""),
        )

    async def _signaler_retard(self, limite: date) -> None:
        """The report is missing at its due date: next year's campaign flags the school on its
        commission table (« bilan N-1 manquant »). The allocation does not depend on it: the
        seeds deduct the leftovers a report declares and set nothing for a missing one (000 and
        001, « Compte rendu d'utilisation des dotations »); the commission decides. The id
        names the due date: a new deadline (`proroger`) missed again is signalled again."""
        etat = self._etat
        assert etat.annee_scolaire is not None
        assert etat.uai is not None
        suivante = annee_suivante(etat.annee_scolaire)
        refus = await self._signaler(
            [
                SignalDossier(
                    workflow=WORKFLOW_CAMPAGNE,
                    cle=suivante,
                    evenement=self._interne(
                        BILAN_EN_RETARD,
                        suivante,
                        f"retard/{limite.isoformat()}",
                        BilanEnRetard(
                            uai=etat.uai,
                            annee_scolaire=etat.annee_scolaire,
                            date_limite=limite,
                            bilan=self._suivi.workflow_id,
                        ),
                    ).model_dump(mode="json"),
                )
            ]
        )
        self._noter_refus(refus, BILAN_EN_RETARD)

    def _noter_refus(self, refus: list[RefusSignal], type_: str) -> None:
        """An internal event the target refused (closed dossier): an anomaly of this one."""
        etat = self._etat
        etat.refus_signaux.extend(refus)
        for r in refus:
            etat.anomalies.append(Anomalie(evenement_id=r.workflow_id, type=type_, motif=r.motif))

    # --- request, reminders, deadline -------------------------------------------------------

    def _echeances(self) -> list[Echeance]:
        etat = self._etat
        if etat.annee_scolaire is None:
            return []
        resultat: list[Echeance] = []
        if etat.date_limite is None and etat.statut in (
            StatutBilan.NOUVEAU,
            StatutBilan.A_CORRIGER,
        ):
            fin = fin_annee_scolaire(etat.annee_scolaire)
            resultat.append(Echeance(a_neuf_heures(fin), "demande", fin))
        elif etat.statut in ATTENTE_DU_BILAN and etat.date_limite is not None:
            limite = etat.date_limite
            resultat.append(Echeance(fin_du_jour(limite), f"limite-{limite}", limite))
            for jours in RAPPELS_JOURS:
                veille = limite - timedelta(days=jours)
                resultat.append(
                    Echeance(a_neuf_heures(veille), f"rappel-{jours}j-{limite}", limite)
                )
        elif etat.statut is StatutBilan.EN_RETARD and etat.date_limite is not None:
            limite = etat.date_limite
            for jours in RELANCES_JOURS:
                jour = limite + timedelta(days=jours)
                resultat.append(Echeance(a_neuf_heures(jour), f"relance-{jours}j-{limite}", limite))
        return [e for e in resultat if e.code not in etat.rappels_envoyes]

    async def _echeance(self, echeance: Echeance) -> None:
        etat = self._etat
        if echeance.code == "demande":
            await self._demander()
        elif echeance.code.startswith("rappel"):
            # Every reminder due now is marked done; only the most urgent is sent.
            dus = [
                e
                for e in self._echeances()
                if e.code.startswith("rappel") and e.quand <= workflow.now()
            ]
            etat.rappels_envoyes.extend(e.code for e in dus)
            await self._notifier(
                ETABLISSEMENT,
                "RAPPEL_BILAN",
                f"Rappel : votre bilan ARE {etat.annee_scolaire} est attendu au plus tard le "
                f"{echeance.jour:%d/%m/%Y}.",
                echeance.jour,
            )
        elif echeance.code.startswith("limite"):
            etat.rappels_envoyes.extend(
                e.code for e in self._echeances() if e.code.startswith("rappel")
            )
            etat.rappels_envoyes.append(echeance.code)
            await self._notifier(
                ETABLISSEMENT,
                "BILAN_EN_RETARD",
                f"Votre bilan ARE {etat.annee_scolaire} était attendu le "
                f"{echeance.jour:%d/%m/%Y} : déposez-le sans attendre.",
                echeance.jour,
            )
            await self._notifier(
                INSTRUCTEUR,
                "BILAN_EN_RETARD",
                f"Bilan ARE {etat.cle} non déposé à la date limite du {echeance.jour:%d/%m/%Y}.",
                echeance.jour,
            )
            await self._changer(StatutBilan.EN_RETARD, "DATE_LIMITE_DEPASSEE")
            if workflow.patched(RETARD_SIGNALE):
                await self._signaler_retard(echeance.jour)
        else:
            dus = [
                e
                for e in self._echeances()
                if e.code.startswith("relance") and e.quand <= workflow.now()
            ]
            etat.rappels_envoyes.extend(e.code for e in dus)
            await self._notifier(
                ETABLISSEMENT,
                "RELANCE_BILAN",
                f"Relance : votre bilan ARE {etat.annee_scolaire}, attendu le "
                f"{echeance.jour:%d/%m/%Y}, n'est toujours pas déposé.",
                echeance.jour,
            )
        await self._enregistrer()

    async def _demander(self) -> None:
        """Ask the report (1 July of the year's end, or now if the dossier starts later), due
        `DELAI_BILAN_MOIS` months later."""
        etat = self._etat
        etat.date_demande = aujourdhui()
        etat.date_limite = etat.date_demande + relativedelta(months=DELAI_BILAN_MOIS)
        await self._notifier(
            ETABLISSEMENT,
            "BILAN_DEMANDE",
            f"L'année scolaire {etat.annee_scolaire} est terminée : transmettez le bilan des "
            "dépenses ARE (dotations reçues, reliquats antérieurs, dépenses par formation, élèves "
            f"aidés, achats par type d'équipement) avant le {etat.date_limite:%d/%m/%Y}.",
            etat.date_limite,
        )
        if etat.statut is StatutBilan.NOUVEAU:
            await self._changer(StatutBilan.ATTENTE_BILAN, "FIN_ANNEE_SCOLAIRE")

    # --- decisions -------------------------------------------------------------------------

    def _refus_decision(self, decision: DecisionBilan) -> str | None:
        statut = self._etat.statut
        if statut in STATUTS_BILAN_TERMINAUX:
            return f"{decision.type} : le dossier est clos (statut {statut})"
        if decision.type is TypeDecisionBilan.CLORE_SANS_SUITE:
            return None if decision.motif else "clore sans suite : le motif est obligatoire"
        if statut not in (*ATTENTE_DU_BILAN, StatutBilan.EN_RETARD):
            return f"proroger : aucun bilan n'est attendu (statut {statut})"
        if decision.date_limite is None or decision.date_limite <= aujourdhui():
            return "proroger : une date limite future est obligatoire"
        return None

    async def _appliquer_decision(self, decision: DecisionBilan) -> str | None:
        etat = self._etat
        etat.decisions.append(decision)
        self._noter_decision(
            decision.type,
            decision.auteur,
            **decision.model_dump(mode="json", exclude={"type", "auteur"}),
        )
        if decision.type is TypeDecisionBilan.CLORE_SANS_SUITE:
            await self._changer(StatutBilan.CLOS_SANS_SUITE, decision.motif)
        else:
            assert decision.date_limite is not None
            etat.date_limite = decision.date_limite
            await self._notifier(
                ETABLISSEMENT,
                "BILAN_PROROGE",
                f"Nouvelle date limite de votre bilan ARE {etat.annee_scolaire} : "
                f"{decision.date_limite:%d/%m/%Y}.",
                decision.date_limite,
            )
            if etat.statut is StatutBilan.EN_RETARD:
                suivant = StatutBilan.A_CORRIGER if etat.bilan else StatutBilan.ATTENTE_BILAN
                await self._changer(suivant, "PROROGATION")
        await self._enregistrer()
        return None

    # --- outputs ---------------------------------------------------------------------------

    async def _enregistrer(self, ordres: list[LigneOrdre] | None = None) -> None:
        etat = self._etat
        versees = etat.dotations_versees()
        await self._suivi.enregistrer(
            ordres=ordres,
            statut=etat.statut,
            beneficiaire=etat.uai,
            montant_accorde=versees.total if versees else Decimal("0.00"),
            prochaine_echeance=etat.date_limite
            if etat.statut in (*ATTENTE_DU_BILAN, StatutBilan.EN_RETARD)
            else None,
            libelle_echeance={
                StatutBilan.ATTENTE_BILAN: "dépôt du bilan des dépenses",
                StatutBilan.A_CORRIGER: "dépôt du bilan corrigé",
                StatutBilan.EN_RETARD: "bilan en retard",
            }.get(etat.statut),
            anomalies=len(etat.anomalies),
        )
