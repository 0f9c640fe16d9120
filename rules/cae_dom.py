"""CAE-DOM: contrat d'accès à l'emploi, the market-sector contrat unique d'insertion overseas.

Source: `shared/seeds/004_022d0843bed3b39c.txt`, circular DGEFP n° 2011-02 of 12 January 2011,
its annexes I and II, and annexe III (the CAE-DOM Cerfa, ASP 0562 12 10). Where the text leaves
a choice, the issue fixes the reading; each choice is written in the docstring and in
`docs/cae_dom.md`.

Pure functions: no clock, no I/O except the packaged reference tables, read by `referentiel()`
on first use and kept for the life of the process (importing this module reads nothing).

Amounts are computed exactly with `fractions.Fraction` (a part-time ratio such as 20/35 or a
partial month such as 17/29 has no finite decimal form) and rounded once per calendar quarter,
to the cent, half up; they come out as `Decimal`.
"""

import calendar
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from functools import cache
from typing import Self
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from pydantic import BaseModel, ConfigDict

from rules.reference import read_csv

VERSION_REGLES = "cae-dom/2011-02"
"""Rule version a dossier records: the circular DGEFP n° 2011-02 and its Cerfa."""

DUREE_MAXIMALE_DROIT_COMMUN_MOIS = 24
DUREE_MAXIMALE_RSA_SOCLE_MOIS = 30
DUREE_MAXIMALE_PROLONGEE_MOIS = 60
AGE_PUBLIC_FRAGILE = 50
PERIODE_CONDITION_AGE_MOIS = 24

AIDE_CIA_MENSUELLE = Decimal("344")
"""Annexe I (table, « CIA aménagé ») : « Aide de l'État de 344 €/mois »."""

_CENTIME = Decimal("0.01")

Montant = Decimal | Fraction | int


class Motif(StrEnum):
    """Why a convention is not eligible (codes fixed by the issue)."""

    HORS_TERRITOIRE = "HORS_TERRITOIRE"
    CONVENTION_APRES_EMBAUCHE = "CONVENTION_APRES_EMBAUCHE"
    DUREE_MAXIMALE_DEPASSEE = "DUREE_MAXIMALE_DEPASSEE"


# --- reference tables (rules/data/cae_dom/) -------------------------------------------------


@dataclass(frozen=True)
class Referentiel:
    """The CAE-DOM code tables, as `referentiel()` reads them."""

    territoires: tuple[Mapping[str, str], ...]
    """Rows of `territoires.csv`: department, postal-code prefix, time zone."""
    territoire: frozenset[str]
    """Departments and collectivities where the CAE-DOM applies: 971, 972, 973, 974, 975, 977,
    978.

    Seed header and references (ordonnance n° 2010-686: « départements d'outre-mer,
    Saint-Barthélemy, Saint-Martin et Saint-Pierre-et-Miquelon »); the codes are fixed by the
    issue. Mayotte (976) is not in the list: it became a department only in March 2011, after
    the circular.
    """
    statuts_employeur: Mapping[str, str]
    """Cerfa, codification, tableau 1 « Statut de l'employeur »: 50, 98, 99."""
    niveaux_formation: Mapping[str, str]
    """Cerfa, codification, tableau 2 « Niveau de formation ou de qualification »."""


@cache
def referentiel() -> Referentiel:
    """The code tables of `rules/data/cae_dom/`, read on the first call, then kept."""
    territoires = read_csv("cae_dom", "territoires.csv")
    return Referentiel(
        territoires=territoires,
        territoire=frozenset(row["departement"] for row in territoires),
        statuts_employeur={
            row["code"]: row["libelle"] for row in read_csv("cae_dom", "statut_employeur.csv")
        },
        niveaux_formation={
            row["code"]: row["libelle"] for row in read_csv("cae_dom", "niveau_formation.csv")
        },
    )


def est_dans_le_territoire(departement: str) -> bool:
    """True for 971, 972, 973, 974, 975, 977, 978 (see `Referentiel.territoire`)."""
    return departement in referentiel().territoire


def departement_du_code_postal(code_postal: str) -> str | None:
    """The territory a postal code belongs to, or None when it is outside the territory.

    The longest matching prefix wins: 97133 is Saint-Barthélemy (977) and 97150 Saint-Martin
    (978), though both start with 971 (Guadeloupe); Saint-Pierre-et-Miquelon has one postal code,
    97500. Prefixes are in `rules/data/cae_dom/territoires.csv`.
    """
    if len(code_postal) != 5 or not code_postal.isdigit():
        return None
    candidats = [
        row
        for row in referentiel().territoires
        if code_postal.startswith(row["prefixe_code_postal"])
    ]
    if not candidats:
        return None
    return max(candidats, key=lambda row: len(row["prefixe_code_postal"]))["departement"]


def fuseau_horaire(departement: str) -> ZoneInfo:
    """The territory's time zone, for deadlines (DESIGN: deadlines in the territory's zone)."""
    for row in referentiel().territoires:
        if row["departement"] == departement:
            return ZoneInfo(row["fuseau_horaire"])
    raise ValueError(f"département {departement!r} hors du territoire du CAE-DOM")


# --- month arithmetic -----------------------------------------------------------------------


def ajouter_mois(d: date, mois: int) -> date:
    """The same day `mois` later, clamped to the month's last day (31 Jan + 1 = 28/29 Feb).

    Same semantics as `rules.contrat_pro.add_months` (dateutil's `relativedelta`); written here
    rather than imported so that the two schemes do not depend on each other.
    """
    result: date = d + relativedelta(months=mois)
    return result


# --- maximum duration -----------------------------------------------------------------------


@dataclass(frozen=True)
class Beneficiaire:
    """What the maximum duration depends on (Cerfa, « situation du salarié », and the
    convention's planned actions)."""

    date_naissance: date
    beneficiaire_rsa_socle: bool = False
    travailleur_handicape: bool = False
    beneficiaire_aah: bool = False
    beneficiaire_minima_sociaux: bool = False
    formation_qualifiante_en_cours: bool = False

    @property
    def percoit_minima_sociaux(self) -> bool:
        """ASS, RSA, AAH... The RSA socle and the AAH are minimum social benefits themselves,
        so either flag counts for the age-50 extension even when the general flag is unset."""
        return (
            self.beneficiaire_minima_sociaux
            or self.beneficiaire_rsa_socle
            or (self.beneficiaire_aah)
        )


def date_anniversaire(date_naissance: date, age: int) -> date:
    """The day a person reaches `age`; born on 29 February, 28 February in a common year."""
    return ajouter_mois(date_naissance, 12 * age)


def atteint_50_ans_pendant_les_24_premiers_mois(date_naissance: date, debut: date) -> bool:
    """The age condition of the 60-month extension.

    Annexe II, question 3: « La condition d'âge est désormais satisfaite dès lors que le salarié a
    atteint l'âge de 50 ans pendant les deux premières années de la convention ».

    Reading: the first two years run from the coverage start `debut` to `debut + 24 months - 1
    day` inclusive; the condition holds when the 50th birthday is on or before that last day
    (so also for anyone already 50 or older at the start). Someone whose 48th birthday is the
    very start day turns 50 on the first day of month 25 and does not qualify; the footnote's
    « âgé de 48 ans » example holds for anyone past that day.
    """
    dernier_jour = ajouter_mois(debut, PERIODE_CONDITION_AGE_MOIS) - timedelta(days=1)
    return date_anniversaire(date_naissance, AGE_PUBLIC_FRAGILE) <= dernier_jour


def duree_maximale_mois(beneficiaire: Beneficiaire, debut: date) -> int:
    """Maximum coverage of a convention, renewals included, in months.

    Annexe II, question 3: 24 months by default; 30 for a beneficiary of the RSA socle
    (« celle des conventions de CAE-DOM à trente mois pour les bénéficiaires du RSA socle »);
    up to 60 « en cas de formation qualifiante en cours ; ou pour des publics fragiles : les
    personnes reconnues travailleurs handicapés (ou bénéficiaires de l'AAH qui ne sont pas TH),
    et les bénéficiaires de minima sociaux âgés de 50 ans ou plus » (age condition: see
    `atteint_50_ans_pendant_les_24_premiers_mois`). The ACI open-ended case concerns CAE in
    the non-market sector only, not the CAE-DOM.

    `debut` is the coverage start of the initial convention (renewals count from it).
    """
    public_fragile = beneficiaire.travailleur_handicape or beneficiaire.beneficiaire_aah
    senior = beneficiaire.percoit_minima_sociaux and atteint_50_ans_pendant_les_24_premiers_mois(
        beneficiaire.date_naissance, debut
    )
    if beneficiaire.formation_qualifiante_en_cours or public_fragile or senior:
        return DUREE_MAXIMALE_PROLONGEE_MOIS
    if beneficiaire.beneficiaire_rsa_socle:
        return DUREE_MAXIMALE_RSA_SOCLE_MOIS
    return DUREE_MAXIMALE_DROIT_COMMUN_MOIS


def conditions_manquantes(beneficiaire: Beneficiaire, debut: date) -> list[str]:
    """The conditions of annexe II, question 3 the beneficiary does not meet, in French, for a
    refusal that names what is missing (empty when the 60 months are open).

    One line per way to the 60 months (« formation qualifiante en cours », « personnes
    reconnues travailleurs handicapés (ou bénéficiaires de l'AAH qui ne sont pas TH) »,
    « bénéficiaires de minima sociaux âgés de 50 ans ou plus », with the footnote's two
    years), and the 30 months of the RSA socle when it does not apply either. A beneficiary of
    minimum benefits too young is told the last day of the first two years, never the birth
    date (a personal value).
    """
    if duree_maximale_mois(beneficiaire, debut) == DUREE_MAXIMALE_PROLONGEE_MOIS:
        return []
    dernier_jour = ajouter_mois(debut, PERIODE_CONDITION_AGE_MOIS) - timedelta(days=1)
    manquantes = [
        "pas de formation qualifiante en cours",
        "pas de reconnaissance de travailleur handicapé (RQTH) ni d'AAH",
    ]
    if beneficiaire.percoit_minima_sociaux:
        manquantes.append(
            f"bénéficiaire de minima sociaux, mais 50 ans non atteints pendant les deux "
            f"premières années de la convention (jusqu'au {dernier_jour.isoformat()})"
        )
    else:
        manquantes.append("pas de minima sociaux (ASS, RSA, AAH) avec 50 ans atteints")
    if not beneficiaire.beneficiaire_rsa_socle:
        manquantes.append("pas de RSA socle (30 mois)")
    return manquantes


def date_fin_maximale(debut: date, duree_mois: int) -> date:
    """Last day a coverage of `duree_mois` months starting on `debut` may reach:
    `debut + duree_mois months - 1 day` (issue's reading of annexe II, question 3)."""
    return ajouter_mois(debut, duree_mois) - timedelta(days=1)


# --- eligibility ----------------------------------------------------------------------------


def motifs_refus(
    *,
    departement: str,
    initiale: bool = True,
    date_convention: date,
    date_embauche: date,
    debut_prise_en_charge: date,
    fin_prise_en_charge: date,
    beneficiaire: Beneficiaire,
) -> list[Motif]:
    """Every reason the convention cannot be accepted, in a stable order; empty if eligible.

    - `HORS_TERRITOIRE`: the department is not one of `Referentiel.territoire` (seed header,
      ordonnance n° 2010-686).
    - `CONVENTION_APRES_EMBAUCHE`: annexe II, question 1: « La conclusion de la convention
      individuelle de CAE-DOM doit désormais obligatoirement précéder l'embauche du salarié »;
      the issue reads it as `date_convention <= date_embauche` (same day accepted). Checked
      on an initial convention only (`initiale`): a renewal's Cerfa is signed after the
      hiring by construction; issue 18 (docs/cae_dom.md, « Renewals »).
    - `DUREE_MAXIMALE_DEPASSEE`: the coverage ends after `date_fin_maximale` (annexe II,
      question 3).
    """
    motifs: list[Motif] = []
    if not est_dans_le_territoire(departement):
        motifs.append(Motif.HORS_TERRITOIRE)
    if initiale and date_convention > date_embauche:
        motifs.append(Motif.CONVENTION_APRES_EMBAUCHE)
    duree = duree_maximale_mois(beneficiaire, debut_prise_en_charge)
    if fin_prise_en_charge > date_fin_maximale(debut_prise_en_charge, duree):
        motifs.append(Motif.DUREE_MAXIMALE_DEPASSEE)
    return motifs


# --- amounts --------------------------------------------------------------------------------


def quotite(duree_hebdomadaire: Montant, duree_collective: Montant) -> Fraction:
    """min(1, employee's weekly hours / establishment's collective weekly hours), exact.

    The Cerfa gives the aid level « euros par mois pour un temps plein » and both weekly
    durations (« Durée hebdomadaire de travail du salarié », « Durée collective hebdomadaire de
    travail appliquée dans l'établissement »); the issue fixes the pro rata and its cap at 1
    (hours above the collective duration do not raise the aid).
    """
    salarie, collective = Fraction(duree_hebdomadaire), Fraction(duree_collective)
    if salarie <= 0 or collective <= 0:
        raise ValueError("les durées hebdomadaires doivent être strictement positives")
    return min(Fraction(1), salarie / collective)


def montant_mensuel(niveau_prime_mensuel: Montant, quotite_travail: Fraction) -> Fraction:
    """Aid for a fully covered calendar month: level x ratio, not rounded (issue)."""
    return Fraction(niveau_prime_mensuel) * quotite_travail


def arrondi_centime(montant: Fraction) -> Decimal:
    """Round an exact amount to the cent, half up (away from zero on a half cent)."""
    centimes = math.floor(abs(montant) * 100 + Fraction(1, 2))
    signe = -1 if montant < 0 else 1
    return (Decimal(signe * centimes) / 100).quantize(_CENTIME)


def montant_periode(mensuel: Fraction, du: date, au: date) -> Fraction:
    """Aid for the days `du`..`au` inclusive: each calendar month counts for
    days covered / days in that month (29 for a leap February), not rounded (issue)."""
    total = Fraction(0)
    jour = du
    while jour <= au:
        jours_du_mois = calendar.monthrange(jour.year, jour.month)[1]
        fin_mois = jour.replace(day=jours_du_mois)
        dernier = min(au, fin_mois)
        total += mensuel * Fraction((dernier - jour).days + 1, jours_du_mois)
        jour = dernier + timedelta(days=1)
    return total


@dataclass(frozen=True, order=True)
class Trimestre:
    """A calendar quarter, written `2024-T1`."""

    annee: int
    numero: int

    def __post_init__(self) -> None:
        if not 1 <= self.numero <= 4:
            raise ValueError(f"numéro de trimestre {self.numero} : attendu 1 à 4")

    @classmethod
    def de_date(cls, d: date) -> Self:
        return cls(d.year, (d.month - 1) // 3 + 1)

    @classmethod
    def depuis_libelle(cls, libelle: str) -> Self:
        annee, _, numero = libelle.partition("-T")
        if not (annee.isdigit() and len(annee) == 4 and numero in {"1", "2", "3", "4"}):
            raise ValueError(f"trimestre {libelle!r} : format attendu AAAA-Tn, n de 1 à 4")
        return cls(int(annee), int(numero))

    @property
    def libelle(self) -> str:
        return f"{self.annee}-T{self.numero}"

    @property
    def premier_jour(self) -> date:
        return date(self.annee, 3 * self.numero - 2, 1)

    @property
    def dernier_jour(self) -> date:
        return self.suivant().premier_jour - timedelta(days=1)

    @property
    def date_paiement(self) -> date:
        """Annexe II, question 1, point 2: « Le mode de paiement des aides à l'employeur est
        désormais trimestriel »; the issue fixes the due date: the day after the quarter ends."""
        return self.dernier_jour + timedelta(days=1)

    @property
    def date_limite_etat_presence(self) -> date:
        """Last day for the quarter's attendance statement: the last day of the month after the
        quarter (30 April, 31 July, 31 October, 31 January).

        Not in the seed: annexe II, q. 1, point 2 says only « Le mode de paiement des aides à
        l'employeur est désormais trimestriel »; the statement and its deadline are our choice
        (issue 18, docs/cae_dom.md), about one month after the quarter's end, after the
        reminders at +15 and +30 days."""
        return ajouter_mois(self.date_paiement, 1) - timedelta(days=1)

    def suivant(self) -> "Trimestre":
        if self.numero == 4:
            return Trimestre(self.annee + 1, 1)
        return Trimestre(self.annee, self.numero + 1)


class EcheanceTrimestrielle(BaseModel):
    """One quarterly payment: the covered days of the quarter, the amount, when it is due."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    trimestre: str
    du: date
    au: date
    montant: Decimal
    date_paiement: date


@dataclass(frozen=True)
class ParametresAide:
    """What the employer aid is computed from (Cerfa, « Le contrat de travail » and « La prise en
    charge »): coverage dates, monthly level for full time, both weekly durations in hours."""

    debut: date
    fin: date
    niveau_prime_mensuel: Decimal
    duree_hebdomadaire: Fraction
    duree_collective: Fraction

    def __post_init__(self) -> None:
        if self.fin < self.debut:
            raise ValueError(
                f"date de fin de prise en charge {self.fin} antérieure à la date d'effet "
                f"{self.debut}"
            )

    @property
    def montant_mensuel(self) -> Fraction:
        return montant_mensuel(
            self.niveau_prime_mensuel, quotite(self.duree_hebdomadaire, self.duree_collective)
        )

    def fin_couverte(self, date_fin_effective: date | None = None) -> date:
        """Last covered day: an early end stops the coverage at the effective end date
        (issue); an effective end after the planned end changes nothing."""
        if date_fin_effective is None:
            return self.fin
        return min(self.fin, date_fin_effective)


def parametres_cia(debut: date, fin: date) -> ParametresAide:
    """The CIA (contrat d'insertion par l'activité): a fixed State aid of 344 EUR a month
    (annexe I, « CIA aménagé ») with the same quarterly mechanics. Chosen reading: the aid is
    a flat monthly amount, not prorated to working hours (ratio 1); partial months still count
    days covered / days in the month."""
    return ParametresAide(
        debut=debut,
        fin=fin,
        niveau_prime_mensuel=AIDE_CIA_MENSUELLE,
        duree_hebdomadaire=Fraction(1),
        duree_collective=Fraction(1),
    )


def echeance_trimestre(
    parametres: ParametresAide, trimestre: Trimestre, date_fin_effective: date | None = None
) -> EcheanceTrimestrielle | None:
    """The payment for one calendar quarter, or None if no day of it is covered.

    A workflow calls it quarter by quarter (with the effective end if the contract ended early).
    The quarter's amount is the exact sum of its months' amounts, rounded once, to the cent,
    half up (issue); it is due the day after the quarter ends.
    """
    fin = parametres.fin_couverte(date_fin_effective)
    du = max(parametres.debut, trimestre.premier_jour)
    au = min(fin, trimestre.dernier_jour)
    if au < du:
        return None
    return EcheanceTrimestrielle(
        trimestre=trimestre.libelle,
        du=du,
        au=au,
        montant=arrondi_centime(montant_periode(parametres.montant_mensuel, du, au)),
        date_paiement=trimestre.date_paiement,
    )


def echeancier(
    parametres: ParametresAide, date_fin_effective: date | None = None
) -> list[EcheanceTrimestrielle]:
    """Every quarterly payment from the coverage start to its (effective) end, in order."""
    fin = parametres.fin_couverte(date_fin_effective)
    echeances: list[EcheanceTrimestrielle] = []
    trimestre = Trimestre.de_date(parametres.debut)
    while trimestre.premier_jour <= fin:
        echeance = echeance_trimestre(parametres, trimestre, date_fin_effective)
        if echeance is not None:
            echeances.append(echeance)
        trimestre = trimestre.suivant()
    return echeances


def montant_total(echeances: list[EcheanceTrimestrielle]) -> Decimal:
    """Sum of the (already rounded) quarterly amounts."""
    return sum((e.montant for e in echeances), Decimal("0.00"))


def montant_a_reverser(
    parametres: ParametresAide,
    montant_deja_verse: Decimal,
    date_fin_effective: date | None = None,
) -> Decimal:
    """What the employer must pay back: what was paid beyond what is due (never negative).

    Cerfa: « En cas de non exécution de la présente convention, les sommes déjà versées font
    l'objet d'un ordre de reversement »; the issue extends it to an early end: the sums paid for
    days after the effective end are recovered. What is due is the sum of the rounded quarterly
    amounts up to the effective end.
    """
    du = montant_total(echeancier(parametres, date_fin_effective))
    return reste_a_reverser(montant_deja_verse, du)


def reste_a_reverser(montant_deja_verse: Decimal, montant_du: Decimal) -> Decimal:
    """What was paid beyond what is due, never negative (an underpayment is not recovered)."""
    return max(Decimal("0.00"), montant_deja_verse - montant_du).quantize(_CENTIME)
