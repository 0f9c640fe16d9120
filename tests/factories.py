"""Test data builders: realistic partner events, every field overridable."""

import itertools
from datetime import UTC, date, datetime, timedelta
from typing import Any

from events.catalogue import CATALOGUE
from models.evenements import CloudEvent
from rules.contrat_pro import add_months

_ids = itertools.count(1)

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
    """The catalogue's example contract, renumbered, for 12 months from `debut`."""
    data = dict(CATALOGUE["opco.contrat-pro.enregistre.v1"].exemple)
    data["numero_contrat"] = numero
    data["date_debut"] = debut.isoformat()
    data["date_fin"] = (add_months(debut, 12) - timedelta(days=1)).isoformat()
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
    """The catalogue's example request (complete, eligible, both required documents)."""
    data = dict(CATALOGUE["portail.contrat-pro.demande-deposee.v1"].exemple)
    data["date_demande"] = date_demande.isoformat()
    data.update(overrides)
    return evenement("portail.contrat-pro.demande-deposee.v1", numero, data)
