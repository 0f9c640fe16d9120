"""One workflow per CAE-DOM convention, keyed by the convention's dossier key (`DDD-AA-NNNNN`).

Orchestration only: the rules are in `rules/cae_dom.py`, evaluated by the activities of
`activities/regles_cae_dom.py` (they read the territory tables and make the amounts of the
orders, so their results land in the history); side effects in activities; what every scheme
shares (the main loop, GDPR, outputs) in `workflows/dossier.py`. The life of a convention
(seed 004, circular DGEFP n° 2011-02, annexe II and the Cerfa) is in docs/cae_dom.md, section
Workflow; in short:

registered by the ASP -> eligibility (territory, convention before hiring, maximum duration):
refused, or open -> at each calendar quarter's end (territory time zone) the attendance
statement is due, reminders at +15 and +30 days -> the quarter's amount, an idempotent payment
order `<workflow id>/paiement/<quarter>`, the ASP's execution or rejection (a rejection waits
for new bank details, then `<quarter>-<attempt>`) -> renewals and amendments up to the maximum
duration -> end, or early end with an ordre de reversement tracked until settled -> closed.

Timers are computed from the state.

The data subject's rights (GDPR, workflows/rgpd.py): an admin may rectify the employee's
identity (`RECTIFIABLES`) and restrict processing; while restricted no timer runs and partner
events wait in their queue; once lifted, the quarters that ended meanwhile are opened first
(calendar facts the held statements depend on), then the held events are applied in arrival
order, then the reminders still due are sent.
"""

from datetime import date, datetime, time, timedelta, tzinfo
from decimal import Decimal

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
        EntreeEcheancier,
        EntreeLiquidation,
        EtatCaeDom,
        EtatPresenceCaeDom,
        EvaluationConvention,
        Liquidation,
        ModificationCaeDom,
        NumeroConvention,
        OrdreCaeDom,
        PaiementExecuteCaeDom,
        PaiementRejeteCaeDom,
        ParametresPeriode,
        RenouvellementCaeDom,
        ReversementRecuCaeDom,
        RuptureCaeDom,
        Statut,
        StatutTrimestre,
        TrimestreCaeDom,
        minutes,
    )
    from models.dossier import LigneOrdre, Nature
    from models.evenements import CloudEvent, EntreeDossier
    from models.sortants import DossierOuvert, OrdrePaiementEmis, TitreExecutoire
    from rules import cae_dom
    from rules.cae_dom import EcheanceTrimestrielle
    from workflows.dossier import DossierWorkflow, Echeance
    from workflows.rgpd import LIBELLE_LIMITE
    from workflows.suivi import ACTIVITE_TIMEOUT

RAPPELS_JOURS = (15, 30)
"""Reminders for a missing attendance statement, in days after the quarter's last day."""
HEURE_RAPPEL = time(9)
"""Reminders go out at 9:00, local time of the territory."""
HISTORIQUE_MAX_CAE_DOM = 500
"""Continue-as-new beyond this many history events (instead of the base's 10 000): a quarter costs
about 55 (end, statement, order, execution), so a run holds about two years and a 60-month
convention replays at most a few hundred events, never its whole life."""
ENREGISTREE = "asp.cae-dom.convention-enregistree.v1"
EMPLOYEUR = "employeur"
INSTRUCTEUR = "instructeur"
SOURCE_DUREE = "circulaire DGEFP n° 2011-02, annexe II, question 3"
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
_UN_JOUR = timedelta(days=1)
_ZERO = Decimal("0.00")
_LIBELLES = {
    "emis": "émis",
    "execute": "exécuté",
    "rejete": "rejeté",
    "recouvre": "soldé",
    StatutTrimestre.ORDONNE: "ordonné",
    StatutTrimestre.REJETE: "paiement rejeté",
    StatutTrimestre.PAYE: "payé",
    StatutTrimestre.NEANT: "sans montant dû",
}


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

    # --- messages ----------------------------------------------------------------------------

    @workflow.run
    async def run(self, entree: EntreeDossier) -> EtatCaeDom:
        await self._boucle()
        return self._etat

    def _termine(self) -> bool:
        return self._etat.statut in STATUTS_TERMINAUX

    async def _apres_levee(self) -> None:
        """A quarter that ended while processing was restricted awaits its statement first (a
        statement held for it would otherwise arrive "before the quarter's end"); the held
        partner events follow; the main loop then sends the reminders still due."""
        while self._etat.statut not in STATUTS_TERMINAUX:
            fins = [e for e in self._echeances() if e.code == "fin" and e.quand <= workflow.now()]
            if not fins:
                break
            await self._echeance(min(fins, key=lambda e: e.quand))

    # --- deadlines and reminders -------------------------------------------------------------

    def _fuseau(self) -> tzinfo:
        """The territory's time zone, built by the rules module (outside the sandbox, which
        forbids `zoneinfo` in workflow code)."""
        return cae_dom.fuseau_horaire(self._evaluation().departement)

    def _aujourdhui(self) -> date:
        return workflow.now().astimezone(self._fuseau()).date()

    def _rappels(self, trimestre: TrimestreCaeDom) -> list[Echeance]:
        fuseau = self._fuseau()
        rappels = []
        for jours in RAPPELS_JOURS:
            jour = trimestre.dernier_jour + timedelta(days=jours)
            rappels.append(
                Echeance(
                    datetime.combine(jour, HEURE_RAPPEL, tzinfo=fuseau),
                    f"rappel-{jours}j",
                    jour,
                    sujet=trimestre.trimestre,
                    libelle=f"état de présence du trimestre {trimestre.trimestre}",
                )
            )
        return [r for r in rappels if r.code not in trimestre.rappels]

    def _echeances(self) -> list[Echeance]:
        """Quarter ends not reached yet and reminders not sent yet."""
        if self._etat.statut in (Statut.NOUVEAU, *STATUTS_TERMINAUX):
            return []
        fuseau = self._fuseau()
        echeances: list[Echeance] = []
        for trimestre in self._etat.trimestres:
            if trimestre.statut is StatutTrimestre.A_VENIR:
                echeances.append(
                    Echeance(
                        datetime.combine(trimestre.date_paiement, time(0), tzinfo=fuseau),
                        "fin",
                        trimestre.date_paiement,
                        sujet=trimestre.trimestre,
                        libelle=(
                            f"fin du trimestre {trimestre.trimestre} : "
                            "état de présence à transmettre"
                        ),
                    )
                )
            elif trimestre.statut is StatutTrimestre.ATTENTE_ETAT:
                echeances.extend(self._rappels(trimestre))
        return echeances

    async def _echeance(self, echeance: Echeance) -> None:
        trimestre = self._trimestre(echeance.sujet)
        maintenant = workflow.now()
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
            # Registered late: reminders whose time has passed are not sent after the demand.
            passes = [r for r in self._rappels(trimestre) if r.quand <= maintenant]
            trimestre.rappels.extend(r.code for r in passes)
            suivant = next(iter(self._rappels(trimestre)), None)
            await self._notifier(
                EMPLOYEUR,
                "ETAT_PRESENCE_ATTENDU",
                f"Le trimestre {trimestre.trimestre} est échu : transmettez à l'ASP l'état de "
                f"présence du salarié du {trimestre.du:%d/%m/%Y} au {trimestre.au:%d/%m/%Y} "
                "(mois non travaillés, absences non rémunérées).",
                suivant.jour if suivant else None,
            )
        else:
            # Every reminder of this quarter due now is marked done; only the latest is sent.
            dus = [r for r in self._rappels(trimestre) if r.quand <= maintenant]
            trimestre.rappels.extend(r.code for r in dus)
            suivant = next(iter(self._rappels(trimestre)), None)
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
                    f"{trimestre.trimestre} non reçu {RAPPELS_JOURS[-1]} jours après la fin du "
                    "trimestre, malgré les rappels.",
                )
        await self._clore_si_termine()
        await self._enregistrer()

    # --- partner events ----------------------------------------------------------------------

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
                f"tard le {apres.date_fin_maximale:%d/%m/%Y}, {SOURCE_DUREE}) ; la prise en "
                f"charge en vigueur court jusqu'au {etat.date_fin:%d/%m/%Y}.",
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
                f"La convention {numero} ne peut être prise en charge : "
                + " ; ".join(self._raison(motif) for motif in evaluation.motifs)
                + ".",
            )
            await self._changer(Statut.REFUSE, ", ".join(evaluation.motifs))
            return None
        etat.periodes = [evaluation.periode]
        etat.date_fin = convention.prise_en_charge.date_fin
        etat.trimestres = [self._nouveau_trimestre(e) for e in evaluation.echeancier]
        etat.statut = Statut.EN_COURS
        await self._suivi.publier(
            topics.DOSSIERS,
            "guichet.dossier.ouvert.v1",
            DossierOuvert(dispositif=WORKFLOW, statut=etat.statut),
        )
        return None

    def _raison(self, motif: str) -> str:
        convention, evaluation = self._convention(), self._evaluation()
        prise = convention.prise_en_charge
        return {
            cae_dom.Motif.HORS_TERRITOIRE: f"le département {evaluation.departement} n'est pas "
            "dans le territoire du CAE-DOM",
            cae_dom.Motif.CONVENTION_APRES_EMBAUCHE: "la convention, conclue le "
            f"{convention.date_convention:%d/%m/%Y}, doit précéder l'embauche du "
            f"{convention.contrat.date_embauche:%d/%m/%Y} (circulaire DGEFP n° 2011-02, "
            "annexe II, question 1)",
            cae_dom.Motif.DUREE_MAXIMALE_DEPASSEE: f"la prise en charge jusqu'au "
            f"{prise.date_fin:%d/%m/%Y} dépasse la durée maximale de "
            f"{evaluation.duree_maximale_mois} mois (fin au plus tard le "
            f"{evaluation.date_fin_maximale:%d/%m/%Y}, {SOURCE_DUREE})",
        }.get(cae_dom.Motif(motif), motif)

    async def _sur_etat_presence(self, event: CloudEvent) -> str | None:
        declaration = EtatPresenceCaeDom.model_validate(event.data)
        libelle = declaration.trimestre
        trimestre = self._etat.trimestre(libelle)
        if trimestre is None:
            return (
                f"état de présence du trimestre {libelle} : aucun jour de ce trimestre n'est "
                "pris en charge"
            )
        if trimestre.statut is StatutTrimestre.A_VENIR:
            return (
                f"état de présence du trimestre {libelle} reçu avant la fin du trimestre "
                f"(le {trimestre.dernier_jour:%d/%m/%Y})"
            )
        if trimestre.statut is StatutTrimestre.ANNULE:
            return (
                f"état de présence du trimestre {libelle} : trimestre annulé (rupture au "
                f"{self._etat.date_fin_effective})"
            )
        if trimestre.statut in TRIMESTRES_LIQUIDES:
            return (
                f"état de présence du trimestre {libelle} déjà reçu (trimestre "
                f"{_LIBELLES[trimestre.statut]})"
            )
        (liquidation,) = await self._liquider([declaration])
        trimestre.etat_presence, trimestre.liquidation = declaration, liquidation
        trimestre.montant_du = liquidation.montant
        if liquidation.montant == 0:
            trimestre.statut = StatutTrimestre.NEANT
        else:
            await self._ordonner(trimestre)
        return None

    async def _sur_paiement_execute(self, event: CloudEvent) -> str | None:
        paiement = PaiementExecuteCaeDom.model_validate(event.data)
        ordre = self._etat.ordre(paiement.ordre_id, "paiement")
        if motif := self._ordre_inattendu(ordre, paiement.ordre_id, "paiement exécuté"):
            return motif
        assert ordre is not None
        if paiement.montant is not None and paiement.montant != ordre.montant:
            return (
                f"paiement exécuté de {paiement.montant} EUR pour l'ordre {ordre.id} de "
                f"{ordre.montant} EUR"
            )
        ordre.statut, ordre.solde_le = "execute", paiement.date_execution
        trimestre = self._trimestre(ordre.periode)
        trimestre.montant_verse += ordre.montant
        trimestre.statut = StatutTrimestre.PAYE
        await self._reverser_si_besoin()
        return None

    async def _sur_paiement_rejete(self, event: CloudEvent) -> str | None:
        rejet = PaiementRejeteCaeDom.model_validate(event.data)
        ordre = self._etat.ordre(rejet.ordre_id, "paiement")
        if motif := self._ordre_inattendu(ordre, rejet.ordre_id, "paiement rejeté"):
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

    def _ordre_inattendu(self, ordre: OrdreCaeDom | None, ordre_id: str, quoi: str) -> str | None:
        if ordre is None:
            return f"{quoi} pour un ordre inconnu : {ordre_id}"
        if ordre.statut != "emis":
            return f"{quoi} pour l'ordre {ordre_id} déjà {_LIBELLES[ordre.statut]}"
        return None

    async def _sur_coordonnees_bancaires(self, event: CloudEvent) -> str | None:
        """New bank details: kept for the next orders; every rejected quarter is ordered again
        (a new order id, `<quarter>-<attempt>`)."""
        etat = self._etat
        etat.rib_reference = CoordonneesBancairesCaeDom.model_validate(event.data).rib_reference
        for trimestre in etat.trimestres:
            if trimestre.statut is StatutTrimestre.REJETE:
                await self._ordonner(trimestre)
        return None

    async def _sur_renouvellement(self, event: CloudEvent) -> str | None:
        avenant = RenouvellementCaeDom.model_validate(event.data)
        fin = self._fin()
        if avenant.date_fin <= fin:
            return (
                f"avenant {avenant.numero_convention} : un renouvellement prolonge la prise en "
                f"charge au-delà du {fin} (nouvelle fin : {avenant.date_fin})"
            )
        effet = fin + _UN_JOUR
        if motif := self._refus_avenant(avenant, effet, avenant.date_fin):
            return motif
        self._nouvelle_periode(avenant, effet)
        self._etat.date_fin = avenant.date_fin
        self._etat.avenants.append(str(avenant.numero_convention))
        await self._recalculer_echeancier()
        return None

    async def _sur_modification(self, event: CloudEvent) -> str | None:
        avenant = ModificationCaeDom.model_validate(event.data)
        debut, fin = self._debut(), self._fin()
        if not debut <= avenant.date_effet <= fin:
            return (
                f"avenant {avenant.numero_convention} : date d'effet {avenant.date_effet} hors "
                f"de la prise en charge ({debut} au {fin})"
            )
        nouvelle_fin = avenant.date_fin or fin
        if nouvelle_fin < avenant.date_effet:
            return (
                f"avenant {avenant.numero_convention} : fin {nouvelle_fin} antérieure à la date "
                f"d'effet {avenant.date_effet}"
            )
        if motif := self._refus_avenant(
            avenant, min(avenant.date_effet, min(fin, nouvelle_fin) + _UN_JOUR), nouvelle_fin
        ):
            return motif
        self._nouvelle_periode(avenant, avenant.date_effet)
        self._etat.date_fin = nouvelle_fin
        self._etat.avenants.append(str(avenant.numero_convention))
        await self._recalculer_echeancier()
        return None

    def _refus_avenant(
        self, avenant: RenouvellementCaeDom | ModificationCaeDom, effet: date, nouvelle_fin: date
    ) -> str | None:
        """Why an amendment cannot apply: convention broken, another dossier, an amendment
        already applied or older than the last one, the maximum duration exceeded (annexe II,
        q. 3: DUREE_MAXIMALE_DEPASSEE), or a change in a quarter already liquidated."""
        etat, evaluation, numero = self._etat, self._evaluation(), avenant.numero_convention
        if etat.date_fin_effective is not None:
            return (
                f"avenant {numero} : la convention est rompue (fin effective le "
                f"{etat.date_fin_effective})"
            )
        if numero.cle_dossier != etat.cle:
            return f"avenant {numero} : sa clé {numero.cle_dossier} n'est pas celle du dossier"
        rang = (numero.avenant_renouvellement, numero.avenant_modification)
        appliques = [self._convention().numero_convention] + [
            NumeroConvention.model_validate(a) for a in etat.avenants
        ]
        dernier = max((a.avenant_renouvellement, a.avenant_modification) for a in appliques)
        if rang <= dernier:
            return (
                f"avenant {numero} déjà appliqué ou antérieur au dernier avenant appliqué "
                f"(indices {dernier[0]:02d}-{dernier[1]:02d})"
            )
        if nouvelle_fin > evaluation.date_fin_maximale:
            return (
                f"{cae_dom.Motif.DUREE_MAXIMALE_DEPASSEE} : avenant {numero}, prise en charge "
                f"jusqu'au {nouvelle_fin} au-delà du {evaluation.date_fin_maximale} "
                f"({evaluation.duree_maximale_mois} mois depuis le {self._debut()}, {SOURCE_DUREE})"
            )
        liquides = [
            t
            for t in etat.trimestres
            if t.statut in TRIMESTRES_LIQUIDES and t.dernier_jour >= effet
        ]
        if liquides:
            return (
                f"avenant {numero} : prend effet le {effet}, dans le trimestre "
                f"{liquides[0].trimestre} déjà liquidé"
            )
        return None

    def _nouvelle_periode(
        self, avenant: RenouvellementCaeDom | ModificationCaeDom, effet: date
    ) -> None:
        """New level or hours apply from `effet` (the amendment's effective date, the day after
        the previous end for a renewal)."""
        if (
            avenant.niveau_prime_mensuel is None
            and avenant.duree_hebdomadaire is None
            and avenant.duree_collective is None
        ):
            return
        etat = self._etat
        en_vigueur = [p for p in etat.periodes if p.a_partir_du <= effet][-1]
        nouvelle = ParametresPeriode(
            a_partir_du=effet,
            niveau_prime_mensuel=avenant.niveau_prime_mensuel or en_vigueur.niveau_prime_mensuel,
            duree_hebdomadaire_minutes=minutes(avenant.duree_hebdomadaire)
            if avenant.duree_hebdomadaire
            else en_vigueur.duree_hebdomadaire_minutes,
            duree_collective_minutes=minutes(avenant.duree_collective)
            if avenant.duree_collective
            else en_vigueur.duree_collective_minutes,
        )
        etat.periodes = sorted(
            [p for p in etat.periodes if p.a_partir_du != effet] + [nouvelle],
            key=lambda p: p.a_partir_du,
        )

    async def _sur_rupture(self, event: CloudEvent) -> str | None:
        """Early end: quarters after it are cancelled, what was liquidated is recomputed up to
        the effective end, and what was paid beyond it is recovered (Cerfa: « ordre de
        reversement »)."""
        rupture = RuptureCaeDom.model_validate(event.data)
        etat = self._etat
        if etat.date_fin_effective is not None:
            return f"rupture déjà enregistrée (fin effective le {etat.date_fin_effective})"
        if rupture.date_fin_effective >= self._fin():
            return (
                f"rupture au {rupture.date_fin_effective} : la prise en charge finit le "
                f"{self._fin()}, ce n'est pas une fin anticipée"
            )
        etat.date_fin_effective, etat.motif_rupture = rupture.date_fin_effective, rupture.motif
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
        await self._changer(Statut.ROMPU, f"RUPTURE : {rupture.motif}")
        await self._reverser_si_besoin()
        return None

    async def _sur_reversement_recu(self, event: CloudEvent) -> str | None:
        recu = ReversementRecuCaeDom.model_validate(event.data)
        ordre = self._etat.ordre(recu.ordre_id, "reversement")
        if motif := self._ordre_inattendu(ordre, recu.ordre_id, "reversement reçu"):
            return motif
        assert ordre is not None
        reste = ordre.montant - ordre.montant_recu
        if recu.montant > reste:
            return (
                f"reversement de {recu.montant} EUR supérieur au reste dû sur l'ordre "
                f"{ordre.id} ({reste} EUR)"
            )
        ordre.montant_recu += recu.montant
        if ordre.montant_recu == ordre.montant:
            ordre.statut, ordre.solde_le = "recouvre", recu.date_encaissement
        en_cours = [
            o for o in self._etat.ordres if o.nature == "reversement" and o.statut == "emis"
        ]
        if not en_cours and self._etat.statut is Statut.RECOUVREMENT:
            await self._changer(Statut.ROMPU, "REVERSEMENT_SOLDE")
        return None

    # --- amounts and orders ------------------------------------------------------------------

    def _entree_echeancier(self) -> EntreeEcheancier:
        return EntreeEcheancier(
            periodes=self._etat.periodes,
            fin=self._fin(),
            date_fin_effective=self._etat.date_fin_effective,
        )

    async def _liquider(self, etats: list[EtatPresenceCaeDom]) -> list[Liquidation]:
        etat = self._etat
        return await workflow.execute_activity(
            liquider_trimestres_cae_dom,
            EntreeLiquidation(
                periodes=etat.periodes,
                fin=self._fin(),
                date_fin_effective=etat.date_fin_effective,
                etats=etats,
            ),
            start_to_close_timeout=ACTIVITE_TIMEOUT,
        )

    async def _recalculer_echeancier(self) -> None:
        """The schedule after an amendment or an early end: quarters still to come are updated,
        added or cancelled; liquidated ones keep their amount (a rupture recomputes it)."""
        echeances = await workflow.execute_activity(
            calculer_echeancier_cae_dom,
            self._entree_echeancier(),
            start_to_close_timeout=ACTIVITE_TIMEOUT,
        )
        existants = {t.trimestre: t for t in self._etat.trimestres}
        trimestres = []
        for echeance in echeances:
            trimestre = existants.pop(echeance.trimestre, None)
            if trimestre is None:
                trimestre = self._nouveau_trimestre(echeance)
            else:
                trimestre.du, trimestre.au = echeance.du, echeance.au
                trimestre.montant_prevu = echeance.montant
            trimestres.append(trimestre)
        for trimestre in existants.values():  # no covered day any more
            if trimestre.statut in (StatutTrimestre.A_VENIR, StatutTrimestre.ATTENTE_ETAT):
                trimestre.statut = StatutTrimestre.ANNULE
            trimestres.append(trimestre)
        self._etat.trimestres = sorted(trimestres, key=lambda t: t.trimestre)

    async def _ordonner(self, trimestre: TrimestreCaeDom) -> None:
        """Pay the quarter's amount by an order whose id is the idempotency key: the first
        order of a quarter is `<workflow id>/paiement/<quarter>`, a new order after a rejection
        `<quarter>-<attempt>`. The id comes from the state, changed once per applied event, so
        a retried or replayed step publishes the same id."""
        etat = self._etat
        assert trimestre.montant_du is not None
        trimestre.tentatives += 1
        suffixe = (
            trimestre.trimestre
            if trimestre.tentatives == 1
            else f"{trimestre.trimestre}-{trimestre.tentatives}"
        )
        ordre = OrdreCaeDom(
            id=f"{self._suivi.workflow_id}/paiement/{suffixe}",
            nature="paiement",
            periode=trimestre.trimestre,
            montant=trimestre.montant_du,
            statut="emis",
            rib_reference=etat.rib_reference,
            emis_le=self._aujourdhui(),
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
        """After an early end, what was paid beyond what is due (`rules.cae_dom
        .reste_a_reverser`) and not yet ordered is recovered by a new order
        `<workflow id>/reversement/<n>`."""
        etat = self._etat
        if etat.date_fin_effective is None:
            return
        payes = [t for t in etat.trimestres if t.statut is StatutTrimestre.PAYE]
        verse = sum((t.montant_verse for t in payes), _ZERO)
        du = sum((t.montant_du or _ZERO for t in payes), _ZERO)
        reversements = [o for o in etat.ordres if o.nature == "reversement"]
        manque = cae_dom.reste_a_reverser(verse, du) - sum((o.montant for o in reversements), _ZERO)
        if manque <= 0:
            return
        ordre = OrdreCaeDom(
            id=f"{self._suivi.workflow_id}/reversement/{len(reversements) + 1}",
            nature="reversement",
            periode="reversement",
            montant=manque,
            statut="emis",
            emis_le=self._aujourdhui(),
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
        etat = self._etat
        if etat.statut not in (Statut.EN_COURS, Statut.ROMPU):
            return
        if all(t.statut in TRIMESTRES_SOLDES for t in etat.trimestres) and not any(
            o.statut == "emis" for o in etat.ordres
        ):
            await self._changer(Statut.CLOS, "CONVENTION_SOLDEE")

    # --- state helpers -----------------------------------------------------------------------

    def _convention(self) -> ConventionCaeDom:
        assert self._etat.convention is not None
        return self._etat.convention

    def _evaluation(self) -> EvaluationConvention:
        assert self._etat.evaluation is not None
        return self._etat.evaluation

    def _debut(self) -> date:
        return self._etat.periodes[0].a_partir_du

    def _fin(self) -> date:
        assert self._etat.date_fin is not None
        return self._etat.date_fin

    def _trimestre(self, libelle: str) -> TrimestreCaeDom:
        trimestre = self._etat.trimestre(libelle)
        assert trimestre is not None
        return trimestre

    @staticmethod
    def _nouveau_trimestre(echeance: EcheanceTrimestrielle) -> TrimestreCaeDom:
        return TrimestreCaeDom(
            trimestre=echeance.trimestre,
            du=echeance.du,
            au=echeance.au,
            montant_prevu=echeance.montant,
            date_paiement=echeance.date_paiement,
        )

    # --- outputs -----------------------------------------------------------------------------

    async def _changer(self, statut: Statut, motif: str | None = None) -> None:
        precedent = self._etat.statut
        self._etat.statut = statut
        await self._publier_statut(statut, precedent, motif)

    def _totaux(self) -> None:
        """Granted (the schedule, liquidated amounts where known), paid, due (liquidated, not
        paid yet), to recover (recovery orders not settled yet), recovered."""
        etat = self._etat
        actifs = [t for t in etat.trimestres if t.statut is not StatutTrimestre.ANNULE]
        etat.montant_accorde = sum(
            (t.montant_prevu if t.montant_du is None else t.montant_du for t in actifs), _ZERO
        )
        etat.montant_verse = sum((t.montant_verse for t in etat.trimestres), _ZERO)
        etat.montant_du = sum(
            (
                t.montant_du or _ZERO
                for t in etat.trimestres
                if t.statut in (StatutTrimestre.ORDONNE, StatutTrimestre.REJETE)
            ),
            _ZERO,
        )
        reversements = [o for o in etat.ordres if o.nature == "reversement"]
        etat.montant_recouvre = sum((o.montant_recu for o in reversements), _ZERO)
        etat.montant_a_recuperer = sum((o.montant for o in reversements), _ZERO) - (
            etat.montant_recouvre
        )

    async def _enregistrer(self) -> None:
        etat = self._etat
        self._totaux()
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
