"""Aide au contrat de professionnalisation, Pays de la Loire.

Source: `shared/seeds/003_78a5ddbbdc7b9add.txt`, règlement d'intervention in force on
1 April 2024 (section 7), with its annex list of priority certifications
(`rules/data/contrat_pro/certifications.csv`). Pure functions: no clock, no I/O except the
packaged reference data; dates are passed in. Interpretations are in `docs/contrat_pro.md`.

Contract months: contract month k (k >= 1) runs from `add_months(start, k - 1)` to
`add_months(start, k)` minus one day, always counted from the start date (so a contract
starting on 31 January has months 31 Jan-28 Feb, 29 Feb-30 Mar, 31 Mar-29 Apr...). The
contract's last day L is the effective end date if it was broken, otherwise the planned end.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import NamedTuple

from dateutil.relativedelta import relativedelta

from rules.reference import read_csv

VERSION_REGLES = "contrat-pro/2024-04-01"
"""The rule version a dossier records: règlement in force on 1 April 2024 (section 7)."""

DATE_ENTREE_EN_VIGUEUR = date(2024, 4, 1)
DELAI_DEMANDE_MOIS = 3
DELAI_DEMANDE_PAIEMENT_MOIS = 3
AGE_MINIMUM = 30
DEPARTEMENTS_REGION = frozenset({"44", "49", "53", "72", "85"})
MONTANT_MENSUEL_TEMPS_COMPLET = Decimal("500.00")
DUREE_HEBDOMADAIRE_TEMPS_COMPLET = Decimal(35)
MOIS_AIDES_MAXIMUM = 12
SEUIL_CONVENTION = Decimal("23000.00")
CENTIME = Decimal("0.01")

FICHIER_CERTIFICATIONS = ("contrat_pro", "certifications.csv")


class Motif(StrEnum):
    """Reason codes, in the order they are reported (section 2, then section 3)."""

    AGE_MOINS_30 = "AGE_MOINS_30"
    NON_DEMANDEUR_EMPLOI = "NON_DEMANDEUR_EMPLOI"
    DEJA_DANS_EFFECTIF = "DEJA_DANS_EFFECTIF"
    HORS_REGION = "HORS_REGION"
    OBLIGATIONS_NON_A_JOUR = "OBLIGATIONS_NON_A_JOUR"
    LICENCIEMENT_ECONOMIQUE = "LICENCIEMENT_ECONOMIQUE"
    CERTIFICATION_NON_PRIORITAIRE = "CERTIFICATION_NON_PRIORITAIRE"
    NATURE_CONTRAT_EXCLUE = "NATURE_CONTRAT_EXCLUE"
    DEMANDE_HORS_DELAI = "DEMANDE_HORS_DELAI"
    RUPTURE_PREMIER_MOIS = "RUPTURE_PREMIER_MOIS"
    """Not an eligibility condition: the dossier stays eligible but the amount is 0."""


class NatureContrat(StrEnum):
    STANDARD = "standard"
    EXPERIMENTAL = "experimental"
    QUALIFICATION_CCN = "qualification_ccn"


class Acte(StrEnum):
    ARRETE = "arrete"
    CONVENTION = "convention"


class Periode(NamedTuple):
    """A date range, both ends included."""

    du: date
    au: date


class DureeHebdomadaire(NamedTuple):
    """Weekly hours in force from `date_effet` (the contract start, or an amendment's date)."""

    date_effet: date
    heures: Decimal


# --- contract months -----------------------------------------------------------------------


def add_months(d: date, months: int) -> date:
    """The same day `months` later, clamped to the month's last day (31 Jan + 1 = 28/29 Feb)."""
    result: date = d + relativedelta(months=months)
    return result


def date_limite_demande(date_debut_contrat: date) -> date:
    """Last day the employer may file the aid request.

    Section 2: « la demande de l'employeur doit être déposée au plus tard trois mois après la
    date de début d'exécution du contrat de professionnalisation ».
    """
    return add_months(date_debut_contrat, DELAI_DEMANDE_MOIS)


def mois_contrat(date_debut_contrat: date, k: int) -> Periode:
    """Contract month k (k >= 1): from `add_months(start, k - 1)` to `add_months(start, k)`
    minus one day, counted from the start each time (section 3 « nombre de mois correspondants
    à la première année du contrat »; the reading is fixed by the issue)."""
    if k < 1:
        raise ValueError(f"le numéro de mois du contrat doit valoir au moins 1 (reçu : {k})")
    return Periode(
        add_months(date_debut_contrat, k - 1),
        add_months(date_debut_contrat, k) - timedelta(days=1),
    )


def numero_mois_contrat(date_debut_contrat: date, jour: date) -> int:
    """The number k of the contract month that contains `jour` (`jour` >= the start); section 3
    counts breaks by « le mois suivant la date de fin effective »."""
    if jour < date_debut_contrat:
        raise ValueError(f"le jour {jour} est antérieur au début du contrat ({date_debut_contrat})")
    k = (jour.year - date_debut_contrat.year) * 12 + jour.month - date_debut_contrat.month + 1
    while add_months(date_debut_contrat, k - 1) > jour:
        k -= 1
    while add_months(date_debut_contrat, k) <= jour:
        k += 1
    return k


def dernier_jour_contrat(
    date_debut_contrat: date, date_fin_contrat: date, date_fin_effective: date | None
) -> date:
    """L: the effective end date if the contract was broken, otherwise the planned end date
    (section 3, « durée effective »)."""
    if date_fin_contrat < date_debut_contrat:
        raise ValueError(
            f"date_fin_contrat ({date_fin_contrat}) est antérieure à "
            f"date_debut_contrat ({date_debut_contrat})"
        )
    if date_fin_effective is None:
        return date_fin_contrat
    if not date_debut_contrat <= date_fin_effective <= date_fin_contrat:
        raise ValueError(
            f"date_fin_effective ({date_fin_effective}) doit être comprise entre "
            f"date_debut_contrat ({date_debut_contrat}) et date_fin_contrat ({date_fin_contrat})"
        )
    return date_fin_effective


# --- eligibility (section 2) ---------------------------------------------------------------


def age_au(date_naissance: date, jour: date) -> int:
    """Age in whole years on `jour` (someone born on 29 February turns a year older on
    1 March in common years)."""
    anniversaire_passe = (jour.month, jour.day) >= (date_naissance.month, date_naissance.day)
    return jour.year - date_naissance.year - (0 if anniversaire_passe else 1)


def age_eligible(date_naissance: date, date_debut_contrat: date) -> bool:
    """Section 2: « personne en recherche d'emploi âgée de 30 ans ou plus à la date de début
    de l'exécution du contrat »."""
    return age_au(date_naissance, date_debut_contrat) >= AGE_MINIMUM


def etablissement_en_region(code_postal: str) -> bool:
    """Section 1: employers « ayant leur SIRET en région Pays de la Loire ». Read as: the
    establishment's postal code is in department 44, 49, 53, 72 or 85 (its first two digits)."""
    return code_postal[:2] in DEPARTEMENTS_REGION


def _code(valeur: str) -> int:
    if not (valeur.isascii() and valeur.isdigit()):
        raise ValueError(f"un code de certification ne compte que des chiffres (reçu : {valeur!r})")
    return int(valeur)


def certifications_en_vigueur(jour: date) -> tuple[dict[str, str], ...]:
    """Rows of the annex list (« Liste des formations éligibles », seed 003) valid on `jour`."""
    return tuple(
        ligne
        for ligne in read_csv(*FICHIER_CERTIFICATIONS)
        if date.fromisoformat(ligne["valide_du"]) <= jour
        and (not ligne["valide_au"] or jour <= date.fromisoformat(ligne["valide_au"]))
    )


def certification_prioritaire(rncp: str | None, certifinfo: str | None, jour: date) -> bool:
    """Section 2: « la liste de ces formations prioritaires éligibles au soutien régional est
    présentée en annexe ». True when the RNCP code or the CERTIFINFO code (for branch CQPs)
    is in the annex list in force on `jour`; codes are compared as numbers ("02278" = "2278").
    """
    codes_rncp = {_code(c) for c in (rncp,) if c}
    codes_certifinfo = {_code(c) for c in (certifinfo,) if c}
    for ligne in certifications_en_vigueur(jour):
        if ligne["code_rncp"] and _code(ligne["code_rncp"]) in codes_rncp:
            return True
        if ligne["code_certifinfo"] and _code(ligne["code_certifinfo"]) in codes_certifinfo:
            return True
    return False


def nature_contrat_eligible(nature: NatureContrat) -> bool:
    """Section 2: the « contrat de professionnalisation expérimental » (loi du 5 septembre 2018)
    and contracts preparing only a qualification recognised by a national collective agreement
    are outside the aid."""
    return nature is NatureContrat.STANDARD


def demande_dans_les_delais(date_debut_contrat: date, date_demande: date) -> bool:
    """Section 2: request filed on or before `add_months(start, 3)`."""
    return date_demande <= date_limite_demande(date_debut_contrat)


@dataclass(frozen=True)
class FaitsContrat:
    """What the rules need to know about one contract and its aid request."""

    date_debut_contrat: date
    date_fin_contrat: date
    date_naissance: date
    demandeur_emploi: bool
    dans_effectif_6_mois: bool
    code_postal_etablissement: str
    employeur_a_jour: bool
    licenciement_economique_6_mois: bool
    code_rncp: str | None
    code_certifinfo: str | None
    nature_contrat: NatureContrat
    durees_hebdomadaires: tuple[DureeHebdomadaire, ...]
    """Weekly hours at the start, then one entry per amendment that changes them."""
    date_demande: date
    date_fin_effective: date | None = None
    suspensions_non_remunerees: tuple[Periode, ...] = field(default_factory=tuple)


def motifs_ineligibilite(faits: FaitsContrat) -> list[Motif]:
    """Every section 2 condition that fails, in `Motif` order (never only the first).

    The certification list applied is the one in force on the request date: a request filed
    before 1 April 2024 (section 7) finds no list, hence `CERTIFICATION_NON_PRIORITAIRE`.
    """
    motifs: list[Motif] = []
    if not age_eligible(faits.date_naissance, faits.date_debut_contrat):
        motifs.append(Motif.AGE_MOINS_30)
    if not faits.demandeur_emploi:
        motifs.append(Motif.NON_DEMANDEUR_EMPLOI)
    if faits.dans_effectif_6_mois:
        motifs.append(Motif.DEJA_DANS_EFFECTIF)
    if not etablissement_en_region(faits.code_postal_etablissement):
        motifs.append(Motif.HORS_REGION)
    if not faits.employeur_a_jour:
        motifs.append(Motif.OBLIGATIONS_NON_A_JOUR)
    if faits.licenciement_economique_6_mois:
        motifs.append(Motif.LICENCIEMENT_ECONOMIQUE)
    if not certification_prioritaire(faits.code_rncp, faits.code_certifinfo, faits.date_demande):
        motifs.append(Motif.CERTIFICATION_NON_PRIORITAIRE)
    if not nature_contrat_eligible(faits.nature_contrat):
        motifs.append(Motif.NATURE_CONTRAT_EXCLUE)
    if not demande_dans_les_delais(faits.date_debut_contrat, faits.date_demande):
        motifs.append(Motif.DEMANDE_HORS_DELAI)
    return motifs


# --- aided months and amount (section 3) ---------------------------------------------------


def rupture_premier_mois(date_debut_contrat: date, date_fin_effective: date | None) -> bool:
    """Section 3: « En cas de rupture anticipée intervenant durant le premier mois du contrat
    [...], l'aide n'est pas due. » True when the effective end date falls in contract month 1."""
    return date_fin_effective is not None and (
        date_fin_effective <= mois_contrat(date_debut_contrat, 1).au
    )


def fusionner_periodes(periodes: Iterable[tuple[date, date]]) -> list[Periode]:
    """The union of inclusive date ranges, as disjoint sorted ranges; adjacent ranges (one
    ends the day before the next starts) are merged."""
    fusion: list[Periode] = []
    for du, au in sorted(periodes):
        if au < du:
            raise ValueError(f"période invalide : la fin ({au}) précède le début ({du})")
        if fusion and du <= fusion[-1].au + timedelta(days=1):
            if au > fusion[-1].au:
                fusion[-1] = Periode(fusion[-1].du, au)
        else:
            fusion.append(Periode(du, au))
    return fusion


def mois_aides(
    date_debut_contrat: date,
    date_fin_contrat: date,
    date_fin_effective: date | None = None,
    suspensions_non_remunerees: Sequence[tuple[date, date]] = (),
) -> tuple[int, ...]:
    """The numbers k of the aided contract months (section 3).

    - « dans la limite de 12 mois »: the contract months k <= 12 that start on or before L;
    - « rupture anticipée intervenant durant le premier mois [...] l'aide n'est pas due »:
      nothing when the effective end date is in contract month 1;
    - « après le premier mois, l'aide n'est pas due à compter du mois suivant la date de fin
      effective »: the month containing the end date is the last one aided (same as above);
    - « suspension [...] conduisant au non-versement de la rémunération [...] l'aide n'est pas
      due pour chaque mois considéré »: a month is removed when the union of the unpaid
      suspensions (inclusive ranges) covers every one of its days. Interpretation: the days of
      a month that lie after L are not contract days, so the last month is removed when the
      suspensions cover it up to L.
    """
    dernier_jour = dernier_jour_contrat(date_debut_contrat, date_fin_contrat, date_fin_effective)
    if rupture_premier_mois(date_debut_contrat, date_fin_effective):
        return ()
    suspensions = fusionner_periodes(suspensions_non_remunerees)
    aides: list[int] = []
    for k in range(1, MOIS_AIDES_MAXIMUM + 1):
        mois = mois_contrat(date_debut_contrat, k)
        if mois.du > dernier_jour:
            break
        fin = min(mois.au, dernier_jour)
        if not any(s.du <= mois.du and fin <= s.au for s in suspensions):
            aides.append(k)
    return tuple(aides)


def montant_mensuel(duree_hebdomadaire_heures: Decimal) -> Decimal:
    """Section 3: « 500 € par mois, pour un temps complet »; part time « proportionné à la
    quotité hebdomadaire indiquée dans le contrat ». 500 x min(1, hours / 35), rounded half up
    to the cent (35 hours is the legal full-time week)."""
    if duree_hebdomadaire_heures <= 0:
        raise ValueError(
            f"la durée hebdomadaire doit être positive (reçu : {duree_hebdomadaire_heures})"
        )
    quotite = min(Decimal(1), duree_hebdomadaire_heures / DUREE_HEBDOMADAIRE_TEMPS_COMPLET)
    return (MONTANT_MENSUEL_TEMPS_COMPLET * quotite).quantize(CENTIME, ROUND_HALF_UP)


def duree_en_vigueur(durees: Sequence[tuple[date, Decimal]], jour: date) -> Decimal:
    """Weekly hours in force on `jour` (section 3, « quotité hebdomadaire indiquée dans le
    contrat », as amended): the entry with the latest effective date on or before `jour`."""
    dates = [d for d, _ in durees]
    if len(set(dates)) != len(dates):
        raise ValueError("deux durées hebdomadaires ont la même date d'effet")
    en_vigueur = [(d, h) for d, h in durees if d <= jour]
    if not en_vigueur:
        raise ValueError(f"aucune durée hebdomadaire n'est en vigueur le {jour}")
    return max(en_vigueur)[1]


def montant_aide(
    date_debut_contrat: date,
    mois: Iterable[int],
    durees_hebdomadaires: Sequence[tuple[date, Decimal]],
) -> Decimal:
    """Section 3: the aid for the aided contract months `mois`, month by month.

    Hours may change by amendment during the contract: `durees_hebdomadaires` lists
    (effective date, weekly hours) entries, the first one in force at the start. Each aided
    month is paid `montant_mensuel` of the hours in force on that contract month's first day;
    the sum is exact since each monthly amount is already rounded to the cent. The simple case
    (one weekly-hours value for the whole contract) is one entry dated the contract start:
    the monthly amount times the number of aided months.
    """
    total = Decimal("0.00")
    for k in mois:
        premier_jour = mois_contrat(date_debut_contrat, k).du
        total += montant_mensuel(duree_en_vigueur(durees_hebdomadaires, premier_jour))
    return total


# --- timing and act (sections 3 and 4) -----------------------------------------------------


def date_versement(date_debut_contrat: date, dernier_jour: date) -> date:
    """Section 3: « versée en une seule fois [...] à l'issue du 12ème mois (ou à l'issue du
    terme du contrat s'il intervient avant le 12ème mois) »: min(add_months(start, 12),
    L + 1 day)."""
    return min(add_months(date_debut_contrat, 12), dernier_jour + timedelta(days=1))


def date_limite_demande_paiement(dernier_jour: date) -> date:
    """Section 3: « Dans un délai de 3 mois maximum après la fin du contrat, l'établissement
    employeur réalise sa demande de paiement »: `add_months(L, 3)`."""
    return add_months(dernier_jour, DELAI_DEMANDE_PAIEMENT_MOIS)


def acte_attribution(cumul_aides_annee: Decimal, montant: Decimal) -> Acte:
    """Sections 3 and 4: a convention « lorsque le montant annuel cumulatif des aides
    dépasserait 23 000 € », otherwise an arrêté. `cumul_aides_annee` is the aid already granted
    to the beneficiary in the calendar year; this aid is added to it. « Dépasser » is strict:
    exactly 23 000.00 is an arrêté."""
    return Acte.CONVENTION if cumul_aides_annee + montant > SEUIL_CONVENTION else Acte.ARRETE


PLAFOND_DE_MINIMIS = Decimal("300000.00")
"""Regulation (UE) 2023/2831, which seed 003 section 3 names as one of the aid's frameworks,
art. 3(2): the de minimis aid granted to a single undertaking may not exceed 300 000 EUR over any
period of three years (the seed does not restate the figure)."""


def debut_periode_de_minimis(acte: date) -> date:
    """The first day of the three years that end with an act of `acte`'s date (regulation
    2023/2831 art. 3(2), any period of three years, read as the 36 months up to the act):
    earlier de minimis aids count from that day."""
    return add_months(acte, -36) + timedelta(days=1)


def depasse_plafond_de_minimis(
    aides_service: Decimal, declarees: Decimal, montant: Decimal
) -> bool:
    """The de minimis ceiling: the service's de minimis aids to the SIREN over three years, the
    other de minimis aids the employer declares, and this one, above 300 000 EUR. Exactly the
    ceiling is allowed (« ne peut excéder »)."""
    return aides_service + declarees + montant > PLAFOND_DE_MINIMIS


def siren(siret: str) -> str:
    """The beneficiary of the cumul is the legal person: its SIREN, the first 9 digits of the
    establishment's SIRET (docs/contrat_pro.md, « Cumul annuel par bénéficiaire »)."""
    return siret[:9]


# --- the whole evaluation ------------------------------------------------------------------


@dataclass(frozen=True)
class Evaluation:
    eligible: bool
    motifs: list[Motif]
    mois_aides: tuple[int, ...]
    montant_mensuel: Decimal
    montant: Decimal
    date_limite_demande: date
    date_versement: date
    date_limite_demande_paiement: date
    acte: Acte
    version_regles: str = VERSION_REGLES


def evaluer(faits: FaitsContrat, cumul_aides_annee: Decimal) -> Evaluation:
    """Eligibility (section 2), amount (section 3), dates (section 3) and act (section 4).

    `motifs` holds every failed condition plus `RUPTURE_PREMIER_MOIS` when the contract was
    broken in its first month (still eligible, amount 0). The aided months are computed
    whatever the eligibility; the amount is 0.00 when not eligible. `montant_mensuel` is the
    amount for the hours in force at the start.
    """
    motifs = motifs_ineligibilite(faits)
    eligible = not motifs
    if rupture_premier_mois(faits.date_debut_contrat, faits.date_fin_effective):
        motifs.append(Motif.RUPTURE_PREMIER_MOIS)
    mois = mois_aides(
        faits.date_debut_contrat,
        faits.date_fin_contrat,
        faits.date_fin_effective,
        faits.suspensions_non_remunerees,
    )
    montant = (
        montant_aide(faits.date_debut_contrat, mois, faits.durees_hebdomadaires)
        if eligible
        else Decimal("0.00")
    )
    dernier_jour = dernier_jour_contrat(
        faits.date_debut_contrat, faits.date_fin_contrat, faits.date_fin_effective
    )
    return Evaluation(
        eligible=eligible,
        motifs=motifs,
        mois_aides=mois,
        montant_mensuel=montant_mensuel(
            duree_en_vigueur(faits.durees_hebdomadaires, faits.date_debut_contrat)
        ),
        montant=montant,
        date_limite_demande=date_limite_demande(faits.date_debut_contrat),
        date_versement=date_versement(faits.date_debut_contrat, dernier_jour),
        date_limite_demande_paiement=date_limite_demande_paiement(dernier_jour),
        acte=acte_attribution(cumul_aides_annee, montant),
    )
