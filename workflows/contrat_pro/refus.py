"""Which instructor decisions a contrat-pro dossier's state allows (seed 003, sections 2 to 4;
docs/contrat_pro.md): the update's validator, the `decisions_possibles` query and the check when
a decision's turn comes all ask here. Pure: the state, the decision, today (Paris)."""

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from datetime import date

    from models.contrat_pro import STATUTS_TERMINAUX, Decision, EtatContratPro, Statut, TypeDecision


def refus_decision(etat: EtatContratPro, decision: Decision, aujourdhui: date) -> str | None:
    """Why `decision` makes no sense in the current state, or None if it does."""
    statut = etat.statut
    if statut in STATUTS_TERMINAUX:
        return f"le dossier est clos (statut {statut}): aucune décision possible"
    refus = {
        TypeDecision.ACCEPTER: _refus_acceptation,
        TypeDecision.REJETER: _refus_rejet,
        TypeDecision.DEMANDER_PIECES: _refus_demande_pieces,
        TypeDecision.SIGNALER_FRAUDE: _refus_fraude,
        TypeDecision.CLORE_SANS_SUITE: _refus_cloture,
        TypeDecision.CONSTATER_PRESCRIPTION: _refus_constat_prescription,
        TypeDecision.RELEVER_DELAI: _refus_relevement,
        TypeDecision.VALIDER_PAIEMENT: _refus_validation_paiement,
        TypeDecision.REDUIRE: _refus_reduction,
        TypeDecision.RECOUVRER: _refus_recouvrement,
        TypeDecision.RENONCER_RECOUVREMENT: _refus_renonciation,
    }[decision.type]
    return refus(etat, decision, aujourdhui)


def _refus_acceptation(etat: EtatContratPro, _decision: Decision, aujourdhui: date) -> str | None:
    if etat.statut is not Statut.INSTRUCTION:
        return f"accepter: le dossier n'est pas en instruction (statut {etat.statut})"
    if etat.evaluation is None or not etat.evaluation.eligible:
        motifs = ", ".join(etat.evaluation.motifs) if etat.evaluation else "non évalué"
        return f"accepter: le dossier n'est pas éligible ({motifs})"
    if etat.documents_manquants():
        return f"accepter: pièces requises manquantes ({', '.join(etat.documents_manquants())})"
    return None


def _refus_rejet(etat: EtatContratPro, decision: Decision, aujourdhui: date) -> str | None:
    statut = etat.statut
    if statut not in (Statut.INSTRUCTION, Statut.ATTENTE_PIECES):
        return f"rejeter: le dossier n'est pas en instruction (statut {statut})"
    return None if decision.motif else "rejeter: le motif est obligatoire"


def _refus_demande_pieces(etat: EtatContratPro, decision: Decision, aujourdhui: date) -> str | None:
    statut, limite = etat.statut, decision.date_limite_reponse
    if statut not in (Statut.INSTRUCTION, Statut.INSTRUCTION_PAIEMENT):
        return (
            "demander des pièces: ni la demande d'aide ni la demande de paiement ne sont en "
            f"instruction (statut {statut})"
        )
    if limite is None:
        return "demander des pièces: la date limite de réponse est obligatoire"
    if limite <= aujourdhui:
        return f"demander des pièces: la date limite {limite} est passée"
    return None


def _refus_fraude(etat: EtatContratPro, decision: Decision, aujourdhui: date) -> str | None:
    if etat.statut in (Statut.NOUVEAU, Statut.ATTENTE_DEMANDE, Statut.INSTRUCTION):
        return f"signaler une fraude: aucune aide n'est accordée (statut {etat.statut})"
    if etat.statut is Statut.RECOUVREMENT:
        return "signaler une fraude: un recouvrement est déjà en cours"
    if not decision.motif:
        return "signaler une fraude: le motif est obligatoire"
    if decision.montant_a_recuperer and decision.montant_a_recuperer > etat.montant_verse:
        return (
            f"signaler une fraude: {decision.montant_a_recuperer} EUR à récupérer dépasse "
            f"le montant versé ({etat.montant_verse} EUR)"
        )
    return None


def _refus_cloture(etat: EtatContratPro, _decision: Decision, aujourdhui: date) -> str | None:
    statut = etat.statut
    avant_acte = (
        Statut.NOUVEAU,
        Statut.ATTENTE_DEMANDE,
        Statut.INSTRUCTION,
        Statut.ATTENTE_PIECES,
        Statut.ATTENTE_SIGNATURE,
    )
    return None if statut in avant_acte else f"clore sans suite: impossible au statut {statut}"


def _refus_constat_prescription(
    etat: EtatContratPro, _decision: Decision, aujourdhui: date
) -> str | None:
    if etat.statut is not Statut.EXAMEN_DELAI:
        return (
            "constater la prescription: le dossier n'attend pas de décision sur un délai "
            f"échu avant d'être connu (statut {etat.statut})"
        )
    return None


def _refus_relevement(etat: EtatContratPro, decision: Decision, aujourdhui: date) -> str | None:
    statut, limite = etat.statut, decision.date_limite_reponse
    if statut is not Statut.EXAMEN_DELAI:
        return (
            "relever le délai: le dossier n'attend pas de décision sur un délai échu avant "
            f"d'être connu (statut {statut})"
        )
    if not decision.motif:
        return "relever le délai: le motif est obligatoire"
    if limite is None:
        return "relever le délai: date_limite_reponse (la nouvelle date limite) est obligatoire"
    if limite <= aujourdhui:
        return f"relever le délai: date_limite_reponse {limite} n'est pas dans le futur"
    return None


def _refus_validation_paiement(
    etat: EtatContratPro, _decision: Decision, aujourdhui: date
) -> str | None:
    if etat.statut is not Statut.INSTRUCTION_PAIEMENT:
        return (
            "valider le paiement: aucune demande de paiement n'est en instruction "
            f"(statut {etat.statut})"
        )
    return None


def _refus_reduction(etat: EtatContratPro, decision: Decision, aujourdhui: date) -> str | None:
    if etat.statut is not Statut.INSTRUCTION_PAIEMENT:
        return f"réduire: aucune demande de paiement n'est en instruction (statut {etat.statut})"
    if not decision.motif:
        return "réduire: le motif est obligatoire (règlement d'intervention, section 4)"
    if decision.montant is None:
        return "réduire: montant (le montant versé après réduction, en EUR) est obligatoire"
    du = etat.evaluation.montant if etat.evaluation else None
    if du is not None and decision.montant >= du:
        return (
            f"réduire: montant {decision.montant} EUR n'est pas inférieur au montant dû ({du} EUR)"
        )
    return None


def _refus_recouvrement(etat: EtatContratPro, decision: Decision, aujourdhui: date) -> str | None:
    statut = etat.statut
    if statut not in (Statut.PAYE, Statut.EXAMEN_TROP_PERCU):
        return f"recouvrer: rien n'a été versé ou un recouvrement est en cours (statut {statut})"
    if not decision.motif:
        return "recouvrer: le motif est obligatoire (règlement d'intervention, section 4)"
    montant = decision.montant if decision.montant is not None else etat.trop_percu
    if montant <= 0:
        return "recouvrer: montant (le montant du titre exécutoire, en EUR) est obligatoire"
    recuperable = etat.montant_verse - etat.montant_a_recuperer
    if montant > recuperable:
        return (
            f"recouvrer: montant {montant} EUR dépasse ce qui peut encore être récupéré "
            f"({recuperable} EUR versés et non encore réclamés)"
        )
    return None


def _refus_renonciation(etat: EtatContratPro, decision: Decision, aujourdhui: date) -> str | None:
    statut = etat.statut
    if statut not in (Statut.EXAMEN_TROP_PERCU, Statut.RECOUVREMENT):
        return (
            "renoncer au recouvrement: aucun trop-perçu proposé ni titre en cours "
            f"(statut {statut})"
        )
    return None if decision.motif else "renoncer au recouvrement: le motif est obligatoire"
