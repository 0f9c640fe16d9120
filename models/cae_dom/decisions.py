"""The CAE-DOM instructor decisions (update `decider`), issue 18.

The seed (circular DGEFP n° 2011-02) sets no attendance statement and no instructor act beyond
the convention and the « ordre de reversement »; these decisions are our choice
(docs/cae_dom.md, « Attendance statements: deadline and decisions »): once a quarter's
statement is past its deadline, an instructor pays it on the contract's hours, suspends the
payments with a motive, or ends the convention (the recovery path); a dossier nothing moves any
more is closed. Which decision the state allows is decided by `workflows/cae_dom/refus.py`.
"""

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

from models.cae_dom.commun import _refus
from rules import cae_dom


class TypeDecisionCaeDom(StrEnum):
    PAYER_HEURES_DECLAREES = "payer_heures_declarees"
    """Pay a quarter in instruction on the contract's hours, as if its statement declared no
    absence."""
    SUSPENDRE_PAIEMENTS = "suspendre_paiements"
    """No payment order while suspended (statements are still liquidated); motive required."""
    REPRENDRE_PAIEMENTS = "reprendre_paiements"
    """Payments resume: every quarter held meanwhile is ordered."""
    METTRE_FIN = "mettre_fin"
    """End the convention at `date_fin_effective`: the ASP's rupture path (recovery)."""
    CLORE = "clore"
    """Close a dossier that nothing moves: never registered, or broken with what remains left
    to the ASP; motive required."""


class DecisionCaeDom(BaseModel):
    """An instructor's decision on a CAE-DOM convention, through the `decider` update."""

    model_config = ConfigDict(extra="forbid")

    type: TypeDecisionCaeDom
    auteur: str = Field(min_length=1, max_length=200)
    motif: str | None = Field(default=None, max_length=2000)
    trimestre: str | None = Field(
        default=None, description="trimestre à payer (payer_heures_declarees), AAAA-Tn"
    )
    date_fin_effective: date | None = Field(
        default=None, description="dernier jour d'exécution de la convention (mettre_fin)"
    )

    @field_validator("trimestre")
    @classmethod
    def _trimestre(cls, value: str | None) -> str | None:
        if value is None:
            return value
        try:
            return cae_dom.Trimestre.depuis_libelle(value.strip()).libelle
        except ValueError as exc:
            raise _refus(
                "trimestre", value, "format attendu AAAA-Tn, n de 1 à 4 (par exemple 2024-T2)"
            ) from exc
