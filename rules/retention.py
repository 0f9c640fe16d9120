"""When a dossier's personal data must be purged (GDPR storage limitation).

Reference data: `rules/data/retention.csv`, one row per scheme (workflow type): how many
years, counted from which event, and where that comes from. Contrat-pro: seed
`003_78a5ddbbdc7b9add.txt`, section 4 (« conserver [...] pendant une durée de 10 ans à compter
du versement de l'aide ») and section 5 (GDPR); the others are the guichet's choices, each
written in its row's `source` and in docs/rgpd.md.

Pure: the caller passes the dates and `today`.
"""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from dateutil.relativedelta import relativedelta

from rules.reference import read_csv


class Ancrage(StrEnum):
    DERNIER_PAIEMENT = "dernier_paiement"
    """From the last payment executed; a dossier never paid counts from its closing."""
    CLOTURE = "cloture"
    """From the day the dossier closed (its workflow reached a final status)."""


@dataclass(frozen=True)
class RegleConservation:
    dispositif: str
    annees: int
    ancrage: Ancrage
    source: str


def regles_conservation() -> dict[str, RegleConservation]:
    """Every scheme's retention rule, by workflow type."""
    return {
        ligne["dispositif"]: RegleConservation(
            dispositif=ligne["dispositif"],
            annees=int(ligne["annees"]),
            ancrage=Ancrage(ligne["ancrage"]),
            source=ligne["source"],
        )
        for ligne in read_csv("retention.csv")
    }


def fin_conservation(
    regle: RegleConservation, *, cloture: date | None, dernier_paiement: date | None
) -> date | None:
    """The last day the dossier's personal data is kept; None while the dossier is open
    (retention has not started: the data is still needed to instruct and pay)."""
    if cloture is None:
        return None
    ancre = cloture
    if regle.ancrage is Ancrage.DERNIER_PAIEMENT and dernier_paiement is not None:
        ancre = dernier_paiement
    return ancre + relativedelta(years=regle.annees)


def conservation_echue(
    regle: RegleConservation, *, cloture: date | None, dernier_paiement: date | None, today: date
) -> bool:
    """Whether the personal data must be purged on `today` (the day after the last day kept
    and later)."""
    fin = fin_conservation(regle, cloture=cloture, dernier_paiement=dernier_paiement)
    return fin is not None and today > fin
