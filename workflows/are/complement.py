"""`are-complement`: one workflow per complementary request (seeds 000 and 001; docs/are.md)."""

from decimal import Decimal

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.are import (
        evaluer_complement_are,
        prochaine_session_are,
        verifier_conditions_complement_are,
    )
    from events import topics
    from models.are import (
        COMPLEMENT_ACCORDE,
        STATUTS_COMPLEMENT_TERMINAUX,
        WORKFLOW_BILAN,
        WORKFLOW_COMPLEMENT,
        ComplementAccorde,
        DecisionCommission,
        DecisionComplement,
        DemandeComplementaire,
        EntreeConditionsComplement,
        EntreeEvaluationComplement,
        EntreeSession,
        EtatComplement,
        EvaluationComplement,
        OrdreAre,
        SessionCommission,
        SignalDossier,
        StatutComplement,
        TypeDecisionComplement,
        cle_etablissement,
        texte_montant,
    )
    from models.dossier import Anomalie, LigneOrdre
    from models.evenements import CloudEvent, EntreeDossier
    from models.sortants import OrdrePaiementEmis
    from rules.are import Enveloppe
    from workflows.are.commun import (
        ETABLISSEMENT,
        INSTRUCTEUR,
        DossierAre,
        a_neuf_heures,
        aujourdhui,
    )
    from workflows.dossier import Echeance
    from workflows.suivi import ACTIVITE_TIMEOUT


CONDITIONS_VERIFIEES = "are-complement-conditions"
"""Patch: a request is checked against the year's campaign (voted, an increase over its n-1
counts) before it is priced; histories recorded before it price it at once."""
MODIFIABLE = (
    StatutComplement.NOUVEAU,
    StatutComplement.CONDITIONS_NON_REMPLIES,
    StatutComplement.INSTRUCTION,
)


@workflow.defn(name=WORKFLOW_COMPLEMENT)
class ComplementAreWorkflow(DossierAre[EtatComplement]):
    dispositif = WORKFLOW_COMPLEMENT

    @workflow.init
    def __init__(self, entree: EntreeDossier) -> None:
        self._demarrer(
            EtatComplement.model_validate(entree.reprise)
            if entree.reprise
            else EtatComplement(cle=entree.cle),
            entree.reprise,
        )

    @workflow.update(name="decider")
    async def decider(self, decision: DecisionComplement) -> StatutComplement:
        await self._decider(decision)
        return self._etat.statut

    @decider.validator
    def _valider(self, decision: DecisionComplement) -> None:
        self._valider_decision(decision)

    @workflow.run
    async def run(self, entree: EntreeDossier) -> EtatComplement:
        await self._boucle()
        return self._etat

    def _termine(self) -> bool:
        return self._etat.statut in STATUTS_COMPLEMENT_TERMINAUX

    def _demande(self) -> DemandeComplementaire:
        assert self._etat.demande is not None
        return self._etat.demande

    def _evaluation(self) -> EvaluationComplement:
        assert self._etat.evaluation is not None
        return self._etat.evaluation

    # --- events ----------------------------------------------------------------------------

    async def _sur_evenement(self, event: CloudEvent) -> str | None:
        etat = self._etat
        if self._type(event) != "etablissements.are.demande-complementaire":
            return f"événement {event.type} inconnu du dispositif {WORKFLOW_COMPLEMENT}"
        if etat.statut not in MODIFIABLE:
            return (
                f"nouvelle version de la demande au statut {etat.statut} : elle n'est plus "
                "modifiable, déposez une nouvelle demande"
            )
        demande = DemandeComplementaire.model_validate(event.data)
        if etat.demande is not None and demande.uai != etat.demande.uai:
            return f"uai « {demande.uai} » : la demande {etat.cle} est celle de {etat.demande.uai}"
        etat.demande = demande
        if workflow.patched(CONDITIONS_VERIFIEES) and not await self._conditions_remplies():
            return None
        await self._evaluer("DEMANDE_RECUE")
        return None

    async def _evaluer(self, motif: str) -> None:
        """Price the lines (`evaluer_complement_are`): the request is in instruction."""
        demande = self._demande()
        self._etat.evaluation = await workflow.execute_activity(
            evaluer_complement_are,
            EntreeEvaluationComplement(
                annee_scolaire=demande.annee_scolaire, lignes=demande.lignes
            ),
            start_to_close_timeout=ACTIVITE_TIMEOUT,
        )
        await self._changer(StatutComplement.INSTRUCTION, motif)

    async def _conditions_remplies(self) -> bool:
        """Both seeds, « Dotation complémentaire »: « En cas d'insuffisance de crédits liée à
        une augmentation des effectifs ... une dotation complémentaire peut être attribuée ».
        The year's campaign must be voted and each line must show an increase over the n-1
        count the campaign used (`rules.are.complement`). A request that fails goes to an
        instructor with the reasons (`conditions_non_remplies`: `reexaminer` or `rejeter`),
        unpriced; True when the conditions are met."""
        etat, demande = self._etat, self._demande()
        etat.conditions = await workflow.execute_activity(
            verifier_conditions_complement_are,
            EntreeConditionsComplement(
                uai=demande.uai, annee_scolaire=demande.annee_scolaire, lignes=demande.lignes
            ),
            start_to_close_timeout=ACTIVITE_TIMEOUT,
        )
        if etat.conditions.remplies:
            return True
        etat.evaluation = None
        await self._notifier(
            INSTRUCTEUR,
            "DEMANDE_CONDITIONS_NON_REMPLIES",
            f"Demande de dotation complémentaire {etat.cle} ({demande.uai}) : conditions non "
            f"remplies, à instruire (réexaminer ou rejeter) : {' ; '.join(etat.conditions.motifs)}",
        )
        premier = etat.conditions.motifs[0].partition(" ")[0]
        await self._changer(StatutComplement.CONDITIONS_NON_REMPLIES, premier)
        return False

    # --- decisions -------------------------------------------------------------------------

    def _refus_decision(self, decision: DecisionComplement) -> str | None:
        statut, type_ = self._etat.statut, decision.type
        if statut in STATUTS_COMPLEMENT_TERMINAUX:
            return f"{type_} : la demande est close (statut {statut})"
        avant_commission = {
            TypeDecisionComplement.INSCRIRE: self._refus_inscription,
            TypeDecisionComplement.REJETER: lambda: self._refus_rejet(decision),
            TypeDecisionComplement.REEXAMINER: self._refus_reexamen,
        }.get(type_)
        if avant_commission is not None:
            return avant_commission()
        if statut is not StatutComplement.EN_COMMISSION:
            return f"{type_} : la demande n'est pas devant la commission (statut {statut})"
        if type_ is TypeDecisionComplement.AJOURNER:
            return None if decision.motif else "ajourner : le motif est obligatoire"
        return self._refus_statuer(decision)

    def _refus_reexamen(self) -> str | None:
        statut = self._etat.statut
        if statut is not StatutComplement.CONDITIONS_NON_REMPLIES:
            return f"reexaminer : les conditions ne sont pas en défaut (statut {statut})"
        return None

    def _refus_rejet(self, decision: DecisionComplement) -> str | None:
        if self._etat.statut is StatutComplement.NOUVEAU:
            return "rejeter : aucune demande reçue"
        return None if decision.motif else "rejeter : le motif est obligatoire"

    def _refus_inscription(self) -> str | None:
        statut = self._etat.statut
        conditions = self._etat.conditions
        if statut is StatutComplement.CONDITIONS_NON_REMPLIES and conditions is not None:
            return (
                "inscrire : conditions non remplies ("
                + " ; ".join(conditions.motifs)
                + ") : réexaminer ou rejeter"
            )
        if statut is not StatutComplement.INSTRUCTION:
            return f"inscrire : la demande n'est pas en instruction (statut {statut})"
        evaluation = self._evaluation()
        if not evaluation.eligible:
            motifs = ", ".join(f"{lig.code_diplome} {lig.motif}" for lig in evaluation.lignes)
            return f"inscrire : aucune ligne éligible ({motifs})"
        return None

    def _refus_statuer(self, decision: DecisionComplement) -> str | None:
        """The commission may grant another amount than requested, with a reason; never on an
        envelope the request had no eligible line for (the envelopes are not fungible)."""
        accordes, demandes = decision.montants_accordes, self._evaluation().montants_demandes
        if accordes is None or not decision.deliberation:
            return "statuer : les montants accordés et la délibération sont obligatoires"
        for env in Enveloppe:
            if accordes.de(env) > 0 and demandes.de(env) == 0:
                return (
                    f"statuer : montants_accordes.{env.value} « {accordes.de(env)} » sans ligne "
                    f"{env.value} éligible demandée (enveloppes non fongibles)"
                )
        if accordes != demandes and not decision.motif:
            return (
                f"statuer : le montant accordé ({texte_montant(accordes.total)}) diffère du "
                f"montant demandé ({texte_montant(demandes.total)}) : le motif est obligatoire"
            )
        return None

    async def _appliquer_decision(self, decision: DecisionComplement) -> str | None:
        etat = self._etat
        session: SessionCommission | None = None
        if decision.type in (TypeDecisionComplement.INSCRIRE, TypeDecisionComplement.AJOURNER):
            session = await self._prochaine_session()
            if session is None:
                return (
                    f"{decision.type} : aucune session de commission permanente programmée "
                    f"après le {aujourdhui():%d/%m/%Y} (rules/data/are/sessions_commission.csv)"
                )
        etat.decisions.append(decision)
        self._noter_decision(decision.type, decision.auteur, motif=decision.motif or "")
        if decision.type is TypeDecisionComplement.REEXAMINER:
            if await self._conditions_remplies():
                await self._evaluer("CONDITIONS_REMPLIES")
            await self._enregistrer()
            return None
        if decision.type in (TypeDecisionComplement.INSCRIRE, TypeDecisionComplement.AJOURNER):
            assert session is not None
            if etat.session is not None:
                etat.sessions_ajournees.append(etat.session)
            etat.session = session
            await self._notifier(
                ETABLISSEMENT,
                "DEMANDE_INSCRITE_COMMISSION",
                f"Votre demande de dotation complémentaire {etat.cle} "
                f"({texte_montant(self._evaluation().montants_demandes.total)}) sera examinée "
                f"par la commission permanente du {session.date_session:%d/%m/%Y} "
                f"({session.reference}).",
                session.date_session,
            )
            await self._changer(StatutComplement.ATTENTE_COMMISSION, session.reference)
        elif decision.type is TypeDecisionComplement.REJETER:
            await self._rejeter(decision.motif or "")
        else:
            await self._statuer(decision)
        await self._enregistrer(self._lignes_ordres())
        return None

    async def _prochaine_session(self) -> SessionCommission | None:
        resultat = await workflow.execute_activity(
            prochaine_session_are,
            EntreeSession(jour=aujourdhui()),
            start_to_close_timeout=ACTIVITE_TIMEOUT,
        )
        return resultat.session

    async def _rejeter(self, motif: str) -> None:
        await self._notifier(
            ETABLISSEMENT,
            "DEMANDE_COMPLEMENTAIRE_REJETEE",
            f"Votre demande de dotation complémentaire {self._etat.cle} est rejetée : {motif}",
        )
        await self._changer(StatutComplement.REJETEE, motif)

    async def _statuer(self, decision: DecisionComplement) -> None:
        """Both seeds, « Dotation complémentaire »: « une dotation complémentaire peut être
        attribuée par la commission permanente ». Granted: notified, one payment order per
        envelope, and the school's spending report of that year is told (its allocations
        received include the complement)."""
        etat, demande = self._etat, self._demande()
        assert etat.session is not None
        assert decision.montants_accordes is not None
        assert decision.deliberation is not None
        accordes = decision.montants_accordes
        etat.commission = DecisionCommission(
            session=etat.session,
            deliberation=decision.deliberation,
            montants_accordes=accordes,
            motif=decision.motif,
            auteur=decision.auteur,
        )
        if accordes.total == 0:
            await self._rejeter(
                f"la commission permanente du {etat.session.date_session:%d/%m/%Y} "
                f"({decision.deliberation}) n'accorde pas de dotation complémentaire : "
                f"{decision.motif}"
            )
            return
        message = (
            f"La commission permanente du {etat.session.date_session:%d/%m/%Y} "
            f"({decision.deliberation}) vous accorde une dotation complémentaire de "
            f"{texte_montant(accordes.pre_bac)} (pré-bac) et {texte_montant(accordes.post_bac)} "
            f"(post-bac)"
        )
        if accordes != self._evaluation().montants_demandes:
            message += (
                f" au lieu de {texte_montant(self._evaluation().montants_demandes.total)} "
                f"demandés : {decision.motif}"
            )
        await self._notifier(ETABLISSEMENT, "DOTATION_COMPLEMENTAIRE_ACCORDEE", message + ".")
        for env in Enveloppe:
            if accordes.de(env) <= 0:
                continue
            ordre = OrdreAre(
                id=f"{self._suivi.workflow_id}/paiement/{env.value}",
                enveloppe=env,
                montant=accordes.de(env),
            )
            etat.ordres.append(ordre)
            await self._suivi.publier(
                topics.PAIEMENTS,
                "guichet.paiement.ordre.v1",
                OrdrePaiementEmis(
                    ordre_id=ordre.id,
                    dispositif=WORKFLOW_COMPLEMENT,
                    beneficiaire=demande.uai,
                    montant=ordre.montant,
                    objet=(
                        f"ARE {demande.annee_scolaire} dotation complémentaire {env.value} "
                        f"({decision.deliberation})"
                    ),
                ),
            )
        cle = cle_etablissement(demande.uai, demande.annee_scolaire)
        refus = await self._signaler(
            [
                SignalDossier(
                    workflow=WORKFLOW_BILAN,
                    cle=cle,
                    evenement=self._interne(
                        COMPLEMENT_ACCORDE,
                        cle,
                        "complement-accorde",
                        ComplementAccorde(
                            uai=demande.uai,
                            annee_scolaire=demande.annee_scolaire,
                            montants=accordes,
                            demande=self._suivi.workflow_id,
                            deliberation=decision.deliberation,
                        ),
                    ).model_dump(mode="json"),
                )
            ]
        )
        etat.refus_signaux.extend(refus)
        for r in refus:
            etat.anomalies.append(
                Anomalie(evenement_id=r.workflow_id, type=COMPLEMENT_ACCORDE, motif=r.motif)
            )
        await self._changer(StatutComplement.PAIEMENT_EMIS, decision.deliberation)

    # --- the session ----------------------------------------------------------------------

    def _echeances(self) -> list[Echeance]:
        session = self._etat.session
        if self._etat.statut is not StatutComplement.ATTENTE_COMMISSION or session is None:
            return []
        return [Echeance(a_neuf_heures(session.date_session), "session", session.date_session)]

    async def _echeance(self, echeance: Echeance) -> None:
        """The session day: the request is before the commission; an instructor records its
        decision (`statuer`, `ajourner` or `rejeter`)."""
        session = self._etat.session
        assert session is not None
        await self._notifier(
            INSTRUCTEUR,
            "DEMANDE_A_STATUER",
            f"Demande de dotation complémentaire {self._etat.cle} inscrite à la commission "
            f"permanente du {session.date_session:%d/%m/%Y} ({session.reference}) : "
            f"{texte_montant(self._evaluation().montants_demandes.total)} demandés.",
            session.date_session,
        )
        await self._changer(StatutComplement.EN_COMMISSION, session.reference)
        await self._enregistrer()

    # --- outputs ---------------------------------------------------------------------------

    def _lignes_ordres(self) -> list[LigneOrdre]:
        return [
            LigneOrdre(id=o.id, periode=o.enveloppe.value, montant=o.montant, statut=o.statut)
            for o in self._etat.ordres
        ]

    async def _enregistrer(self, ordres: list[LigneOrdre] | None = None) -> None:
        etat = self._etat
        accorde = etat.commission.montants_accordes.total if etat.commission else Decimal("0.00")
        await self._suivi.enregistrer(
            ordres=ordres,
            statut=etat.statut,
            beneficiaire=etat.demande.uai if etat.demande else None,
            montant_accorde=accorde,
            prochaine_echeance=etat.session.date_session
            if etat.session and etat.statut is StatutComplement.ATTENTE_COMMISSION
            else None,
            libelle_echeance={
                StatutComplement.INSTRUCTION: "examen par un instructeur",
                StatutComplement.CONDITIONS_NON_REMPLIES: (
                    "examen par un instructeur (conditions non remplies)"
                ),
                StatutComplement.ATTENTE_COMMISSION: "session de la commission permanente",
                StatutComplement.EN_COMMISSION: "décision de la commission permanente",
            }.get(etat.statut),
            anomalies=len(etat.anomalies),
        )
