"""A contrat-pro dossier's deadlines and reminders, computed from its state (seed 003, sections
2 to 5; docs/contrat_pro.md): the request within 3 months of the start, the documents asked by
the instructor, the end of the aided period, the payment request within 3 months of the end,
the end of the 10-year retention. Pure: the workflow asks, the main loop waits."""

from datetime import datetime, time, timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from datetime import date

    from models.contrat_pro import EtatContratPro, Statut
    from rules.calendrier import PARIS, fin_du_jour
    from workflows.dossier import Echeance

RAPPELS_JOURS = (30, 7)
"""Reminders before a deadline the beneficiary must meet, in days."""
LIBELLES_ECHEANCE = {
    Statut.ATTENTE_DEMANDE: "dépôt de la demande d'aide",
    Statut.ATTENTE_PIECES: "réponse à la demande de pièces",
    Statut.ATTENTE_PIECES_PAIEMENT: "réponse à la demande de pièces (paiement)",
    Statut.EN_COURS: "fin de la période aidée, demande de paiement possible",
    Statut.ATTENTE_DEMANDE_PAIEMENT: "dépôt de la demande de paiement",
    Statut.PAYE: "fin de la durée de conservation",
}
"""The read model's label of the next deadline, by status."""


def echeances(etat: EtatContratPro) -> list[Echeance]:
    """The state's deadlines (`code` without `rappel`) and reminders, not yet handled."""
    statut = etat.statut
    resultat: list[Echeance] = []

    def limite(code: str, jour: date, objet: str) -> None:
        resultat.append(Echeance(fin_du_jour(jour), code, jour))
        for jours in RAPPELS_JOURS:
            debut = datetime.combine(jour - timedelta(days=jours), time(9), tzinfo=PARIS)
            resultat.append(Echeance(debut, f"rappel-{jours}j-{code}", jour, sujet=objet))

    if statut is Statut.ATTENTE_DEMANDE and etat.date_limite_demande:
        limite("demande", etat.date_limite_demande, "DEMANDE")
    elif statut is Statut.ATTENTE_PIECES and etat.date_limite_pieces:
        limite(f"pieces-{etat.date_limite_pieces}", etat.date_limite_pieces, "PIECES")
    elif statut is Statut.ATTENTE_PIECES_PAIEMENT and etat.date_limite_pieces:
        jour = etat.date_limite_pieces
        limite(f"pieces-paiement-{jour}", jour, "PIECES")
    elif statut is Statut.EN_COURS and etat.evaluation:
        versement = etat.evaluation.date_versement
        resultat.append(
            Echeance(datetime.combine(versement, time(0), tzinfo=PARIS), "versement", versement)
        )
    elif statut is Statut.ATTENTE_DEMANDE_PAIEMENT and etat.date_limite_demande_paiement_relevee:
        relevee = etat.date_limite_demande_paiement_relevee  # by an instructor: its own codes
        limite(f"demande-paiement-{relevee}", relevee, "DEMANDE_PAIEMENT")
    elif statut is Statut.ATTENTE_DEMANDE_PAIEMENT and etat.evaluation:
        limite("demande-paiement", etat.evaluation.date_limite_demande_paiement, "DEMANDE_PAIEMENT")
    elif statut is Statut.PAYE and etat.date_fin_conservation:
        fin = etat.date_fin_conservation
        resultat.append(Echeance(datetime.combine(fin, time(0), tzinfo=PARIS), "archive", fin))
    return [e for e in resultat if e.code not in etat.rappels_envoyes]
