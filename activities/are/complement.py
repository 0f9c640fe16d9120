"""Complementary requests: each line checked against the year's eligibility and priced, and
the next commission permanente session (`rules/data/are/sessions_commission.csv`). Pure."""

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from models.are import (
    EvaluationComplement,
    LigneComplement,
    LigneEvaluee,
    Montants,
    SessionCommission,
)
from rules import are
from rules.are import Enveloppe
from rules.reference import read_csv

# --- complementary requests -----------------------------------------------------------------


def evaluer_complement(
    annee_scolaire: str, lignes: Sequence[LigneComplement]
) -> EvaluationComplement:
    """Each line checked against the year's eligibility and priced.

    Both seeds, « Dotation complémentaire »: the request lists the extra pupils (pre-bac) or
    extra scholarship holders (post-bac) « par formation éligible au dispositif ». A line is
    eligible when its formation is (`rules.are.qualifier_formation`: specialty, level) and its
    envelope is the formation's level (« non fongibles »). Its amount is the extra count x the
    year's flat rate (3e prépa-métiers rate for 67010031): the texts do not price the
    complement; we read it as the initial allocation's formula applied to the extra pupils.
    """
    taux = are.forfaits(annee_scolaire)
    evaluees: list[LigneEvaluee] = []
    for ligne in lignes:
        q = are.qualifier_formation(ligne.code_diplome, annee_scolaire)
        forfait = taux.prepa_metiers if q.prepa_metiers else taux.standard
        motif: str | None = q.motif.value if q.motif else None
        if motif is None and q.niveau is not ligne.enveloppe:
            motif = "ENVELOPPE_INCOHERENTE"
        eligible = motif is None
        evaluees.append(
            LigneEvaluee(
                code_diplome=ligne.code_diplome,
                enveloppe=ligne.enveloppe,
                effectif_supplementaire=ligne.effectif_supplementaire,
                eligible=eligible,
                hors_liste=q.hors_liste,
                forfait=forfait,
                montant=are.arrondi(ligne.effectif_supplementaire * forfait)
                if eligible
                else Decimal("0.00"),
                motif=motif,
            )
        )
    return EvaluationComplement(
        version_regle=are.version_regle(annee_scolaire),
        lignes=evaluees,
        montants_demandes=Montants(
            pre_bac=sum(
                (e.montant for e in evaluees if e.enveloppe is Enveloppe.PRE_BAC), Decimal("0.00")
            ),
            post_bac=sum(
                (e.montant for e in evaluees if e.enveloppe is Enveloppe.POST_BAC), Decimal("0.00")
            ),
        ),
    )


def sessions_commission() -> list[SessionCommission]:
    """Commission permanente sessions (`rules/data/are/sessions_commission.csv`)."""
    return sorted(
        (
            SessionCommission(
                reference=r["reference"], date_session=date.fromisoformat(r["date_session"])
            )
            for r in read_csv("are", "sessions_commission.csv")
        ),
        key=lambda s: s.date_session,
    )


def prochaine_session(
    sessions: Iterable[SessionCommission], jour: date
) -> SessionCommission | None:
    """The first session strictly after `jour` (a request queued on a session day waits for
    the next one: the day's agenda is closed)."""
    return min(
        (s for s in sessions if s.date_session > jour), key=lambda s: s.date_session, default=None
    )
