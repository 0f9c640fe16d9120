"""The three ARE workflows (aide régionale à l'équipement, Île-de-France lycées).

Sources: seeds 000 (règlement d'intervention 2021-2022) and 001 (modalités 2023-2024). The
choices made where the texts are silent are in docs/are.md, « Workflows ».

- `are-campagne` (one per school year, key `2023-2024`): opened with the rectorats' enrolment
  file and the schools file, it imports and computes every school's allocation (activities),
  produces the commission permanente's table, waits for the vote (`decider`), then notifies
  every school and orders its payments in batches of `LOT` schools from one activity call per
  batch, so 700 schools cost a few dozen history events. On 1 July of the year's end it asks
  each school's spending report and completes. Before it is opened it collects the leftovers
  that last year's spending reports send it.
- `are-complement` (one per request): a school's written request, checked against the year's
  eligibility, reviewed by an instructor, queued for the next commission permanente session
  (reference data), decided there (the amount granted may differ, with a reason), then
  notified and paid; the spending report of that school and year is told of the grant.
- `are-bilan` (one per school and year, key `<UAI>:<année>`): asked on 1 July of the year's end
  with reminders and late notices, checked with `rules.are.verifier_bilan`; a valid report's
  leftovers go to next year's campaign (signal-with-start) and are the workflow's result.

Partner events and instructor decisions are applied one at a time from the main loop, in
arrival order (the pattern of `workflows/contrat_pro.py`). A decision refused when it is applied
(the state moved, no session left) fails the update with the reason.
"""

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from dateutil.relativedelta import relativedelta
    from pydantic import BaseModel, ValidationError

    from events import topics
    from models.are import (
        BILAN_DEMANDE,
        COMPLEMENT_ACCORDE,
        RELIQUATS_CONSTATES,
        STATUTS_BILAN_TERMINAUX,
        STATUTS_COMPLEMENT_TERMINAUX,
        WORKFLOW_BILAN,
        WORKFLOW_CAMPAGNE,
        WORKFLOW_COMPLEMENT,
        Anomalie,
        BilanDemande,
        BilanDepose,
        CampagneOuverte,
        ComplementAccorde,
        ComplementRecu,
        DecisionBilan,
        DecisionCampagne,
        DecisionCommission,
        DecisionComplement,
        DemandeComplementaire,
        DotationEtablissement,
        EntreeCalcul,
        EntreeEvaluationComplement,
        EntreeImport,
        EntreeSession,
        EntreeTable,
        EntreeVerificationBilan,
        EtatBilan,
        EtatCampagne,
        EtatComplement,
        EvaluationComplement,
        FichiersCorriges,
        LotCampagne,
        OrdreAre,
        RefusSignal,
        ReliquatRecu,
        ReliquatsConstates,
        ResultatCalcul,
        ResultatImport,
        ResultatLot,
        ResultatSession,
        ResultatSignaux,
        SessionCommission,
        SignalDossier,
        SignauxDossiers,
        StatutBilan,
        StatutCampagne,
        StatutComplement,
        TableCommission,
        TypeDecisionBilan,
        TypeDecisionCampagne,
        TypeDecisionComplement,
        VerificationBilan,
        VoteCommission,
        annee_suivante,
        cle_etablissement,
        fin_annee_scolaire,
        id_ordre_campagne,
        texte_montant,
    )
    from models.dossier import LigneOrdre, Nature, Registre
    from models.evenements import CloudEvent, EntreeDossier
    from models.sortants import Notification, OrdrePaiementEmis, StatutDossier
    from rules.are import Enveloppe, annee_valide, uai_valide
    from rules.calendrier import PARIS, fin_du_jour
    from workflows.dossier import ACTIVITE_TIMEOUT, Suivi

LOT = 100
"""Schools per publication batch (one activity call: notifications and payment orders)."""
CALCUL_TIMEOUT = timedelta(minutes=10)
"""Import, computation and table for a whole region: seconds for 700 schools, with margin."""
ATTENTE_MAX = timedelta(days=365)
DELAI_BILAN_MOIS = 3
"""The spending report is due 3 months after it is asked (our reading: the texts only say
« à l'issue de l'année scolaire »)."""
RAPPELS_JOURS = (30, 7)
RELANCES_JOURS = (30, 60)
"""Late notices after the deadline, in days; then the report is awaited without timer."""
SOURCE_GUICHET = "/guichet"
ETABLISSEMENT = "etablissement"
INSTRUCTEUR = "instructeur"

R = TypeVar("R", bound=BaseModel)


@dataclass(frozen=True)
class Echeance:
    quand: datetime
    code: str
    """Unique per deadline or reminder; once handled it is kept in the state."""
    jour: date


def a_neuf_heures(jour: date) -> datetime:
    return datetime.combine(jour, time(9), tzinfo=PARIS)


def aujourdhui() -> date:
    return workflow.now().astimezone(PARIS).date()


class _Dossier(ABC):
    """What the three workflows share: the decision queue, the main loop, outputs."""

    dispositif: str

    def _demarrer(self, cle: str, registre: Registre) -> None:
        self._suivi = Suivi(self.dispositif, cle, registre)
        self._decisions: list[tuple[int, Any]] = []
        self._refus: dict[int, str | None] = {}
        self._recues = 0

    # --- provided by each workflow -----------------------------------------------------------

    @abstractmethod
    def _termine(self) -> bool: ...

    @abstractmethod
    def _reprise(self) -> EntreeDossier: ...

    async def _avant_attente(self) -> bool:
        """Work to do now that every queued message is applied; True if something was done."""
        return False

    def _echeances(self) -> list[Echeance]:
        return []

    @abstractmethod
    async def _echeance(self, echeance: Echeance) -> None: ...

    @abstractmethod
    async def _appliquer_decision(self, decision: Any) -> str | None: ...

    @abstractmethod
    async def _sur_evenement(self, event: CloudEvent) -> str | None: ...

    @abstractmethod
    async def _enregistrer(self, ordres: list[LigneOrdre] | None = None) -> None: ...

    @abstractmethod
    def _anomalies(self) -> list[Anomalie]: ...

    # --- decisions -------------------------------------------------------------------------

    async def _decider(self, decision: Any) -> None:
        """Update body: queue the decision, wait until it is applied, fail if it was refused."""
        self._recues += 1
        rang = self._recues
        self._decisions.append((rang, decision))
        await workflow.wait_condition(lambda: rang in self._refus)
        if motif := self._refus.pop(rang):
            raise ApplicationError(motif, type="DecisionRefusee", non_retryable=True)

    @staticmethod
    def _refuser_si(motif: str | None) -> None:
        if motif:
            raise ApplicationError(motif, type="DecisionRefusee", non_retryable=True)

    # --- main loop -------------------------------------------------------------------------

    async def _boucle(self) -> None:
        while not self._termine():
            if self._suivi.doit_continuer_ailleurs() and self._au_repos():
                workflow.continue_as_new(self._reprise())
            if not self._suivi.a_appliquer and not self._decisions and await self._avant_attente():
                continue
            prochaine = min(self._echeances(), key=lambda e: e.quand, default=None)
            attente = None if prochaine is None else prochaine.quand - workflow.now()
            try:
                await workflow.wait_condition(
                    lambda: bool(self._suivi.a_appliquer or self._decisions),
                    timeout=None
                    if attente is None
                    else min(max(attente, timedelta(0)), ATTENTE_MAX),
                )
            except TimeoutError:
                if prochaine is not None and workflow.now() >= prochaine.quand:
                    await self._echeance(prochaine)
                elif self._au_repos():
                    workflow.continue_as_new(self._reprise())
                continue
            if self._decisions:
                rang, decision = self._decisions.pop(0)
                self._refus[rang] = await self._appliquer_decision(decision)
                continue
            event = self._suivi.prochain()
            if event is not None:
                await self._appliquer(event)
        await workflow.wait_condition(workflow.all_handlers_finished)

    def _au_repos(self) -> bool:
        """No decision waiting and every update answered: safe to continue as new."""
        return not self._decisions and workflow.all_handlers_finished()

    async def _appliquer(self, event: CloudEvent) -> None:
        """Apply an event; one that makes no sense in this state is an anomaly."""
        self._suivi.noter(self._suivi.entree_evenement(event))
        try:
            motif = await self._sur_evenement(event)
        except ValidationError as exc:  # the consumer checks contracts; a test or bug may not
            motif = f"données non conformes au contrat {event.type} : {exc}"
        if motif:
            self._anomalies().append(Anomalie(evenement_id=event.id, type=event.type, motif=motif))
            await self._suivi.signaler_anomalie(event, motif)
        await self._enregistrer()

    def _noter_decision(self, type_: str, auteur: str, **detail: Any) -> None:
        cle = f"decision/{self._suivi.registre.projections + 1}/{type_}"
        entree = self._suivi.entree(Nature.DECISION, type_, cle, **detail)
        self._suivi.noter(entree.model_copy(update={"auteur": auteur}))

    # --- outputs ---------------------------------------------------------------------------

    async def _activite(
        self, nom: str, entree: BaseModel, resultat: type[R], delai: timedelta = ACTIVITE_TIMEOUT
    ) -> R:
        sortie: R = await workflow.execute_activity(
            nom, entree, result_type=resultat, start_to_close_timeout=delai
        )
        return sortie

    async def _notifier(
        self, destinataire: str, objet: str, message: str, echeance: date | None = None
    ) -> None:
        await self._suivi.publier(
            topics.NOTIFICATIONS,
            "guichet.notification.v1",
            Notification(
                dispositif=self.dispositif,
                destinataire=destinataire,
                objet=objet,
                message=message,
                echeance=echeance,
            ),
        )

    async def _publier_statut(self, statut: str, precedent: str, motif: str | None) -> None:
        await self._suivi.publier(
            topics.DOSSIERS,
            "guichet.dossier.statut.v1",
            StatutDossier(
                dispositif=self.dispositif, statut=statut, precedent=precedent, motif=motif
            ),
        )

    async def _signaler(self, signaux: list[SignalDossier]) -> list[RefusSignal]:
        """Deliver internal events to other ARE workflows (starting them if needed)."""
        resultat = await self._activite(
            "signaler_dossiers_are", SignauxDossiers(signaux=signaux), ResultatSignaux
        )
        return resultat.refus

    def _interne(self, type_: str, cle_cible: str, suffixe: str, contenu: BaseModel) -> CloudEvent:
        """An internal event; its id is derived from this workflow, so a resend is deduplicated."""
        return CloudEvent(
            id=f"{self._suivi.workflow_id}/{suffixe}",
            source=SOURCE_GUICHET,
            type=type_,
            subject=cle_cible,
            time=workflow.now(),
            data=contenu.model_dump(mode="json"),
        )


def _type(event: CloudEvent) -> str:
    return event.type.removesuffix(".v1")


# --- the yearly campaign ----------------------------------------------------------------------

AVANT_VOTE = (StatutCampagne.NOUVELLE, StatutCampagne.IMPORT_REFUSE, StatutCampagne.TABLE_PRODUITE)


@workflow.defn(name=WORKFLOW_CAMPAGNE)
class CampagneAreWorkflow(_Dossier):
    dispositif = WORKFLOW_CAMPAGNE

    @workflow.init
    def __init__(self, entree: EntreeDossier) -> None:
        self._etat = (
            EtatCampagne.model_validate(entree.reprise)
            if entree.reprise
            else EtatCampagne(cle=entree.cle)
        )
        self._demarrer(entree.cle, self._etat.registre)

    @workflow.signal(name="evenement")
    def evenement(self, event: CloudEvent) -> None:
        self._suivi.recevoir(event)

    @workflow.update(name="decider")
    async def decider(self, decision: DecisionCampagne) -> StatutCampagne:
        """An instructor's decision (the vote, a recalculation); returns the status after it."""
        await self._decider(decision)
        return self._etat.statut

    @decider.validator
    def _valider(self, decision: DecisionCampagne) -> None:
        self._refuser_si(self._refus_decision(decision))

    @workflow.query(name="etat")
    def etat(self) -> EtatCampagne:
        return self._etat

    @workflow.run
    async def run(self, entree: EntreeDossier) -> EtatCampagne:
        await self._boucle()
        return self._etat

    def _termine(self) -> bool:
        return self._etat.statut is StatutCampagne.BILANS_DEMANDES

    def _reprise(self) -> EntreeDossier:
        return EntreeDossier(cle=self._etat.cle, reprise=self._etat.model_dump(mode="json"))

    def _anomalies(self) -> list[Anomalie]:
        return self._etat.anomalies

    # --- events ----------------------------------------------------------------------------

    async def _sur_evenement(self, event: CloudEvent) -> str | None:
        appliquer = {
            "etablissements.are.campagne-ouverte": self._sur_ouverture,
            "etablissements.are.fichiers-corriges": self._sur_fichiers,
            "guichet.are.reliquats-constates": self._sur_reliquats,
        }.get(_type(event))
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
        if apres_vote:
            return (
                f"reliquats de {reliquats.uai} reçus après le vote : non déduits de la dotation "
                f"{etat.cle}, transmis au bilan de l'année"
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
            imp = await self._activite(
                "importer_effectifs_are",
                EntreeImport(
                    campagne=campagne,
                    annee_scolaire=etat.annee_scolaire,
                    version=v,
                    fichier_effectifs=etat.fichier_effectifs,
                    fichier_etablissements=etat.fichier_etablissements,
                ),
                ResultatImport,
                CALCUL_TIMEOUT,
            )
            etat.import_, etat.calcul, etat.table = imp, None, None
            if not imp.valide:
                await self._import_refuse(imp)
                return
            assert imp.donnees is not None
            assert imp.empreinte is not None
            calcul = await self._activite(
                "calculer_dotations_are",
                EntreeCalcul(
                    campagne=campagne,
                    annee_scolaire=etat.annee_scolaire,
                    version=v,
                    donnees=imp.donnees,
                    empreinte=imp.empreinte,
                    reliquats={uai: r.reliquats for uai, r in etat.reliquats.items()},
                ),
                ResultatCalcul,
                CALCUL_TIMEOUT,
            )
            table = await self._activite(
                "produire_table_commission_are",
                EntreeTable(
                    campagne=campagne,
                    annee_scolaire=etat.annee_scolaire,
                    version=v,
                    calcul=calcul.calcul,
                    empreinte=calcul.empreinte,
                ),
                TableCommission,
                CALCUL_TIMEOUT,
            )
        except ActivityError as exc:
            motif = f"calcul de la version {v} impossible : {exc.cause or exc}"
            etat.anomalies.append(Anomalie(evenement_id=f"calcul/{v}", type="calcul", motif=motif))
            await self._notifier(INSTRUCTEUR, "CALCUL_IMPOSSIBLE", motif)
            await self._changer(StatutCampagne.IMPORT_REFUSE, "CALCUL_IMPOSSIBLE")
            await self._enregistrer()
            return
        etat.calcul, etat.table = calcul, table
        await self._notifier(
            INSTRUCTEUR,
            "TABLE_COMMISSION",
            f"Table de la commission permanente {etat.cle}, version {v} : "
            f"{calcul.nombre_etablissements} établissements ({calcul.nombre_dotes} dotés), "
            f"{texte_montant(calcul.dotation.pre_bac)} pré-bac, "
            f"{texte_montant(calcul.dotation.post_bac)} post-bac, total "
            f"{texte_montant(calcul.total)}. Table : {table.csv} ; rapport : {table.rapport}.",
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
        if motif := self._refus_decision(decision):
            self._noter_decision("decision_refusee", decision.auteur, refus=motif)
            await self._enregistrer()
            return motif
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
            resultat = await self._activite(
                "publier_lot_are",
                LotCampagne(
                    campagne=self._suivi.workflow_id,
                    annee_scolaire=etat.annee_scolaire,
                    deliberation=etat.vote.deliberation,
                    date_vote=etat.vote.date_vote,
                    horodatage=workflow.now(),
                    dotations=lot,
                ),
                ResultatLot,
                CALCUL_TIMEOUT,
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

    async def _changer(self, statut: StatutCampagne, motif: str | None = None) -> None:
        precedent = self._etat.statut
        self._etat.statut = statut
        await self._publier_statut(statut, precedent, motif)

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


# --- the complementary request ----------------------------------------------------------------


@workflow.defn(name=WORKFLOW_COMPLEMENT)
class ComplementAreWorkflow(_Dossier):
    dispositif = WORKFLOW_COMPLEMENT

    @workflow.init
    def __init__(self, entree: EntreeDossier) -> None:
        self._etat = (
            EtatComplement.model_validate(entree.reprise)
            if entree.reprise
            else EtatComplement(cle=entree.cle)
        )
        self._demarrer(entree.cle, self._etat.registre)

    @workflow.signal(name="evenement")
    def evenement(self, event: CloudEvent) -> None:
        self._suivi.recevoir(event)

    @workflow.update(name="decider")
    async def decider(self, decision: DecisionComplement) -> StatutComplement:
        await self._decider(decision)
        return self._etat.statut

    @decider.validator
    def _valider(self, decision: DecisionComplement) -> None:
        self._refuser_si(self._refus_decision(decision))

    @workflow.query(name="etat")
    def etat(self) -> EtatComplement:
        return self._etat

    @workflow.run
    async def run(self, entree: EntreeDossier) -> EtatComplement:
        await self._boucle()
        return self._etat

    def _termine(self) -> bool:
        return self._etat.statut in STATUTS_COMPLEMENT_TERMINAUX

    def _reprise(self) -> EntreeDossier:
        return EntreeDossier(cle=self._etat.cle, reprise=self._etat.model_dump(mode="json"))

    def _anomalies(self) -> list[Anomalie]:
        return self._etat.anomalies

    def _demande(self) -> DemandeComplementaire:
        assert self._etat.demande is not None
        return self._etat.demande

    def _evaluation(self) -> EvaluationComplement:
        assert self._etat.evaluation is not None
        return self._etat.evaluation

    # --- events ----------------------------------------------------------------------------

    async def _sur_evenement(self, event: CloudEvent) -> str | None:
        etat = self._etat
        if _type(event) != "etablissements.are.demande-complementaire":
            return f"événement {event.type} inconnu du dispositif {WORKFLOW_COMPLEMENT}"
        if etat.statut not in (StatutComplement.NOUVEAU, StatutComplement.INSTRUCTION):
            return (
                f"nouvelle version de la demande au statut {etat.statut} : elle n'est plus "
                "modifiable, déposez une nouvelle demande"
            )
        demande = DemandeComplementaire.model_validate(event.data)
        if etat.demande is not None and demande.uai != etat.demande.uai:
            return f"uai « {demande.uai} » : la demande {etat.cle} est celle de {etat.demande.uai}"
        etat.demande = demande
        etat.evaluation = await self._activite(
            "evaluer_complement_are",
            EntreeEvaluationComplement(
                annee_scolaire=demande.annee_scolaire, lignes=demande.lignes
            ),
            EvaluationComplement,
        )
        await self._changer(StatutComplement.INSTRUCTION, "DEMANDE_RECUE")
        return None

    # --- decisions -------------------------------------------------------------------------

    def _refus_decision(self, decision: DecisionComplement) -> str | None:
        statut, type_ = self._etat.statut, decision.type
        if statut in STATUTS_COMPLEMENT_TERMINAUX:
            return f"{type_} : la demande est close (statut {statut})"
        if type_ is TypeDecisionComplement.INSCRIRE:
            return self._refus_inscription()
        if type_ is TypeDecisionComplement.REJETER:
            return self._refus_rejet(decision)
        if statut is not StatutComplement.EN_COMMISSION:
            return f"{type_} : la demande n'est pas devant la commission (statut {statut})"
        if type_ is TypeDecisionComplement.AJOURNER:
            return None if decision.motif else "ajourner : le motif est obligatoire"
        return self._refus_statuer(decision)

    def _refus_rejet(self, decision: DecisionComplement) -> str | None:
        if self._etat.statut is StatutComplement.NOUVEAU:
            return "rejeter : aucune demande reçue"
        return None if decision.motif else "rejeter : le motif est obligatoire"

    def _refus_inscription(self) -> str | None:
        statut = self._etat.statut
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
        motif = self._refus_decision(decision)
        session: SessionCommission | None = None
        if not motif and decision.type in (
            TypeDecisionComplement.INSCRIRE,
            TypeDecisionComplement.AJOURNER,
        ):
            session = await self._prochaine_session()
            if session is None:
                motif = (
                    f"{decision.type} : aucune session de commission permanente programmée "
                    f"après le {aujourdhui():%d/%m/%Y} (rules/data/are/sessions_commission.csv)"
                )
        if motif:
            self._noter_decision("decision_refusee", decision.auteur, refus=motif)
            await self._enregistrer()
            return motif
        etat.decisions.append(decision)
        self._noter_decision(decision.type, decision.auteur, motif=decision.motif or "")
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
        resultat = await self._activite(
            "prochaine_session_are", EntreeSession(jour=aujourdhui()), ResultatSession
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

    async def _changer(self, statut: StatutComplement, motif: str | None = None) -> None:
        precedent = self._etat.statut
        self._etat.statut = statut
        await self._publier_statut(statut, precedent, motif)

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
                StatutComplement.ATTENTE_COMMISSION: "session de la commission permanente",
                StatutComplement.EN_COMMISSION: "décision de la commission permanente",
            }.get(etat.statut),
            anomalies=len(etat.anomalies),
        )


# --- the spending report ----------------------------------------------------------------------

ATTENTE_DU_BILAN = (StatutBilan.ATTENTE_BILAN, StatutBilan.A_CORRIGER)


@workflow.defn(name=WORKFLOW_BILAN)
class BilanAreWorkflow(_Dossier):
    dispositif = WORKFLOW_BILAN

    @workflow.init
    def __init__(self, entree: EntreeDossier) -> None:
        if entree.reprise:
            self._etat = EtatBilan.model_validate(entree.reprise)
        else:
            self._etat = EtatBilan(cle=entree.cle)
            uai, _, annee = entree.cle.partition(":")
            if uai_valide(uai) and annee_valide(annee):
                self._etat.uai, self._etat.annee_scolaire = uai, annee
        self._demarrer(entree.cle, self._etat.registre)

    @workflow.signal(name="evenement")
    def evenement(self, event: CloudEvent) -> None:
        self._suivi.recevoir(event)

    @workflow.update(name="decider")
    async def decider(self, decision: DecisionBilan) -> StatutBilan:
        await self._decider(decision)
        return self._etat.statut

    @decider.validator
    def _valider(self, decision: DecisionBilan) -> None:
        self._refuser_si(self._refus_decision(decision))

    @workflow.query(name="etat")
    def etat(self) -> EtatBilan:
        return self._etat

    @workflow.run
    async def run(self, entree: EntreeDossier) -> EtatBilan:
        await self._boucle()
        return self._etat

    def _termine(self) -> bool:
        return self._etat.statut in STATUTS_BILAN_TERMINAUX

    def _reprise(self) -> EntreeDossier:
        return EntreeDossier(cle=self._etat.cle, reprise=self._etat.model_dump(mode="json"))

    def _anomalies(self) -> list[Anomalie]:
        return self._etat.anomalies

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
        }.get(_type(event))
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
        verification = await self._activite(
            "verifier_bilan_are",
            EntreeVerificationBilan(
                bilan=bilan,
                dotations_versees=etat.dotations_versees(),
                reliquats_connus=etat.campagne.reliquats_anterieurs if etat.campagne else None,
            ),
            VerificationBilan,
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
                        ),
                    ).model_dump(mode="json"),
                )
            ]
        )
        etat.refus_signaux.extend(refus)
        for r in refus:
            etat.anomalies.append(
                Anomalie(evenement_id=r.workflow_id, type=RELIQUATS_CONSTATES, motif=r.motif)
            )
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
        if motif := self._refus_decision(decision):
            self._noter_decision("decision_refusee", decision.auteur, refus=motif)
            await self._enregistrer()
            return motif
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

    async def _changer(self, statut: StatutBilan, motif: str | None = None) -> None:
        precedent = self._etat.statut
        self._etat.statut = statut
        await self._publier_statut(statut, precedent, motif)

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


WORKFLOWS_ARE = [CampagneAreWorkflow, ComplementAreWorkflow, BilanAreWorkflow]
