"""A CAE-DOM convention's deadlines and reminders, computed from its state (docs/cae_dom.md,
section Workflow): at each calendar quarter's end, in the territory's time zone, the attendance
statement is due; reminders follow at +15 and +30 days, at 9:00 local time. A deadline handled
is kept in its quarter's `rappels`, so it is not handled twice. Pure: the state and the time
are passed in; the workflow handles what is due, the main loop waits for the next one."""

from datetime import date, datetime, time, timedelta, tzinfo

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from models.cae_dom import (
        STATUTS_TERMINAUX,
        EtatCaeDom,
        Statut,
        StatutTrimestre,
        TrimestreCaeDom,
    )
    from rules import cae_dom
    from workflows.dossier import Echeance

RAPPELS_JOURS = (15, 30)
"""Reminders for a missing attendance statement, in days after the quarter's last day."""
HEURE_RAPPEL = time(9)
"""Reminders go out at 9:00, local time of the territory."""


def fuseau(etat: EtatCaeDom) -> tzinfo:
    """The territory's time zone, built by the rules module (passed through: the sandbox forbids
    `zoneinfo` in workflow code). Known once the convention is evaluated."""
    assert etat.evaluation is not None
    return cae_dom.fuseau_horaire(etat.evaluation.departement)


def rappels(trimestre: TrimestreCaeDom, zone: tzinfo) -> list[Echeance]:
    """The quarter's reminders not sent yet, earliest first."""
    resultat = []
    for jours in RAPPELS_JOURS:
        jour = trimestre.dernier_jour + timedelta(days=jours)
        resultat.append(
            Echeance(
                datetime.combine(jour, HEURE_RAPPEL, tzinfo=zone),
                f"rappel-{jours}j",
                jour,
                sujet=trimestre.trimestre,
                libelle=f"état de présence du trimestre {trimestre.trimestre}",
            )
        )
    return [r for r in resultat if r.code not in trimestre.rappels]


def rappels_dus(trimestre: TrimestreCaeDom, zone: tzinfo, maintenant: datetime) -> list[Echeance]:
    """The quarter's reminders not sent yet whose time has come."""
    return [r for r in rappels(trimestre, zone) if r.quand <= maintenant]


DELAI = "delai"
"""Code of the deadline of a quarter's attendance statement (issue 18)."""


def date_limite(trimestre: TrimestreCaeDom) -> date:
    """The statement's last day: fixed when it was asked for, else the rule's
    (`rules.cae_dom.Trimestre.date_limite_etat_presence`)."""
    if trimestre.date_limite_etat is not None:
        return trimestre.date_limite_etat
    return cae_dom.Trimestre.depuis_libelle(trimestre.trimestre).date_limite_etat_presence


def date_limite_a_la_demande(trimestre: TrimestreCaeDom, demande_le: date) -> date:
    """The deadline set when the statement is asked for: the rule's date, but never less than
    a month after the demand (a convention registered late gets a month for each quarter
    already over)."""
    regle = cae_dom.Trimestre.depuis_libelle(trimestre.trimestre).date_limite_etat_presence
    return max(regle, cae_dom.ajouter_mois(demande_le, 1) - timedelta(days=1))


def echeances(etat: EtatCaeDom, delai: bool = False) -> list[Echeance]:
    """Quarter ends not reached yet and reminders not sent yet (none before the convention is
    open, nor once it is refused or closed); with `delai` (dossiers started since the patch
    `workflow.DELAI_ETAT_PRESENCE`), the deadline of each statement awaited: at 00:00 local
    time the day after its last day, the quarter goes to an instructor."""
    if etat.statut in (Statut.NOUVEAU, *STATUTS_TERMINAUX):
        return []
    zone = fuseau(etat)
    resultat: list[Echeance] = []
    for trimestre in etat.trimestres:
        if trimestre.statut is StatutTrimestre.A_VENIR:
            resultat.append(
                Echeance(
                    datetime.combine(trimestre.date_paiement, time(0), tzinfo=zone),
                    "fin",
                    trimestre.date_paiement,
                    sujet=trimestre.trimestre,
                    libelle=(
                        f"fin du trimestre {trimestre.trimestre} : état de présence à transmettre"
                    ),
                )
            )
        elif trimestre.statut is StatutTrimestre.ATTENTE_ETAT:
            resultat.extend(rappels(trimestre, zone))
            if delai:
                limite = date_limite(trimestre)
                resultat.append(
                    Echeance(
                        datetime.combine(limite + timedelta(days=1), time(0), tzinfo=zone),
                        DELAI,
                        limite,
                        sujet=trimestre.trimestre,
                        libelle=f"date limite de l'état de présence du trimestre "
                        f"{trimestre.trimestre}",
                    )
                )
    return resultat


def fins_echues(etat: EtatCaeDom, maintenant: datetime) -> list[Echeance]:
    """The quarter ends whose time has come (after a restriction of processing is lifted)."""
    return [e for e in echeances(etat) if e.code == "fin" and e.quand <= maintenant]
