"""A CAE-DOM convention's deadlines and reminders, computed from its state (docs/cae_dom.md,
section Workflow): at each calendar quarter's end, in the territory's time zone, the attendance
statement is due; reminders follow at +15 and +30 days, at 9:00 local time. A deadline handled
is kept in its quarter's `rappels`, so it is not handled twice. Pure: the state and the time
are passed in; the workflow handles what is due, the main loop waits for the next one."""

from datetime import datetime, time, timedelta, tzinfo

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


def echeances(etat: EtatCaeDom) -> list[Echeance]:
    """Quarter ends not reached yet and reminders not sent yet (none before the convention is
    open, nor once it is refused or closed)."""
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
    return resultat


def fins_echues(etat: EtatCaeDom, maintenant: datetime) -> list[Echeance]:
    """The quarter ends whose time has come (after a restriction of processing is lifted)."""
    return [e for e in echeances(etat) if e.code == "fin" and e.quand <= maintenant]
