"""`are-campagne`: one workflow per school year (seeds 000 and 001; docs/are.md, « Workflows »)."""

from decimal import Decimal

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from activities.are import (
        AreActivities,
    )
    from models.are import (
        BILAN_DEMANDE,
        WORKFLOW_BILAN,
        WORKFLOW_CAMPAGNE,
        BilanDemande,
        BilanEnRetard,
        BilanN1Recu,
        CampagneOuverte,
        DecisionCampagne,
        DotationEtablissement,
        EntreeCalcul,
        EntreeImport,
        EntreeTable,
        EtatCampagne,
        FichiersCorriges,
        LotCampagne,
        ReliquatRecu,
        ReliquatsConstates,
        ResultatImport,
        SignalDossier,
        SituationBilanN1,
        StatutCampagne,
        TypeDecisionCampagne,
        VoteCommission,
        annee_suivante,
        cle_etablissement,
        id_ordre_campagne,
        texte_montant,
    )
    from models.dossier import Anomalie, LigneOrdre, Nature
    from models.evenements import CloudEvent, EntreeDossier
    from rules.are import Enveloppe
    from workflows.are.commun import (
        CALCUL_TIMEOUT,
        INSTRUCTEUR,
        LOT,
        DossierAre,
        a_neuf_heures,
        aujourdhui,
    )
    from workflows.dossier import Echeance


AVANT_VOTE = (StatutCampagne.NOUVELLE, StatutCampagne.IMPORT_REFUSE, StatutCampagne.TABLE_PRODUITE)


@workflow.defn(name=WORKFLOW_CAMPAGNE)
class CampagneAreWorkflow(DossierAre[EtatCampagne]):
    dispositif = WORKFLOW_CAMPAGNE

    @workflow.init
    def __init__(self, entree: EntreeDossier) -> None:
        self._demarrer(
            EtatCampagne.model_validate(entree.reprise)
            if entree.reprise
            else EtatCampagne(cle=entree.cle),
            entree.reprise,
        )

    @workflow.update(name="decider")
    async def decider(self, decision: DecisionCampagne) -> StatutCampagne:
        """An instructor's decision (the vote, a recalculation); returns the status after it."""
        await self._decider(decision)
        return self._etat.statut

    @decider.validator
    def _valider(self, decision: DecisionCampagne) -> None:
        self._valider_decision(decision)

    @workflow.run
    async def run(self, entree: EntreeDossier) -> EtatCampagne:
        await self._boucle()
        return self._etat

    def _termine(self) -> bool:
        return self._etat.statut is StatutCampagne.BILANS_DEMANDES

    # --- events ----------------------------------------------------------------------------

    async def _sur_evenement(self, event: CloudEvent) -> str | None:
        appliquer = {
            "etablissements.are.campagne-ouverte": self._sur_ouverture,
            "etablissements.are.fichiers-corriges": self._sur_fichiers,
            "guichet.are.reliquats-constates": self._sur_reliquats,
            "guichet.are.bilan-en-retard": self._sur_bilan_en_retard,
        }.get(self._type(event))
        if appliquer is None:
            return f"événement {event.type} inconnu du dispositif {WORKFLOW_CAMPAGNE}"
        return appliquer(event)

    def _sur_ouverture(self, event: CloudEvent) -> str | None:
        etat = self._etat
        ouverture = CampagneOuverte.model_validate(event.data)
        if ouverture.annee_scolaire != etat.cle:
            return (
                f"annee_scolaire « {ouverture.annee_scolaire} » : ce n'est pas l'année "
                f"de la campagne {etat.cle}"
            )
        if etat.annee_scolaire is not None:
            return f"la campagne {etat.cle} est déjà ouverte"
        etat.annee_scolaire = ouverture.annee_scolaire
        etat.fichier_effectifs = ouverture.fichier_effectifs
        etat.fichier_etablissements = ouverture.fichier_etablissements
        etat.date_demande_bilans = ouverture.demande_bilans()
        etat.a_recalculer = True
        return None

    def _sur_fichiers(self, event: CloudEvent) -> str | None:
        etat = self._etat
        fichiers = FichiersCorriges.model_validate(event.data)
        if etat.annee_scolaire is None:
            return f"fichiers corrigés pour la campagne {etat.cle} qui n'est pas ouverte"
        if etat.statut not in AVANT_VOTE:
            return f"fichiers corrigés après le vote de la campagne {etat.cle} : ignorés"
        etat.fichier_effectifs = fichiers.fichier_effectifs
        etat.fichier_etablissements = fichiers.fichier_etablissements
        etat.a_recalculer = True
        return None

    def _sur_reliquats(self, event: CloudEvent) -> str | None:
        """Leftovers of a school's last spending report: deducted from this year's allocation
        (both seeds, « Pour les établissements disposant de reliquats d'ARE de l'année
        précédente, ceux-ci sont déduits du montant de leur dotation »)."""
        etat = self._etat
        reliquats = ReliquatsConstates.model_validate(event.data)
        if annee_suivante(reliquats.annee_scolaire) != etat.cle:
            return (
                f"reliquats du bilan {reliquats.annee_scolaire} : ils vont à la campagne "
                f"{annee_suivante(reliquats.annee_scolaire)}, pas {etat.cle}"
            )
        apres_vote = etat.statut not in AVANT_VOTE
        etat.reliquats[reliquats.uai] = ReliquatRecu(
            reliquats=reliquats.reliquats,
            bilan=reliquats.bilan,
            evenement_id=event.id,
            apres_vote=apres_vote,
        )
        signale = etat.bilans_n1.pop(reliquats.uai, None)
        if reliquats.depose_en_retard:
            etat.bilans_n1[reliquats.uai] = BilanN1Recu(
                situation=SituationBilanN1.DEPOSE_EN_RETARD,
                date_limite=signale.date_limite if signale else None,
                bilan=reliquats.bilan,
                evenement_id=event.id,
                apres_vote=apres_vote,
            )
        if apres_vote:
            return (
                f"reliquats de {reliquats.uai} reçus après le vote : non déduits de la dotation "
                f"{etat.cle}, transmis au bilan de l'année"
            )
        if etat.statut is StatutCampagne.TABLE_PRODUITE:
            etat.a_recalculer = True
        return None

    def _sur_bilan_en_retard(self, event: CloudEvent) -> str | None:
        """A school's last spending report, asked by guichet, is missing at its due date: the
        school is flagged on the commission table (« bilan N-1 manquant »), its allocation
        unchanged. The seeds deduct the leftovers a report declares (« Pour les établissements
        disposant de reliquats d'ARE de l'année précédente, ceux-ci sont déduits du montant de
        leur dotation ») and set nothing for a missing report (000 and 001, « Compte rendu
        d'utilisation des dotations »): the commission, told, decides. Before the vote the
        table is recomputed with the flag; after it the flag is kept and shown, the voted table
        unchanged. A valid report's leftovers, later, turn it into « déposé en retard »."""
        etat = self._etat
        retard = BilanEnRetard.model_validate(event.data)
        suivante = annee_suivante(retard.annee_scolaire)
        if suivante != etat.cle:
            return (
                f"bilan {retard.annee_scolaire} en retard : il concerne la campagne {suivante}, "
                f"pas {etat.cle}"
            )
        if retard.uai in etat.reliquats:
            return (
                f"bilan {retard.annee_scolaire} de {retard.uai} signalé en retard alors que ses "
                "reliquats sont reçus : ignoré"
            )
        etat.bilans_n1[retard.uai] = BilanN1Recu(
            situation=SituationBilanN1.MANQUANT,
            date_limite=retard.date_limite,
            bilan=retard.bilan,
            evenement_id=event.id,
            apres_vote=etat.statut not in AVANT_VOTE,
        )
        if etat.statut is StatutCampagne.TABLE_PRODUITE:
            etat.a_recalculer = True
        return None

    # --- import, computation, table ----------------------------------------------------------

    async def _avant_attente(self) -> bool:
        etat = self._etat
        if etat.statut is StatutCampagne.VOTEE:
            await self._payer()
            return True
        if not (etat.a_recalculer and etat.annee_scolaire and etat.statut in AVANT_VOTE):
            return False
        await self._calculer()
        return True

    async def _calculer(self) -> None:
        etat = self._etat
        assert etat.annee_scolaire is not None
        assert etat.fichier_effectifs is not None
        assert etat.fichier_etablissements is not None
        etat.a_recalculer = False
        etat.version += 1
        campagne, v = self._suivi.workflow_id, etat.version
        try:
            imp = await workflow.execute_activity_method(
                AreActivities.importer_effectifs,
                EntreeImport(
                    campagne=campagne,
                    annee_scolaire=etat.annee_scolaire,
                    version=v,
                    fichier_effectifs=etat.fichier_effectifs,
                    fichier_etablissements=etat.fichier_etablissements,
                ),
                start_to_close_timeout=CALCUL_TIMEOUT,
            )
            etat.import_, etat.calcul, etat.table = imp, None, None
            if not imp.valide:
                await self._import_refuse(imp)
                return
            assert imp.donnees is not None
            assert imp.empreinte is not None
            calcul = await workflow.execute_activity_method(
                AreActivities.calculer_dotations,
                EntreeCalcul(
                    campagne=campagne,
                    annee_scolaire=etat.annee_scolaire,
                    version=v,
                    donnees=imp.donnees,
                    empreinte=imp.empreinte,
                    reliquats={uai: r.reliquats for uai, r in etat.reliquats.items()},
                    bilans_n1={uai: b.pour_la_table() for uai, b in etat.bilans_n1.items()},
                ),
                start_to_close_timeout=CALCUL_TIMEOUT,
            )
            table = await workflow.execute_activity_method(
                AreActivities.produire_table_commission,
                EntreeTable(
                    campagne=campagne,
                    annee_scolaire=etat.annee_scolaire,
                    version=v,
                    calcul=calcul.calcul,
                    empreinte=calcul.empreinte,
                ),
                start_to_close_timeout=CALCUL_TIMEOUT,
            )
        except ActivityError as exc:
            motif = f"calcul de la version {v} impossible : {exc.cause or exc}"
            etat.anomalies.append(Anomalie(evenement_id=f"calcul/{v}", type="calcul", motif=motif))
            await self._notifier(INSTRUCTEUR, "CALCUL_IMPOSSIBLE", motif)
            await self._changer(StatutCampagne.IMPORT_REFUSE, "CALCUL_IMPOSSIBLE")
            await self._enregistrer()
            return
        etat.calcul, etat.table = calcul, table
        manquants = sum(
            1
            for d in calcul.dotations
            if d.bilan_n1 and d.bilan_n1.situation is SituationBilanN1.MANQUANT
        )
        await self._notifier(
            INSTRUCTEUR,
            "TABLE_COMMISSION",
            f"Table de la commission permanente {etat.cle}, version {v} : "
            f"{calcul.nombre_etablissements} établissements ({calcul.nombre_dotes} dotés), "
            f"{texte_montant(calcul.dotation.pre_bac)} pré-bac, "
            f"{texte_montant(calcul.dotation.post_bac)} post-bac, total "
            f"{texte_montant(calcul.total)}"
            + (f", {manquants} bilan(s) N-1 manquant(s)" if manquants else "")
            + f". Table : {table.csv} ; rapport : {table.rapport}.",
        )
        await self._changer(StatutCampagne.TABLE_PRODUITE, f"TABLE_V{v}")
        await self._enregistrer()

    async def _import_refuse(self, imp: ResultatImport) -> None:
        premieres = " ; ".join(e.message for e in imp.erreurs[:3])
        await self._notifier(
            INSTRUCTEUR,
            "IMPORT_REFUSE",
            f"Fichiers de la campagne {self._etat.cle} refusés (version {imp.version}) : "
            f"{imp.nombre_erreurs} erreur(s), rapport {imp.rapport_erreurs}. {premieres}",
        )
        await self._changer(StatutCampagne.IMPORT_REFUSE, "ERREURS_FICHIERS")
        await self._enregistrer()

    # --- decisions -------------------------------------------------------------------------

    def _refus_decision(self, decision: DecisionCampagne) -> str | None:
        etat = self._etat
        if decision.type is TypeDecisionCampagne.RECALCULER:
            if etat.annee_scolaire is None or etat.statut not in AVANT_VOTE:
                return f"recalculer : impossible au statut {etat.statut}"
            return None
        return self._refus_vote(decision)

    def _refus_vote(self, decision: DecisionCampagne) -> str | None:
        etat = self._etat
        if etat.statut is not StatutCampagne.TABLE_PRODUITE or etat.table is None:
            return f"voter : aucune table n'attend le vote (statut {etat.statut})"
        if etat.a_recalculer or self._suivi.a_appliquer:
            return (
                "voter : la table va être recalculée (nouvelles données reçues), votez la suivante"
            )
        if decision.date_vote is None or not decision.deliberation:
            return "voter : la date du vote et la référence de la délibération sont obligatoires"
        if decision.version_table != etat.table.version:
            return (
                f"voter : la table à voter est la version {etat.table.version}, pas "
                f"{decision.version_table}"
            )
        if decision.date_vote > aujourdhui():
            return f"voter : la date du vote {decision.date_vote:%d/%m/%Y} est dans le futur"
        return None

    async def _appliquer_decision(self, decision: DecisionCampagne) -> str | None:
        self._noter_decision(
            decision.type,
            decision.auteur,
            **decision.model_dump(mode="json", exclude={"type", "auteur"}),
        )
        if decision.type is TypeDecisionCampagne.RECALCULER:
            self._etat.a_recalculer = True
            await self._enregistrer()
            return None
        assert decision.date_vote is not None
        assert decision.deliberation is not None
        assert decision.version_table is not None
        self._etat.vote = VoteCommission(
            auteur=decision.auteur,
            date_vote=decision.date_vote,
            deliberation=decision.deliberation,
            version_table=decision.version_table,
        )
        await self._changer(StatutCampagne.VOTEE, decision.deliberation)
        await self._enregistrer()  # the payments follow, from the main loop
        return None

    # --- after the vote ----------------------------------------------------------------------

    async def _payer(self) -> None:
        """Notify every school and order its payments, `LOT` schools per activity call; the
        ledger lines of each batch are written with the batch."""
        etat = self._etat
        assert etat.calcul is not None
        assert etat.vote is not None
        assert etat.annee_scolaire is not None
        dotations = etat.calcul.dotations
        while etat.lots_publies * LOT < len(dotations):
            debut = etat.lots_publies * LOT
            lot = dotations[debut : debut + LOT]
            resultat = await workflow.execute_activity_method(
                AreActivities.publier_lot,
                LotCampagne(
                    campagne=self._suivi.workflow_id,
                    annee_scolaire=etat.annee_scolaire,
                    deliberation=etat.vote.deliberation,
                    date_vote=etat.vote.date_vote,
                    horodatage=workflow.now(),
                    dotations=lot,
                ),
                start_to_close_timeout=CALCUL_TIMEOUT,
            )
            etat.lots_publies += 1
            etat.ordres_emis += resultat.ordres
            etat.montant_ordonne += resultat.montant
            self._suivi.noter(
                self._suivi.entree(
                    Nature.PUBLICATION,
                    "lot_notifications_et_ordres",
                    f"lot/{etat.lots_publies}",
                    etablissements=len(lot),
                    premier=lot[0].uai,
                    dernier=lot[-1].uai,
                    notifications=resultat.notifications,
                    ordres=resultat.ordres,
                    montant=str(resultat.montant),
                )
            )
            await self._enregistrer(ordres=self._lignes_ordres(lot))
        await self._changer(StatutCampagne.PAYEE, f"{etat.ordres_emis} ordres de paiement")
        await self._enregistrer()

    def _lignes_ordres(self, lot: list[DotationEtablissement]) -> list[LigneOrdre]:
        return [
            LigneOrdre(
                id=id_ordre_campagne(self._suivi.workflow_id, d.uai, env),
                periode=env.value,
                montant=d.dotation.de(env),
                statut="emis",
            )
            for d in lot
            for env in Enveloppe
            if d.dotation.de(env) > 0
        ]

    def _echeances(self) -> list[Echeance]:
        etat = self._etat
        if etat.statut is not StatutCampagne.PAYEE or etat.date_demande_bilans is None:
            return []
        jour = etat.date_demande_bilans
        return [Echeance(a_neuf_heures(jour), "bilans", jour)]

    async def _echeance(self, echeance: Echeance) -> None:
        await self._demander_bilans()

    async def _demander_bilans(self) -> None:
        """1 July of the year's end (or the later day the opening event set): ask the spending
        report of every school that received an allocation or holds leftovers (both seeds,
        « Compte rendu d'utilisation des dotations »), `LOT` schools per activity call."""
        etat = self._etat
        assert etat.calcul is not None
        assert etat.vote is not None
        assert etat.annee_scolaire is not None
        concernes = [d for d in etat.calcul.dotations if d.total > 0 or d.uai in etat.reliquats]
        while etat.lots_bilans * LOT < len(concernes):
            debut = etat.lots_bilans * LOT
            signaux = []
            for d in concernes[debut : debut + LOT]:
                cle = cle_etablissement(d.uai, etat.annee_scolaire)
                recu = etat.reliquats.get(d.uai)
                demande = BilanDemande(
                    uai=d.uai,
                    annee_scolaire=etat.annee_scolaire,
                    dotation_initiale=d.dotation,
                    reliquats_anterieurs=recu.reliquats if recu else None,
                    campagne=self._suivi.workflow_id,
                    deliberation=etat.vote.deliberation,
                )
                signaux.append(
                    SignalDossier(
                        workflow=WORKFLOW_BILAN,
                        cle=cle,
                        evenement=self._interne(
                            BILAN_DEMANDE, cle, f"bilan/{d.uai}", demande
                        ).model_dump(mode="json"),
                    )
                )
            refus = await self._signaler(signaux)
            etat.lots_bilans += 1
            etat.bilans_demandes += len(signaux) - len(refus)
            etat.refus_signaux.extend(refus)
            self._suivi.noter(
                self._suivi.entree(
                    Nature.PUBLICATION,
                    "lot_bilans_demandes",
                    f"bilans/{etat.lots_bilans}",
                    etablissements=len(signaux),
                    refus=[r.workflow_id for r in refus],
                )
            )
            await self._enregistrer()
        await self._changer(
            StatutCampagne.BILANS_DEMANDES, f"{etat.bilans_demandes} bilans demandés"
        )
        await self._enregistrer()

    # --- outputs ---------------------------------------------------------------------------

    async def _enregistrer(self, ordres: list[LigneOrdre] | None = None) -> None:
        etat = self._etat
        await self._suivi.enregistrer(
            ordres=ordres,
            statut=etat.statut,
            montant_accorde=etat.calcul.total
            if etat.calcul is not None and etat.vote is not None
            else Decimal("0.00"),
            prochaine_echeance=etat.date_demande_bilans
            if etat.statut is StatutCampagne.PAYEE
            else None,
            libelle_echeance={
                StatutCampagne.IMPORT_REFUSE: "fichiers corrigés attendus",
                StatutCampagne.TABLE_PRODUITE: "vote de la commission permanente",
                StatutCampagne.PAYEE: "demande des bilans de fin d'année",
            }.get(etat.statut),
            anomalies=len(etat.anomalies),
        )
