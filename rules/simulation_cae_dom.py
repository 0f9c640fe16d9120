"""CAE-DOM simulator: one JSON object in, one out (`guichet simulate cae-dom`).

Source: `shared/seeds/004_022d0843bed3b39c.txt` (circular DGEFP n° 2011-02, annexe II and the
CAE-DOM Cerfa); the rules are in `rules.cae_dom`.
"""

from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from rules import cae_dom


def _deux_decimales(montant: Decimal) -> str:
    return f"{montant.quantize(Decimal('0.01')):.2f}"


class RenouvellementSimulation(BaseModel):
    """A renewal (« avenant renouvellement ») to simulate: its new coverage end and the
    employee's situation at the renewal (annexe II, question 3), which the maximum duration is
    evaluated again from, counted from the initial coverage start
    (`date_debut_prise_en_charge`); the date of birth is the convention's."""

    model_config = ConfigDict(extra="forbid")

    date_fin: date = Field(description="nouvelle date de fin de prise en charge")
    formation_qualifiante_en_cours: bool = False
    travailleur_handicape: bool = Field(default=False, description="RQTH")
    beneficiaire_aah: bool = False
    beneficiaire_ass: bool = False
    beneficiaire_rsa: bool = Field(default=False, description="RSA socle")


class EntreeSimulation(BaseModel):
    """A convention to simulate: dates, territory, aid level, hours, the employee's situation
    and, for a recovery, the effective end and what was already paid."""

    model_config = ConfigDict(extra="forbid")

    date_convention: date
    date_embauche: date
    date_debut_prise_en_charge: date
    date_fin_prise_en_charge: date
    date_naissance: date
    date_fin_effective: date | None = None
    departement: str = Field(pattern=r"^\d{3}$", description="e.g. 971")
    niveau_prime_mensuel: Decimal = Field(ge=0, decimal_places=2)
    duree_hebdomadaire_heures: Decimal = Field(gt=0, le=48)
    duree_collective_heures: Decimal = Field(gt=0, le=48)
    beneficiaire_rsa_socle: bool = False
    travailleur_handicape: bool = False
    beneficiaire_aah: bool = False
    beneficiaire_minima_sociaux: bool = False
    formation_qualifiante_en_cours: bool = False
    montant_deja_verse: Decimal = Field(default=Decimal("0"), ge=0, decimal_places=2)
    renouvellement: RenouvellementSimulation | None = None

    @field_validator("renouvellement")
    @classmethod
    def _renouvellement_apres_fin(
        cls, value: RenouvellementSimulation | None, info: ValidationInfo
    ) -> RenouvellementSimulation | None:
        fin: Any = info.data.get("date_fin_prise_en_charge")
        if value is not None and isinstance(fin, date) and value.date_fin <= fin:
            raise ValueError(
                f"renouvellement.date_fin ({value.date_fin.isoformat()}) : un renouvellement "
                f"prolonge la prise en charge au-delà de sa fin ({fin.isoformat()})"
            )
        return value

    @field_validator("date_fin_prise_en_charge")
    @classmethod
    def _fin_apres_debut(cls, value: date, info: ValidationInfo) -> date:
        debut: Any = info.data.get("date_debut_prise_en_charge")
        if isinstance(debut, date) and value < debut:
            raise ValueError(
                f"date_fin_prise_en_charge ({value.isoformat()}) : la fin de la prise en charge "
                f"ne peut précéder son début ({debut.isoformat()})"
            )
        return value


class TrimestreSortie(BaseModel):
    trimestre: str
    du: date
    au: date
    montant: str
    date_paiement: date


class RenouvellementSortie(BaseModel):
    """The renewal's verdict: the new maximum, and what is missing to go beyond it."""

    accepte: bool
    duree_maximale_mois: int
    date_fin_maximale: date
    conditions_manquantes: list[str]
    motifs: list[str]


class SortieSimulation(BaseModel):
    version_regles: str
    eligible: bool
    motifs: list[str]
    duree_maximale_mois: int
    date_fin_maximale: date
    trimestres: list[TrimestreSortie]
    montant_total: str
    montant_a_reverser: str
    renouvellement: RenouvellementSortie | None = None


def simuler_renouvellement(
    entree: EntreeSimulation, renouvellement: RenouvellementSimulation
) -> RenouvellementSortie:
    """The maximum duration at the renewal, from the situation it declares (annexe II,
    question 3 and its footnote (1)), counted from the initial coverage start; refused
    (`DUREE_MAXIMALE_DEPASSEE`) when the new end is beyond it."""
    debut = entree.date_debut_prise_en_charge
    beneficiaire = cae_dom.Beneficiaire(
        date_naissance=entree.date_naissance,
        beneficiaire_rsa_socle=renouvellement.beneficiaire_rsa,
        travailleur_handicape=renouvellement.travailleur_handicape,
        beneficiaire_aah=renouvellement.beneficiaire_aah,
        beneficiaire_minima_sociaux=renouvellement.beneficiaire_ass
        or renouvellement.beneficiaire_rsa
        or renouvellement.beneficiaire_aah,
        formation_qualifiante_en_cours=renouvellement.formation_qualifiante_en_cours,
    )
    duree = cae_dom.duree_maximale_mois(beneficiaire, debut)
    fin_maximale = cae_dom.date_fin_maximale(debut, duree)
    depasse = renouvellement.date_fin > fin_maximale
    return RenouvellementSortie(
        accepte=not depasse,
        duree_maximale_mois=duree,
        date_fin_maximale=fin_maximale,
        conditions_manquantes=cae_dom.conditions_manquantes(beneficiaire, debut),
        motifs=[str(cae_dom.Motif.DUREE_MAXIMALE_DEPASSEE)] if depasse else [],
    )


def simuler(entree: EntreeSimulation) -> SortieSimulation:
    """Eligibility, maximum duration and the quarterly schedule of a CAE-DOM convention.

    Not eligible: no schedule, nothing due, and everything already paid is to be recovered
    (Cerfa: « En cas de non exécution de la présente convention, les sommes déjà versées font
    l'objet d'un ordre de reversement »). Eligible: the schedule runs to the effective end if
    there is one; what was paid beyond the sum of the quarters is to be recovered.
    """
    beneficiaire = cae_dom.Beneficiaire(
        date_naissance=entree.date_naissance,
        beneficiaire_rsa_socle=entree.beneficiaire_rsa_socle,
        travailleur_handicape=entree.travailleur_handicape,
        beneficiaire_aah=entree.beneficiaire_aah,
        beneficiaire_minima_sociaux=entree.beneficiaire_minima_sociaux,
        formation_qualifiante_en_cours=entree.formation_qualifiante_en_cours,
    )
    debut = entree.date_debut_prise_en_charge
    duree = cae_dom.duree_maximale_mois(beneficiaire, debut)
    motifs = cae_dom.motifs_refus(
        departement=entree.departement,
        date_convention=entree.date_convention,
        date_embauche=entree.date_embauche,
        debut_prise_en_charge=debut,
        fin_prise_en_charge=entree.date_fin_prise_en_charge,
        beneficiaire=beneficiaire,
    )
    echeances: list[cae_dom.EcheanceTrimestrielle] = []
    if not motifs:
        parametres = cae_dom.ParametresAide(
            debut=debut,
            fin=entree.date_fin_prise_en_charge,
            niveau_prime_mensuel=entree.niveau_prime_mensuel,
            duree_hebdomadaire=Fraction(entree.duree_hebdomadaire_heures),
            duree_collective=Fraction(entree.duree_collective_heures),
        )
        echeances = cae_dom.echeancier(parametres, entree.date_fin_effective)
    total = cae_dom.montant_total(echeances)
    a_reverser = cae_dom.reste_a_reverser(entree.montant_deja_verse, total)
    return SortieSimulation(
        version_regles=cae_dom.VERSION_REGLES,
        eligible=not motifs,
        motifs=[str(m) for m in motifs],
        duree_maximale_mois=duree,
        date_fin_maximale=cae_dom.date_fin_maximale(debut, duree),
        trimestres=[
            TrimestreSortie(
                trimestre=e.trimestre,
                du=e.du,
                au=e.au,
                montant=_deux_decimales(e.montant),
                date_paiement=e.date_paiement,
            )
            for e in echeances
        ],
        montant_total=_deux_decimales(total),
        montant_a_reverser=_deux_decimales(a_reverser),
        renouvellement=None
        if entree.renouvellement is None
        else simuler_renouvellement(entree, entree.renouvellement),
    )
