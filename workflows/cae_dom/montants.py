"""The money of a CAE-DOM convention, computed from its state: the quarters of the schedule
(built from the schedule the rules compute, `rules/cae_dom.py` through the activities of
`activities/regles_cae_dom.py`) and how a new schedule merges into them, the periods of
parameters an amendment sets, the activities' inputs, the read model's totals, what an early
end leaves to recover and when everything is settled. Pure: the workflow calls the activities,
issues the orders and publishes."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from models.cae_dom import (
        TRIMESTRES_SOLDES,
        EntreeEcheancier,
        EntreeLiquidation,
        EtatCaeDom,
        EtatPresenceCaeDom,
        ModificationCaeDom,
        OrdreCaeDom,
        ParametresPeriode,
        RenouvellementCaeDom,
        Statut,
        StatutTrimestre,
        TrimestreCaeDom,
        minutes,
    )
    from rules import cae_dom
    from rules.cae_dom import EcheanceTrimestrielle

ZERO = Decimal("0.00")


# --- the schedule ------------------------------------------------------------------------------


def fin(etat: EtatCaeDom) -> date:
    """The end of the coverage in force (known once the convention is open)."""
    assert etat.date_fin is not None
    return etat.date_fin


def nouveau_trimestre(echeance: EcheanceTrimestrielle) -> TrimestreCaeDom:
    """A quarter of the schedule, still to come."""
    return TrimestreCaeDom(
        trimestre=echeance.trimestre,
        du=echeance.du,
        au=echeance.au,
        montant_prevu=echeance.montant,
        date_paiement=echeance.date_paiement,
    )


def entree_echeancier(etat: EtatCaeDom) -> EntreeEcheancier:
    """What the schedule's activity needs: the periods, the end, the early end if any."""
    return EntreeEcheancier(
        periodes=etat.periodes, fin=fin(etat), date_fin_effective=etat.date_fin_effective
    )


def entree_liquidation(etat: EtatCaeDom, etats: list[EtatPresenceCaeDom]) -> EntreeLiquidation:
    """What the liquidation's activity needs to liquidate these attendance statements."""
    return EntreeLiquidation(
        periodes=etat.periodes,
        fin=fin(etat),
        date_fin_effective=etat.date_fin_effective,
        etats=etats,
    )


def fusionner(
    trimestres: list[TrimestreCaeDom], echeancier: list[EcheanceTrimestrielle]
) -> list[TrimestreCaeDom]:
    """The quarters after an amendment or an early end, by label: those still in the schedule
    take its dates and planned amount (a liquidated one keeps its amount due: a rupture
    recomputes it), new ones are added, and those no longer covered are cancelled if still to
    come or awaiting their statement. The quarters given are left untouched."""
    existants = {t.trimestre: t for t in trimestres}
    resultat = []
    for echeance in echeancier:
        trimestre = existants.pop(echeance.trimestre, None)
        if trimestre is None:
            trimestre = nouveau_trimestre(echeance)
        else:
            trimestre = trimestre.model_copy(
                update={"du": echeance.du, "au": echeance.au, "montant_prevu": echeance.montant}
            )
        resultat.append(trimestre)
    en_attente = (
        StatutTrimestre.A_VENIR,
        StatutTrimestre.ATTENTE_ETAT,
        StatutTrimestre.EN_INSTRUCTION,
    )
    resultat.extend(  # no covered day any more
        t.model_copy(update={"statut": StatutTrimestre.ANNULE}) if t.statut in en_attente else t
        for t in existants.values()
    )
    return sorted(resultat, key=lambda t: t.trimestre)


def periodes_apres_avenant(
    periodes: list[ParametresPeriode],
    avenant: RenouvellementCaeDom | ModificationCaeDom,
    effet: date,
) -> list[ParametresPeriode]:
    """The periods once the amendment's new level or hours apply from `effet` (its effective
    date, the day after the previous end for a renewal); unchanged if it changes neither."""
    if (
        avenant.niveau_prime_mensuel is None
        and avenant.duree_hebdomadaire is None
        and avenant.duree_collective is None
    ):
        return periodes
    en_vigueur = [p for p in periodes if p.a_partir_du <= effet][-1]
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
    return sorted(
        [p for p in periodes if p.a_partir_du != effet] + [nouvelle],
        key=lambda p: p.a_partir_du,
    )


# --- totals, recovery, closing -----------------------------------------------------------------


@dataclass(frozen=True)
class Totaux:
    """The state's totals, named as its fields."""

    montant_accorde: Decimal
    """The schedule, liquidated amounts where known, cancelled quarters left out."""
    montant_verse: Decimal
    montant_du: Decimal
    """Liquidated, not paid yet (a rejected payment, a payment held by a suspension included)."""
    montant_recouvre: Decimal
    montant_a_recuperer: Decimal
    """Recovery orders not settled yet."""


def totaux(etat: EtatCaeDom) -> Totaux:
    """Granted, paid, due, recovered and still to recover."""
    actifs = [t for t in etat.trimestres if t.statut is not StatutTrimestre.ANNULE]
    reversements = ordres_de_reversement(etat)
    recouvre = sum((o.montant_recu for o in reversements), ZERO)
    return Totaux(
        montant_accorde=sum(
            (t.montant_prevu if t.montant_du is None else t.montant_du for t in actifs), ZERO
        ),
        montant_verse=sum((t.montant_verse for t in etat.trimestres), ZERO),
        montant_du=sum(
            (
                t.montant_du or ZERO
                for t in etat.trimestres
                if t.statut
                in (StatutTrimestre.ORDONNE, StatutTrimestre.REJETE, StatutTrimestre.SUSPENDU)
            ),
            ZERO,
        ),
        montant_recouvre=recouvre,
        montant_a_recuperer=sum((o.montant for o in reversements), ZERO) - recouvre,
    )


def ordre_de_paiement(
    trimestre: TrimestreCaeDom, workflow_id: str, rib_reference: str | None, emis_le: date
) -> OrdreCaeDom:
    """The order paying the quarter's amount due, at its attempt `tentatives`. Its id is the
    idempotency key: the first order of a quarter is `<workflow id>/paiement/<quarter>`, a new
    order after a rejection `<quarter>-<attempt>`."""
    assert trimestre.montant_du is not None
    suffixe = (
        trimestre.trimestre
        if trimestre.tentatives == 1
        else f"{trimestre.trimestre}-{trimestre.tentatives}"
    )
    return OrdreCaeDom(
        id=f"{workflow_id}/paiement/{suffixe}",
        nature="paiement",
        periode=trimestre.trimestre,
        montant=trimestre.montant_du,
        statut="emis",
        rib_reference=rib_reference,
        emis_le=emis_le,
    )


def ordre_de_reversement(
    etat: EtatCaeDom, workflow_id: str, montant: Decimal, emis_le: date
) -> OrdreCaeDom:
    """The next recovery order, `<workflow id>/reversement/<n>`."""
    return OrdreCaeDom(
        id=f"{workflow_id}/reversement/{len(ordres_de_reversement(etat)) + 1}",
        nature="reversement",
        periode="reversement",
        montant=montant,
        statut="emis",
        emis_le=emis_le,
    )


def ordres_de_reversement(etat: EtatCaeDom) -> list[OrdreCaeDom]:
    return [o for o in etat.ordres if o.nature == "reversement"]


def a_reverser(etat: EtatCaeDom) -> Decimal:
    """After an early end, what was paid beyond what is due (`rules.cae_dom.reste_a_reverser`)
    and not ordered for recovery yet; zero or less: nothing to recover."""
    payes = [t for t in etat.trimestres if t.statut is StatutTrimestre.PAYE]
    verse = sum((t.montant_verse for t in payes), ZERO)
    du = sum((t.montant_du or ZERO for t in payes), ZERO)
    deja = sum((o.montant for o in ordres_de_reversement(etat)), ZERO)
    return cae_dom.reste_a_reverser(verse, du) - deja


def soldee(etat: EtatCaeDom) -> bool:
    """Open or broken, every quarter paid, with nothing to pay or cancelled, and no order left
    unsettled: the convention can be closed."""
    return (
        etat.statut in (Statut.EN_COURS, Statut.ROMPU)
        and all(t.statut in TRIMESTRES_SOLDES for t in etat.trimestres)
        and not any(o.statut == "emis" for o in etat.ordres)
    )
