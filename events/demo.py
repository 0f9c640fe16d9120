"""Realistic partner events for `guichet demo`: a newcomer sees dossiers move right after
`make run`. Each scheme adds its own function to DEMOS. Event ids are fixed, so running the
demo twice applies nothing twice."""

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

from events import topics
from models.evenements import CloudEvent
from rules.contrat_pro import add_months

Demo = Callable[[date], list[tuple[str, bytes | CloudEvent]]]


def _opco(numero: str, debut: date, event_id: str, **overrides: object) -> CloudEvent:
    data: dict[str, object] = {
        "numero_contrat": numero,
        "siret_etablissement": "73282932000074",
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
    return CloudEvent(
        id=event_id,
        source="/opco/akto",
        type="opco.contrat-pro.enregistre.v1",
        subject=numero,
        time=datetime.combine(debut, time(9), tzinfo=UTC),
        data=data,
    )


def contrat_pro(today: date) -> list[tuple[str, bytes | CloudEvent]]:
    recent = _opco("DEMO-CP-0001", today - timedelta(days=20), "demo-opco-0001")
    part_time = _opco(
        "DEMO-CP-0002",
        today - timedelta(days=75),
        "demo-opco-0002",
        duree_hebdomadaire_heures="28",
        code_postal_etablissement="49100",
    )
    old = _opco("DEMO-CP-0003", today - timedelta(days=200), "demo-opco-0003")
    second_registration = _opco(
        "DEMO-CP-0001", today - timedelta(days=10), "demo-opco-0004"
    )  # a second registration for an open dossier: an anomaly for an instructor
    bad_postal_code = _opco(
        "DEMO-CP-0005", today, "demo-opco-0005", code_postal_etablissement="4400"
    )  # refused by its contract: goes to the dead-letter topic
    return [
        (topics.OPCO, recent),
        (topics.OPCO, recent),  # delivered twice, applied once
        (topics.OPCO, part_time),
        (topics.OPCO, old),
        (topics.OPCO, second_registration),
        (topics.OPCO, bad_postal_code),
        (topics.OPCO, b"{ceci n'est pas du JSON"),
    ]


DEMOS: dict[str, Demo] = {"contrat-pro": contrat_pro}
