"""The contrat-pro demo: OPCO and portal events for a few dossiers, a duplicate, an anomaly
and two records for the dead-letter topic."""

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from events import topics
from events.catalogue import CATALOGUE
from models.evenements import CloudEvent
from rules.contrat_pro import add_months

_SOURCES = {"opco": "/opco/akto", "portail": "/portail-aides/pays-de-la-loire", "asp": "/asp"}
_TOPICS = {"opco": topics.OPCO, "portail": topics.PORTAIL, "asp": topics.ASP}


def _event(
    type_: str, numero: str, n: int, jour: date, data: dict[str, Any]
) -> tuple[str, CloudEvent]:
    partenaire = type_.split(".", 1)[0]
    return _TOPICS[partenaire], CloudEvent(
        id=f"demo-{numero}-{n}",
        source=_SOURCES[partenaire],
        type=type_,
        subject=numero,
        time=datetime.combine(jour, time(9), tzinfo=UTC),
        data=data,
    )


def _contrat(numero: str, debut: date, **overrides: Any) -> dict[str, Any]:
    """The catalogue's example contract, renumbered, for 12 months from `debut`."""
    data = dict(CATALOGUE["opco.contrat-pro.enregistre.v1"].exemple)
    data.update(
        numero_contrat=numero,
        date_debut=debut.isoformat(),
        date_fin=(add_months(debut, 12) - timedelta(days=1)).isoformat(),
    )
    data.update(overrides)
    return data


def _demande(jour: date, **overrides: Any) -> dict[str, Any]:
    """The catalogue's example request (complete, eligible), filed on `jour`."""
    data = dict(CATALOGUE["portail.contrat-pro.demande-deposee.v1"].exemple)
    data["date_demande"] = jour.isoformat()
    data.update(overrides)
    return data


def contrat_pro(today: date) -> list[tuple[str, bytes | CloudEvent]]:
    """Five contracts at different stages, plus what partners get wrong."""
    enregistre, demande = "opco.contrat-pro.enregistre.v1", "portail.contrat-pro.demande-deposee.v1"
    d1, d2, d3 = today - timedelta(days=20), today - timedelta(days=75), today - timedelta(days=200)
    d4 = today - timedelta(days=40)
    records: list[tuple[str, bytes | CloudEvent]] = [
        # waiting for the employer's request; reminders will go out before the deadline
        _event(enregistre, "DEMO-CP-0001", 1, d1, _contrat("DEMO-CP-0001", d1)),
        # part time, request filed: in instruction, waiting for a decision (6 000 x 28/35)
        _event(
            enregistre,
            "DEMO-CP-0002",
            1,
            d2,
            _contrat(
                "DEMO-CP-0002",
                d2,
                duree_hebdomadaire_heures="28",
                code_postal_etablissement="49100",
            ),
        ),
        _event(demande, "DEMO-CP-0002", 2, today, _demande(today - timedelta(days=5))),
        # no request within 3 months: time-barred at once
        _event(enregistre, "DEMO-CP-0003", 1, d3, _contrat("DEMO-CP-0003", d3)),
        # request without documents: an instructor will ask for them
        _event(enregistre, "DEMO-CP-0004", 1, d4, _contrat("DEMO-CP-0004", d4)),
        _event(demande, "DEMO-CP-0004", 2, today, _demande(today, documents=[])),
    ]
    recent = records[0]
    records += [
        recent,  # delivered twice, applied once
        # a second registration for an open dossier: an anomaly for an instructor
        _event(enregistre, "DEMO-CP-0001", 9, today, _contrat("DEMO-CP-0001", today)),
        # refused by its contract (postal code): goes to the dead-letter topic
        _event(
            enregistre,
            "DEMO-CP-0005",
            1,
            today,
            _contrat("DEMO-CP-0005", today, code_postal_etablissement="4400"),
        ),
    ]
    records.append((topics.OPCO, b"{ceci n'est pas du JSON"))
    return records
