"""Aide au contrat de professionnalisation, Pays de la Loire.

Source: `shared/seeds/003_78a5ddbbdc7b9add.txt`, règlement d'intervention in force on
1 April 2024. Pure functions: no clock, no I/O; dates are passed in.
"""

from datetime import date

from dateutil.relativedelta import relativedelta

DELAI_DEMANDE_MOIS = 3


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
