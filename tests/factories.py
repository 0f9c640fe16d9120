"""Test data builders: realistic partner events, every field overridable."""

import itertools
from datetime import UTC, date, datetime, timedelta
from typing import Any

from models.evenements import CloudEvent
from rules.contrat_pro import add_months

_ids = itertools.count(1)

SIRET = "73282932000074"


def contrat_enregistre_data(
    numero: str = "OPCO-2024-000123", debut: date = date(2024, 9, 2), **overrides: Any
) -> dict[str, Any]:
    """A 12-month full-time contract starting on `debut`."""
    data: dict[str, Any] = {
        "numero_contrat": numero,
        "siret_etablissement": SIRET,
        "code_postal_etablissement": "44000",
        "date_debut": debut.isoformat(),
        "date_fin": (add_months(debut, 12) - timedelta(days=1)).isoformat(),
        "duree_hebdomadaire_heures": "35",
        "certification": {"rncp": "35510"},
        "nature_contrat": "standard",
        "date_naissance_salarie": "1985-03-14",
        "demandeur_emploi": True,
    }
    data.update(overrides)
    return data


def contrat_enregistre(
    numero: str = "OPCO-2024-000123",
    debut: date = date(2024, 9, 2),
    event_id: str | None = None,
    **overrides: Any,
) -> CloudEvent:
    return CloudEvent(
        id=event_id or f"opco-evt-{next(_ids)}",
        source="/opco/akto",
        type="opco.contrat-pro.enregistre.v1",
        subject=numero,
        time=datetime(2024, 9, 3, 9, 30, tzinfo=UTC),
        data=contrat_enregistre_data(numero, debut, **overrides),
    )
