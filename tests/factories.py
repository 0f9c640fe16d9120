"""Test data builders: realistic partner events, every field overridable."""

import itertools
from datetime import UTC, date, datetime, timedelta
from typing import Any

from models.evenements import CloudEvent
from rules.contrat_pro import add_months

_ids = itertools.count(1)

SIRET = "73282932000074"

SOURCES = {"opco": "/opco/akto", "portail": "/portail-aides/pays-de-la-loire", "asp": "/asp"}


def evenement(
    type_: str, numero: str, data: dict[str, Any], event_id: str | None = None
) -> CloudEvent:
    """A CloudEvent of `type_` (e.g. `opco.contrat-pro.rompu.v1`) for dossier `numero`."""
    return CloudEvent(
        id=event_id or f"evt-{next(_ids)}",
        source=SOURCES[type_.split(".", 1)[0]],
        type=type_,
        subject=numero,
        time=datetime(2024, 9, 3, 9, 30, tzinfo=UTC),
        data=data,
    )


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
    return evenement(
        "opco.contrat-pro.enregistre.v1",
        numero,
        contrat_enregistre_data(numero, debut, **overrides),
        event_id,
    )


def demande_deposee(numero: str, date_demande: date, **overrides: Any) -> CloudEvent:
    """The employer's complete, eligible request with the two required documents."""
    data: dict[str, Any] = {
        "date_demande": date_demande.isoformat(),
        "dans_effectif_6_mois": False,
        "employeur_a_jour": True,
        "licenciement_economique_6_mois": False,
        "cumul_aides_annee": "0",
        "documents": [
            {"type": "cerfa", "reference": f"{numero}-cerfa"},
            {"type": "decision_prise_en_charge_opco", "reference": f"{numero}-opco"},
        ],
    }
    data.update(overrides)
    return evenement("portail.contrat-pro.demande-deposee.v1", numero, data)
