"""Why a partner event makes no sense in a CAE-DOM convention's state (the anomaly's reason, for
an instructor), and the employer's wording of why a convention is refused (circular DGEFP
n° 2011-02, annexe II). Pure: the state and the event's data; the workflow applies what the
state accepts."""

from dataclasses import dataclass
from datetime import date, timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from models.cae_dom import (
        STATUTS_TERMINAUX,
        TRIMESTRES_LIQUIDES,
        ConventionCaeDom,
        DecisionCaeDom,
        EtatCaeDom,
        EtatPresenceCaeDom,
        EvaluationConvention,
        ModificationCaeDom,
        NumeroConvention,
        OrdreCaeDom,
        PaiementExecuteCaeDom,
        RenouvellementCaeDom,
        ReversementRecuCaeDom,
        RuptureCaeDom,
        Statut,
        StatutTrimestre,
        TypeDecisionCaeDom,
    )
    from rules import cae_dom

SOURCE_DUREE = "circulaire DGEFP n° 2011-02, annexe II, question 3"
UN_JOUR = timedelta(days=1)
LIBELLES = {
    "emis": "émis",
    "execute": "exécuté",
    "rejete": "rejeté",
    "recouvre": "soldé",
    StatutTrimestre.ORDONNE: "ordonné",
    StatutTrimestre.REJETE: "paiement rejeté",
    StatutTrimestre.PAYE: "payé",
    StatutTrimestre.NEANT: "sans montant dû",
    StatutTrimestre.SUSPENDU: "liquidé, paiement suspendu",
}
"""Labels of an order's and of a liquidated quarter's status, for the reasons."""


def convention_refusee(convention: ConventionCaeDom, evaluation: EvaluationConvention) -> str:
    """The employer's notification of a convention that is not eligible."""
    return (
        f"La convention {convention.numero_convention} ne peut être prise en charge : "
        + " ; ".join(raison(m, convention, evaluation) for m in evaluation.motifs)
        + "."
    )


def raison(motif: str, convention: ConventionCaeDom, evaluation: EvaluationConvention) -> str:
    """The employer's wording of an eligibility refusal (`rules.cae_dom.Motif`)."""
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


# --- attendance statements and orders ------------------------------------------------------


def refus_etat_presence(etat: EtatCaeDom, declaration: EtatPresenceCaeDom) -> str | None:
    """A statement is liquidated once, for a covered quarter that has ended."""
    libelle = declaration.trimestre
    trimestre = etat.trimestre(libelle)
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
            f"{etat.date_fin_effective})"
        )
    if trimestre.statut in TRIMESTRES_LIQUIDES:
        return (
            f"état de présence du trimestre {libelle} déjà reçu (trimestre "
            f"{LIBELLES[trimestre.statut]})"
        )
    return None


def ordre_inattendu(ordre: OrdreCaeDom | None, ordre_id: str, quoi: str) -> str | None:
    """The ASP answers only an order issued and not settled yet."""
    if ordre is None:
        return f"{quoi} pour un ordre inconnu : {ordre_id}"
    if ordre.statut != "emis":
        return f"{quoi} pour l'ordre {ordre_id} déjà {LIBELLES[ordre.statut]}"
    return None


def refus_paiement_execute(
    ordre: OrdreCaeDom | None, paiement: PaiementExecuteCaeDom
) -> str | None:
    if motif := ordre_inattendu(ordre, paiement.ordre_id, "paiement exécuté"):
        return motif
    assert ordre is not None
    if paiement.montant is not None and paiement.montant != ordre.montant:
        return (
            f"paiement exécuté de {paiement.montant} EUR pour l'ordre {ordre.id} de "
            f"{ordre.montant} EUR"
        )
    return None


def refus_reversement(ordre: OrdreCaeDom | None, recu: ReversementRecuCaeDom) -> str | None:
    if motif := ordre_inattendu(ordre, recu.ordre_id, "reversement reçu"):
        return motif
    assert ordre is not None
    reste = ordre.montant - ordre.montant_recu
    if recu.montant > reste:
        return (
            f"reversement de {recu.montant} EUR supérieur au reste dû sur l'ordre "
            f"{ordre.id} ({reste} EUR)"
        )
    return None


# --- amendments and early end ----------------------------------------------------------------


def debut_initial(etat: EtatCaeDom) -> date:
    """The initial convention's coverage start, which the maximum duration counts from (a
    dossier opened by a renewal Cerfa starts later; evaluations recorded before it was kept
    start with the first period)."""
    assert etat.evaluation is not None
    return etat.evaluation.debut_initial or etat.periodes[0].a_partir_du


@dataclass(frozen=True)
class Maximum:
    """The maximum duration a renewal is checked against (annexe II, question 3)."""

    duree_mois: int
    date_fin: date
    manquantes: tuple[str, ...]
    """The conditions of the 60 months the employee does not meet (`rules.cae_dom.
    conditions_manquantes`), for the refusal."""
    reevalue: bool
    """True: evaluated again from the renewal's situation; False: the registration's."""


def maximum_renouvellement(etat: EtatCaeDom, avenant: RenouvellementCaeDom) -> Maximum:
    """The maximum at this renewal. With the employee's situation at renewal (issue 18: the
    conditions of annexe II, question 3 and its footnote (1) are known at renewal, not at the
    first signature), the rule is applied again to that situation, counted from the initial
    coverage start: it may open the 60 months (a 48-year-old ASS recipient, footnote (1)) or
    close them (a qualifying training no longer in progress). Without a situation (payloads
    sent before it existed), the maximum of the registration holds."""
    assert etat.evaluation is not None
    assert etat.convention is not None
    debut = debut_initial(etat)
    if avenant.situation is None:
        beneficiaire = etat.convention.beneficiaire()
        return Maximum(
            etat.evaluation.duree_maximale_mois,
            etat.evaluation.date_fin_maximale,
            tuple(cae_dom.conditions_manquantes(beneficiaire, debut)),
            reevalue=False,
        )
    beneficiaire = avenant.situation.beneficiaire(etat.convention.salarie.date_naissance)
    duree = cae_dom.duree_maximale_mois(beneficiaire, debut)
    return Maximum(
        duree,
        cae_dom.date_fin_maximale(debut, duree),
        tuple(cae_dom.conditions_manquantes(beneficiaire, debut)),
        reevalue=True,
    )


def refus_renouvellement(etat: EtatCaeDom, avenant: RenouvellementCaeDom) -> str | None:
    """A renewal extends the coverage from the day after its end, within the maximum duration
    at renewal (`maximum_renouvellement`)."""
    assert etat.date_fin is not None
    assert etat.convention is not None
    fin = etat.date_fin
    if avenant.date_fin <= fin:
        return (
            f"avenant {avenant.numero_convention} : un renouvellement prolonge la prise en "
            f"charge au-delà du {fin} (nouvelle fin : {avenant.date_fin})"
        )
    situation = avenant.situation
    if (
        situation is not None
        and situation.date_naissance is not None
        and situation.date_naissance != etat.convention.salarie.date_naissance
    ):
        return (
            f"avenant {avenant.numero_convention} : situation.date_naissance différente de "
            "celle de la convention (une date de naissance se corrige par une rectification "
            "RGPD, pas par un avenant)"
        )
    return refus_avenant(
        etat, avenant, fin + UN_JOUR, avenant.date_fin, maximum_renouvellement(etat, avenant)
    )


def refus_modification(etat: EtatCaeDom, avenant: ModificationCaeDom) -> str | None:
    """A modification takes effect within the coverage and may move its end."""
    debut = etat.periodes[0].a_partir_du
    assert etat.date_fin is not None
    fin = etat.date_fin
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
    return refus_avenant(
        etat, avenant, min(avenant.date_effet, min(fin, nouvelle_fin) + UN_JOUR), nouvelle_fin
    )


def refus_avenant(
    etat: EtatCaeDom,
    avenant: RenouvellementCaeDom | ModificationCaeDom,
    effet: date,
    nouvelle_fin: date,
    maximum: Maximum | None = None,
) -> str | None:
    """Why an amendment cannot apply: convention broken, another dossier, an amendment
    already applied or older than the last one, the maximum duration exceeded (annexe II,
    q. 3: DUREE_MAXIMALE_DEPASSEE, naming the conditions missing), or a change in a quarter
    already liquidated. `maximum`: a renewal's (default: the registration's)."""
    assert etat.evaluation is not None
    evaluation, numero = etat.evaluation, avenant.numero_convention
    if maximum is None:
        maximum = Maximum(
            evaluation.duree_maximale_mois, evaluation.date_fin_maximale, (), reevalue=False
        )
    if etat.date_fin_effective is not None:
        return (
            f"avenant {numero} : la convention est rompue (fin effective le "
            f"{etat.date_fin_effective})"
        )
    if numero.cle_dossier != etat.cle:
        return f"avenant {numero} : sa clé {numero.cle_dossier} n'est pas celle du dossier"
    rang = (numero.avenant_renouvellement, numero.avenant_modification)
    assert etat.convention is not None
    appliques = [etat.convention.numero_convention] + [
        NumeroConvention.model_validate(a) for a in etat.avenants
    ]
    dernier = max((a.avenant_renouvellement, a.avenant_modification) for a in appliques)
    if rang <= dernier:
        return (
            f"avenant {numero} déjà appliqué ou antérieur au dernier avenant appliqué "
            f"(indices {dernier[0]:02d}-{dernier[1]:02d})"
        )
    if nouvelle_fin > maximum.date_fin:
        selon = (
            "selon la situation au renouvellement"
            if maximum.reevalue
            else "selon la situation à la signature"
        )
        manquantes = (
            f" ; conditions manquantes pour aller au-delà ({selon}) : "
            + ", ".join(maximum.manquantes)
            if maximum.manquantes
            else ""
        )
        return (
            f"{cae_dom.Motif.DUREE_MAXIMALE_DEPASSEE} : avenant {numero}, prise en charge "
            f"jusqu'au {nouvelle_fin} au-delà du {maximum.date_fin} "
            f"({maximum.duree_mois} mois depuis le {debut_initial(etat)}, "
            f"{SOURCE_DUREE}){manquantes}"
        )
    liquides = [
        t for t in etat.trimestres if t.statut in TRIMESTRES_LIQUIDES and t.dernier_jour >= effet
    ]
    if liquides:
        return (
            f"avenant {numero} : prend effet le {effet}, dans le trimestre "
            f"{liquides[0].trimestre} déjà liquidé"
        )
    return None


def refus_rupture(etat: EtatCaeDom, rupture: RuptureCaeDom) -> str | None:
    """An early end is recorded once, and ends the coverage before its end."""
    if etat.date_fin_effective is not None:
        return f"rupture déjà enregistrée (fin effective le {etat.date_fin_effective})"
    assert etat.date_fin is not None
    if rupture.date_fin_effective >= etat.date_fin:
        return (
            f"rupture au {rupture.date_fin_effective} : la prise en charge finit le "
            f"{etat.date_fin}, ce n'est pas une fin anticipée"
        )
    return None


# --- instructor decisions (issue 18; docs/cae_dom.md) ---------------------------------------


def refus_decision(etat: EtatCaeDom, decision: DecisionCaeDom) -> str | None:
    """Why `decision` makes no sense in the current state, or None if it does: the update's
    validator, the `decisions_possibles` query and the check when its turn comes ask here."""
    if etat.statut in STATUTS_TERMINAUX:
        return f"le dossier est clos (statut {etat.statut}) : aucune décision possible"
    refus = {
        TypeDecisionCaeDom.PAYER_HEURES_DECLAREES: _refus_payer,
        TypeDecisionCaeDom.SUSPENDRE_PAIEMENTS: _refus_suspendre,
        TypeDecisionCaeDom.REPRENDRE_PAIEMENTS: _refus_reprendre,
        TypeDecisionCaeDom.METTRE_FIN: _refus_mettre_fin,
        TypeDecisionCaeDom.CLORE: _refus_clore,
    }[decision.type]
    return refus(etat, decision)


def en_instruction(etat: EtatCaeDom) -> list[str]:
    """The quarters whose statement is past its deadline, waiting for a decision."""
    return [t.trimestre for t in etat.trimestres if t.statut is StatutTrimestre.EN_INSTRUCTION]


def _refus_payer(etat: EtatCaeDom, decision: DecisionCaeDom) -> str | None:
    quoi = "payer sur les heures déclarées"
    if etat.statut is Statut.SUSPENDU:
        return f"{quoi} : les paiements sont suspendus ({etat.motif_suspension}) ; reprenez-les"
    attendus = en_instruction(etat)
    if not attendus:
        return f"{quoi} : aucun trimestre n'attend de décision (état de présence en retard)"
    if decision.trimestre is None:
        return f"{quoi} : trimestre (non renseigné) : l'un de {', '.join(attendus)}"
    trimestre = etat.trimestre(decision.trimestre)
    if trimestre is None or trimestre.statut is not StatutTrimestre.EN_INSTRUCTION:
        statut = "hors prise en charge" if trimestre is None else str(trimestre.statut)
        return (
            f"{quoi} : trimestre « {decision.trimestre} » ({statut}) : seul un trimestre dont "
            f"l'état de présence a passé sa date limite se paie ainsi ({', '.join(attendus)})"
        )
    return None


def _motif_obligatoire(quoi: str, decision: DecisionCaeDom) -> str | None:
    if not (decision.motif or "").strip():
        return f"{quoi} : motif (non renseigné) : le motif est obligatoire"
    return None


def _refus_suspendre(etat: EtatCaeDom, decision: DecisionCaeDom) -> str | None:
    quoi = "suspendre les paiements"
    if etat.statut is not Statut.EN_COURS:
        return f"{quoi} : la convention n'est pas en cours (statut {etat.statut})"
    return _motif_obligatoire(quoi, decision)


def _refus_reprendre(etat: EtatCaeDom, decision: DecisionCaeDom) -> str | None:
    if etat.statut is not Statut.SUSPENDU:
        return f"reprendre les paiements : ils ne sont pas suspendus (statut {etat.statut})"
    return None


def _refus_mettre_fin(etat: EtatCaeDom, decision: DecisionCaeDom) -> str | None:
    quoi = "mettre fin à la convention"
    if etat.statut not in (Statut.EN_COURS, Statut.SUSPENDU):
        return f"{quoi} : la convention n'est pas en cours (statut {etat.statut})"
    if motif := _motif_obligatoire(quoi, decision):
        return motif
    if decision.date_fin_effective is None:
        return (
            f"{quoi} : date_fin_effective (non renseigné) : le dernier jour d'exécution est "
            "obligatoire"
        )
    rupture = RuptureCaeDom(
        date_fin_effective=decision.date_fin_effective, motif=decision.motif or "-"
    )
    if motif := refus_rupture(etat, rupture):
        return f"{quoi} : date_fin_effective « {decision.date_fin_effective} » : {motif}"
    return None


def _refus_clore(etat: EtatCaeDom, decision: DecisionCaeDom) -> str | None:
    quoi = "clore le dossier"
    if etat.statut not in (Statut.NOUVEAU, Statut.ROMPU, Statut.RECOUVREMENT):
        return (
            f"{quoi} : seule une convention jamais enregistrée, rompue ou en recouvrement se "
            f"clôt ainsi (statut {etat.statut} : mettez d'abord fin à la convention)"
        )
    return _motif_obligatoire(quoi, decision)
