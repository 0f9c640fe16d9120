"""Complementary requests: the seed's conditions checked against the year's campaign (voted,
an increase over the n-1 counts it used), each line checked against the year's eligibility
and priced, and the next commission permanente session
(`rules/data/are/sessions_commission.csv`). Pure."""

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from activities.are.fichiers import Import
from models.are import (
    ConditionsComplement,
    EntreeConditionsComplement,
    EtatCampagne,
    EvaluationComplement,
    LigneComplement,
    LigneCondition,
    LigneEvaluee,
    Montants,
    SessionCommission,
    StatutCampagne,
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


# --- the conditions of a complement ---------------------------------------------------------

STATUTS_CAMPAGNE_VOTEE = frozenset(
    {StatutCampagne.VOTEE, StatutCampagne.PAYEE, StatutCampagne.BILANS_DEMANDES}
)


def conditions_complement(
    campagne: str,
    etat: EtatCampagne | None,
    donnees: Import | None,
    demande: EntreeConditionsComplement,
) -> ConditionsComplement:
    """The seed's conditions of a complementary allocation (`rules.are.complement`): the
    year's campaign is voted, and each line shows an increase over the n-1 count the campaign
    used for its formation (`donnees`: the voted import). Every unmet condition gives a French
    reason naming the field, the value and the rule."""
    if etat is None or etat.vote is None or etat.statut not in STATUTS_CAMPAGNE_VOTEE:
        statut = None if etat is None else etat.statut.value
        quoi = "pas encore ouverte" if etat is None else f"au statut {statut}"
        return ConditionsComplement(
            campagne=campagne,
            statut_campagne=statut,
            motifs=[
                f"{are.MotifCondition.CAMPAGNE_NON_VOTEE} : annee_scolaire "
                f"« {demande.annee_scolaire} » : la campagne {campagne} n'est pas votée ({quoi}) "
                "(règle : une dotation complémentaire complète la dotation initiale votée par "
                "la commission permanente, seeds 000/001 « Dotation complémentaire »)"
            ],
        )
    if donnees is None:
        return ConditionsComplement(
            campagne=campagne,
            statut_campagne=etat.statut.value,
            deliberation=etat.vote.deliberation,
            version_table=etat.vote.version_table,
            motifs=[
                f"DONNEES_CAMPAGNE_ILLISIBLES : les effectifs n-1 de la campagne {campagne} "
                "ne peuvent pas être relus : l'augmentation ne peut pas être vérifiée"
            ],
        )
    lignes, motifs = _lignes_conditions(donnees, demande)
    return ConditionsComplement(
        campagne=campagne,
        statut_campagne=etat.statut.value,
        deliberation=etat.vote.deliberation,
        version_table=etat.vote.version_table,
        lignes=lignes,
        motifs=motifs,
    )


def _effectifs_n1(donnees: Import, uai: str) -> dict[tuple[str, Enveloppe], int]:
    """The n-1 count of each formation of the school as the campaign used it: pupils
    retained (pre-bac), scholarship holders (post-bac: retained x the school's rate)."""
    comptes: dict[tuple[str, Enveloppe], int] = {}
    for etablissement in donnees.etablissements:
        if etablissement.uai != uai:
            continue
        for ligne in etablissement.lignes:
            retenu = are.effectif_retenu(ligne.effectif, ligne.apprentis)
            comptes[ligne.code_diplome, Enveloppe.PRE_BAC] = retenu
            comptes[ligne.code_diplome, Enveloppe.POST_BAC] = are.nombre_boursiers(
                retenu, etablissement.taux_boursiers_post_bac
            )
    return comptes


def _lignes_conditions(
    donnees: Import, demande: EntreeConditionsComplement
) -> tuple[list[LigneCondition], list[str]]:
    comptes = _effectifs_n1(donnees, demande.uai)
    lignes: list[LigneCondition] = []
    motifs: list[str] = []
    for i, ligne in enumerate(demande.lignes):
        n1 = comptes.get((ligne.code_diplome, ligne.enveloppe), 0)
        motif = are.verifier_augmentation(
            effectif_n1=n1,
            effectif_rentree=ligne.effectif_rentree,
            effectif_supplementaire=ligne.effectif_supplementaire,
        )
        message = None if motif is None else _message_ligne(i, ligne, n1, motif)
        lignes.append(
            LigneCondition(
                code_diplome=ligne.code_diplome,
                enveloppe=ligne.enveloppe,
                effectif_n1=n1,
                effectif_rentree=ligne.effectif_rentree,
                effectif_supplementaire=ligne.effectif_supplementaire,
                motif=motif.value if motif else None,
                message=message,
            )
        )
        if message is not None:
            motifs.append(message)
    return lignes, motifs


def _message_ligne(i: int, ligne: LigneComplement, n1: int, motif: are.MotifCondition) -> str:
    qui = "élèves" if ligne.enveloppe is Enveloppe.PRE_BAC else "boursiers"
    debut = f"{motif} : lignes[{i}] ({ligne.code_diplome}, {ligne.enveloppe.value}) : "
    regle = (
        "(règle : dotation complémentaire en cas d'augmentation des effectifs par rapport à "
        "l'effectif n-1 retenu par la campagne, seeds 000/001 « Dotation complémentaire »)"
    )
    if motif is are.MotifCondition.EFFECTIF_RENTREE_NON_DECLARE:
        return (
            f"{debut}effectif_rentree non renseigné : l'augmentation par rapport aux {n1} "
            f"{qui} n-1 retenus par la campagne ne peut pas être vérifiée {regle}"
        )
    rentree = ligne.effectif_rentree
    if motif is are.MotifCondition.AUGMENTATION_NULLE:
        return (
            f"{debut}effectif_rentree « {rentree} » ne dépasse pas les {n1} {qui} n-1 "
            f"retenus par la campagne : aucune augmentation {regle}"
        )
    return (
        f"{debut}effectif_supplementaire « {ligne.effectif_supplementaire} » dépasse "
        f"l'augmentation constatée ({rentree} − {n1} = {(rentree or 0) - n1}) {regle}"
    )
