"""A school's allocation (both seeds, « Modalités de calcul et d'attribution de la
dotation »): retained enrolment, scholarship holders, envelopes, leftovers deducted."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from rules.are.commun import (
    UN_EURO,
    ZERO,
    Enveloppe,
    MotifDotation,
    MotifLigne,
    arrondi,
    version_regle,
)
from rules.are.forfaits import Forfaits, forfaits
from rules.are.formations import qualifier_formation

# --- allocation ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LigneEffectif:
    """A formation's first-year enrolment at the n-1 school start (rectorats' stabilised
    figures), and how many of them are apprentices or on contrat de professionnalisation."""

    code_diplome: str
    effectif: int
    apprentis: int = 0


@dataclass(frozen=True)
class LigneDotation:
    code_diplome: str
    eligible: bool
    hors_liste: bool
    enveloppe: Enveloppe | None
    effectif_retenu: int
    motif: MotifLigne | None


@dataclass(frozen=True)
class MontantEnveloppe:
    brut: Decimal
    reliquat: Decimal
    dotation: Decimal


@dataclass(frozen=True)
class Dotation:
    annee_scolaire: str
    version_regle: str
    forfaits: Forfaits
    lignes: tuple[LigneDotation, ...]
    effectif_prepa_metiers: int
    effectif_pre_bac_hors_prepa_metiers: int
    effectif_post_bac: int
    boursiers_post_bac: int
    enveloppes: Mapping[Enveloppe, MontantEnveloppe]
    total: Decimal
    motifs: tuple[MotifDotation, ...]


def effectif_retenu(effectif: int, apprentis: int) -> int:
    """Pupils counted: apprentices and contrat-pro pupils are not (seed 001, « Les
    bénéficiaires »: « Le dispositif n'est pas applicable aux élèves en contrat
    d'apprentissage ou de professionnalisation »). Applied to every school year: seed 000's
    beneficiaries are likewise « élèves » of first year."""
    if effectif < 0 or apprentis < 0:
        raise ValueError("les effectifs ne peuvent pas être négatifs")
    if apprentis > effectif:
        raise ValueError(f"apprentis ({apprentis}) dépasse effectif ({effectif})")
    return effectif - apprentis


def nombre_boursiers(effectif_post_bac: int, taux_boursiers: Decimal) -> int:
    """Post-bac scholarship holders: the school's eligible post-bac enrolment x the
    scholarship rate, rounded half up to a whole pupil (both seeds, « Modalités de calcul »,
    note 1: « application d'un taux de boursiers »; the rounding is the issue's reading)."""
    if not ZERO <= taux_boursiers <= 1:
        raise ValueError(f"taux de boursiers {taux_boursiers} hors de [0, 1]")
    return int(arrondi(effectif_post_bac * taux_boursiers, UN_EURO))


def dotation_enveloppe(brut: Decimal, reliquat: Decimal) -> Decimal:
    """Gross amount minus that envelope's leftovers, never below zero (both seeds: « ceux-ci
    sont déduits du montant de leur dotation. Pour ceux dont les reliquats sont supérieurs à
    la dotation calculée, aucune dotation n'est versée »)."""
    return max(ZERO, brut - reliquat)


def calculer_dotation(
    annee_scolaire: str,
    *,
    a_repondu_enquete: bool,
    effectifs: Sequence[LigneEffectif],
    taux_boursiers_post_bac: Decimal,
    reliquats: Mapping[Enveloppe, Decimal],
) -> Dotation:
    """A school's initial allocation for a school year.

    Both seeds, « Modalités de calcul et d'attribution de la dotation »: 3e prépa-métiers x
    their rate, other pre-bac first-year pupils x the standard rate (envelope `pre_bac`);
    post-bac scholarship holders x the standard rate (envelope `post_bac`). Each envelope's
    leftovers are deducted from that envelope only, never below zero (the envelopes are not
    fungible, « Modalités de mise en œuvre »). A school that did not answer the regional
    surveys gets nothing (« considérés comme disposant de reliquats suffisants »).
    """
    version = version_regle(annee_scolaire)
    taux = forfaits(annee_scolaire)
    lignes: list[LigneDotation] = []
    prepa = pre_bac = post_bac = 0
    for ligne in effectifs:
        q = qualifier_formation(ligne.code_diplome, annee_scolaire)
        retenu = effectif_retenu(ligne.effectif, ligne.apprentis) if q.eligible else 0
        enveloppe = q.niveau if q.eligible else None
        if enveloppe is Enveloppe.POST_BAC:
            post_bac += retenu
        elif q.prepa_metiers:
            prepa += retenu
        elif enveloppe is Enveloppe.PRE_BAC:
            pre_bac += retenu
        lignes.append(
            LigneDotation(
                code_diplome=ligne.code_diplome,
                eligible=q.eligible,
                hors_liste=q.hors_liste,
                enveloppe=enveloppe,
                effectif_retenu=retenu,
                motif=q.motif,
            )
        )
    boursiers = nombre_boursiers(post_bac, taux_boursiers_post_bac)
    bruts = {
        Enveloppe.PRE_BAC: prepa * taux.prepa_metiers + pre_bac * taux.standard,
        Enveloppe.POST_BAC: boursiers * taux.standard,
    }
    motifs: list[MotifDotation] = []
    if any(ligne.hors_liste for ligne in lignes):
        motifs.append(MotifDotation.FORMATIONS_HORS_LISTE)
    if not a_repondu_enquete:
        motifs.append(MotifDotation.ENQUETE_NON_REPONDUE)
    enveloppes: dict[Enveloppe, MontantEnveloppe] = {}
    for env, brut in bruts.items():
        reliquat = reliquats.get(env, ZERO)
        if reliquat < 0:
            raise ValueError(f"le reliquat {env.value} ({reliquat}) ne peut pas être négatif")
        montant = dotation_enveloppe(brut, reliquat) if a_repondu_enquete else ZERO
        if a_repondu_enquete and reliquat > 0 and montant == 0:
            motifs.append(
                MotifDotation.RELIQUAT_COUVRE_PRE_BAC
                if env is Enveloppe.PRE_BAC
                else MotifDotation.RELIQUAT_COUVRE_POST_BAC
            )
        enveloppes[env] = MontantEnveloppe(
            brut=arrondi(brut), reliquat=arrondi(reliquat), dotation=arrondi(montant)
        )
    return Dotation(
        annee_scolaire=annee_scolaire,
        version_regle=version,
        forfaits=taux,
        lignes=tuple(lignes),
        effectif_prepa_metiers=prepa,
        effectif_pre_bac_hors_prepa_metiers=pre_bac,
        effectif_post_bac=post_bac,
        boursiers_post_bac=boursiers,
        enveloppes=enveloppes,
        total=arrondi(sum((e.dotation for e in enveloppes.values()), ZERO)),
        motifs=tuple(motifs),
    )
