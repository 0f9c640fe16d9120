"""CAE-DOM rule evaluations whose result must be recorded in the workflow history: they read
the packaged reference tables (territory, time zones) or compute the amounts a payment or a
recovery order is made of, so a change of the rules never changes a past step on replay.

Source: `shared/seeds/004_022d0843bed3b39c.txt` (circular DGEFP n° 2011-02, annexe II and the
CAE-DOM Cerfa), through `rules.cae_dom`. The two functions below the activities (`echeancier`,
`liquider`) extend `rules.cae_dom.echeancier` / `echeance_trimestre` to what a running
convention adds: aid periods changed by amendments, and the unpaid absences of the attendance
statement. They are pure; they live here because their module is the workflow's (they could
move to `rules/cae_dom.py` as they are).
"""

from datetime import date, timedelta
from fractions import Fraction

from temporalio import activity

from models.cae_dom import (
    ConventionCaeDom,
    EntreeEcheancier,
    EntreeLiquidation,
    EtatPresenceCaeDom,
    EvaluationConvention,
    Liquidation,
    ParametresPeriode,
    minutes,
)
from rules import cae_dom
from rules.cae_dom import EcheanceTrimestrielle, Trimestre

_UN_JOUR = timedelta(days=1)


@activity.defn(name="evaluer_convention_cae_dom")
async def evaluer_convention_cae_dom(convention: ConventionCaeDom) -> EvaluationConvention:
    """Eligibility (`rules.cae_dom.motifs_refus`: territory, convention before hiring for an
    initial convention, maximum duration counted from the initial coverage start), the maximum
    end date renewals are checked against, the territory's time zone and the planned quarterly
    schedule (from this Cerfa's own coverage start: a renewal Cerfa opens its dossier there)."""
    prise = convention.prise_en_charge
    duree = convention.duree_maximale_mois()
    debut_initial = convention.debut_initial
    departement = convention.numero_convention.departement
    periode = ParametresPeriode(
        a_partir_du=prise.date_effet,
        niveau_prime_mensuel=prise.niveau_prime_mensuel,
        duree_hebdomadaire_minutes=minutes(convention.contrat.duree_hebdomadaire),
        duree_collective_minutes=minutes(convention.contrat.duree_collective),
    )
    return EvaluationConvention(
        version_regles=cae_dom.VERSION_REGLES,
        motifs=[str(motif) for motif in convention.motifs_refus()],
        duree_maximale_mois=duree,
        date_fin_maximale=cae_dom.date_fin_maximale(debut_initial, duree),
        debut_initial=debut_initial,
        departement=departement,
        fuseau_horaire=cae_dom.fuseau_horaire(departement).key,
        periode=periode,
        echeancier=echeancier(EntreeEcheancier(periodes=[periode], fin=prise.date_fin)),
    )


@activity.defn(name="calculer_echeancier_cae_dom")
async def calculer_echeancier_cae_dom(entree: EntreeEcheancier) -> list[EcheanceTrimestrielle]:
    """The schedule after a renewal, an amendment or an early end."""
    return echeancier(entree)


@activity.defn(name="liquider_trimestres_cae_dom")
async def liquider_trimestres_cae_dom(entree: EntreeLiquidation) -> list[Liquidation]:
    """Each quarter's amount from its attendance statement (after an early end, what is due
    up to the effective end)."""
    return [liquider(entree, etat) for etat in entree.etats]


# --- pure ---------------------------------------------------------------------------------


def _fin_couverte(entree: EntreeEcheancier) -> date:
    if entree.date_fin_effective is None:
        return entree.fin
    return min(entree.fin, entree.date_fin_effective)


def _periodes_triees(entree: EntreeEcheancier) -> list[ParametresPeriode]:
    return sorted(entree.periodes, key=lambda p: p.a_partir_du)


def _jours_presents(
    du: date, au: date, absences: list[tuple[date, date]]
) -> list[tuple[date, date]]:
    """The days of `du`..`au` outside every absence period, as inclusive ranges."""
    plages: list[tuple[date, date]] = []
    jour = du
    for debut, fin in sorted(absences):
        if fin < jour:
            continue
        if debut > au:
            break
        if debut > jour:
            plages.append((jour, debut - _UN_JOUR))
        jour = max(jour, fin + _UN_JOUR)
        if jour > au:
            return plages
    if jour <= au:
        plages.append((jour, au))
    return plages


def _montant_exact(periodes: list[ParametresPeriode], plages: list[tuple[date, date]]) -> Fraction:
    """Aid for the given days, each day at the parameters in force that day: each calendar
    month counts days / days in the month (`rules.cae_dom.montant_periode`), not rounded."""
    total = Fraction(0)
    for rang, periode in enumerate(periodes):
        suivante = periodes[rang + 1].a_partir_du if rang + 1 < len(periodes) else date.max
        for du, au in plages:
            debut, fin = max(du, periode.a_partir_du), min(au, suivante - _UN_JOUR)
            if debut <= fin:
                total += cae_dom.montant_periode(periode.montant_mensuel, debut, fin)
    return total


def _jours_couverts(entree: EntreeEcheancier, trimestre: Trimestre) -> tuple[date, date] | None:
    du = max(_periodes_triees(entree)[0].a_partir_du, trimestre.premier_jour)
    au = min(_fin_couverte(entree), trimestre.dernier_jour)
    return None if au < du else (du, au)


def echeancier(entree: EntreeEcheancier) -> list[EcheanceTrimestrielle]:
    """`rules.cae_dom.echeancier` with aid periods: every quarter with a covered day, its
    amount the exact sum over its days, rounded once to the cent (half up). With a single
    period it is `rules.cae_dom.echeancier` exactly."""
    periodes = _periodes_triees(entree)
    fin = _fin_couverte(entree)
    echeances: list[EcheanceTrimestrielle] = []
    trimestre = Trimestre.de_date(periodes[0].a_partir_du)
    while trimestre.premier_jour <= fin:
        jours = _jours_couverts(entree, trimestre)
        if jours is not None:
            echeances.append(
                EcheanceTrimestrielle(
                    trimestre=trimestre.libelle,
                    du=jours[0],
                    au=jours[1],
                    montant=cae_dom.arrondi_centime(_montant_exact(periodes, [jours])),
                    date_paiement=trimestre.date_paiement,
                )
            )
        trimestre = trimestre.suivant()
    return echeances


def liquider(entree: EntreeEcheancier, etat: EtatPresenceCaeDom) -> Liquidation:
    """A quarter's amount from its attendance statement.

    Chosen reading (the seed says nothing of attendance; docs/cae_dom.md, Workflow): the aid
    is a monthly amount for the days covered, so every day of unpaid absence and every day of
    a month not worked is taken out of the covered days: a month pays level x ratio x (days
    covered and worked / days in the month). The quarter is rounded once, to the cent, half
    up, as in `rules.cae_dom.echeance_trimestre`. After an early end only the days up to the
    effective end are due.
    """
    trimestre = Trimestre.depuis_libelle(etat.trimestre)
    periodes = _periodes_triees(entree)
    jours = _jours_couverts(entree, trimestre)
    if jours is None:
        return Liquidation(
            version_regles=cae_dom.VERSION_REGLES,
            trimestre=trimestre.libelle,
            du=None,
            au=None,
            jours_couverts=0,
            jours_non_travailles=0,
            montant_sans_absence=cae_dom.arrondi_centime(Fraction(0)),
            montant=cae_dom.arrondi_centime(Fraction(0)),
        )
    du, au = jours
    presents = _jours_presents(du, au, etat.periodes_non_travaillees())
    couverts = (au - du).days + 1
    travailles = sum((fin - debut).days + 1 for debut, fin in presents)
    return Liquidation(
        version_regles=cae_dom.VERSION_REGLES,
        trimestre=trimestre.libelle,
        du=du,
        au=au,
        jours_couverts=couverts,
        jours_non_travailles=couverts - travailles,
        montant_sans_absence=cae_dom.arrondi_centime(_montant_exact(periodes, [jours])),
        montant=cae_dom.arrondi_centime(_montant_exact(periodes, presents)),
    )
