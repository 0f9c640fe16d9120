"""What the ARE models share: the workflow types, the academies, the field checks (French
messages naming the field, the value and the rule), amounts per envelope."""

from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator

from rules.are import Enveloppe, annee_valide, code_diplome_valide, uai_valide, version_regle

WORKFLOW_CAMPAGNE = "are-campagne"
WORKFLOW_COMPLEMENT = "are-complement"
WORKFLOW_BILAN = "are-bilan"

ACADEMIES = ("PARIS", "CRETEIL", "VERSAILLES")
"""The three rectorats of Île-de-France that send the stabilised enrolments (both seeds,
« communiqués par les trois rectorats »)."""

ZERO = Decimal("0.00")


# --- field checks (French messages naming the field, the value and the rule) ---------------


def verifier_uai(valeur: str, champ: str = "uai") -> str:
    if not uai_valide(valeur):
        raise ValueError(
            f"{champ} « {valeur} » invalide : un UAI compte 7 chiffres et une lettre majuscule"
        )
    return valeur


def verifier_code_diplome(valeur: str, champ: str = "code_diplome") -> str:
    if not code_diplome_valide(valeur):
        raise ValueError(f"{champ} « {valeur} » invalide : un code diplôme compte 8 chiffres")
    return valeur


def verifier_annee_connue(valeur: str) -> str:
    """A school year the allocation rules know (`rules.are.VERSIONS_REGLE`)."""
    version_regle(valeur)  # raises a French message naming the value and the known years
    return valeur


def verifier_annee(valeur: str) -> str:
    if not annee_valide(valeur):
        raise ValueError(
            f"annee_scolaire « {valeur} » invalide : format attendu AAAA-AAAA+1 (ex. 2023-2024)"
        )
    return valeur


def verifier_montant(valeur: Decimal, champ: str, *, positif: bool = True) -> Decimal:
    """A euro amount: finite, at most two decimals (kept as cents), positive unless allowed."""
    if not valeur.is_finite():
        raise ValueError(f"{champ} « {valeur} » n'est pas un montant")
    if positif and valeur < 0:
        raise ValueError(f"{champ} « {valeur} » ne peut pas être négatif")
    exposant = valeur.as_tuple().exponent
    if isinstance(exposant, int) and exposant < -2:
        raise ValueError(f"{champ} « {valeur} » : deux décimales au plus (montant en euros)")
    return valeur.quantize(Decimal("0.01"))


def annee_suivante(annee_scolaire: str) -> str:
    """« 2023-2024 » → « 2024-2025 »."""
    debut = int(verifier_annee(annee_scolaire)[:4]) + 1
    return f"{debut}-{debut + 1}"


def fin_annee_scolaire(annee_scolaire: str) -> date:
    """The day the school year is over and the spending report is asked for: 1 July of its
    second calendar year (seeds: « à l'issue de l'année scolaire »; the date is our reading)."""
    return date(int(verifier_annee(annee_scolaire)[5:]), 7, 1)


class _Modele(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Montants(_Modele):
    """An amount per envelope, in euros (the two envelopes are never merged)."""

    pre_bac: Decimal = ZERO
    post_bac: Decimal = ZERO

    @field_validator("pre_bac", "post_bac")
    @classmethod
    def _montant(cls, valeur: Decimal, info: ValidationInfo) -> Decimal:
        return verifier_montant(valeur, str(info.field_name))

    def de(self, enveloppe: Enveloppe) -> Decimal:
        return self.pre_bac if enveloppe is Enveloppe.PRE_BAC else self.post_bac

    @property
    def total(self) -> Decimal:
        return self.pre_bac + self.post_bac

    def plus(self, autre: "Montants") -> "Montants":
        return Montants(
            pre_bac=self.pre_bac + autre.pre_bac, post_bac=self.post_bac + autre.post_bac
        )

    def par_enveloppe(self) -> dict[Enveloppe, Decimal]:
        return {Enveloppe.PRE_BAC: self.pre_bac, Enveloppe.POST_BAC: self.post_bac}

    @classmethod
    def depuis(cls, montants: Any) -> "Montants":
        """From a mapping Enveloppe → amount (what `rules.are` returns)."""
        return cls(
            pre_bac=montants.get(Enveloppe.PRE_BAC, ZERO),
            post_bac=montants.get(Enveloppe.POST_BAC, ZERO),
        )


def texte_montant(montant: Decimal) -> str:
    """« 1 510,00 € »: French formatting for messages (thin spaces would be nicer; plain
    spaces keep the text searchable)."""
    signe = "-" if montant < 0 else ""
    entier, decimales = f"{abs(montant):.2f}".split(".")
    groupes: list[str] = []
    while entier:
        groupes.insert(0, entier[-3:])
        entier = entier[:-3]
    return f"{signe}{' '.join(groupes)},{decimales} €"
