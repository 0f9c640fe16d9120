"""Fakes that record: activities registered under the real names (what workflows asked for),
and a publisher standing for Kafka."""

from collections.abc import Callable
from typing import Any

from temporalio import activity

from events.publisher import Headers
from models.dossier import Enregistrement, EntreeAudit, ProjectionDossier
from models.evenements import CloudEvent, EvenementSortant


class FakePublisher:
    """Stands for Kafka: records what is published, decoded (every value is a CloudEvent)."""

    def __init__(self) -> None:
        self.records: list[tuple[str, str, CloudEvent]] = []

    async def publish(self, topic: str, key: str, value: bytes, headers: Headers = ()) -> None:
        self.records.append((topic, key, CloudEvent.model_validate_json(value)))

    def ids(self) -> list[str]:
        return [event.id for _, _, event in self.records]


class FakeActivities:
    def __init__(self) -> None:
        self.published: list[EvenementSortant] = []
        self.projections: list[ProjectionDossier] = []
        self.audit: list[EntreeAudit] = []

    @activity.defn(name="publier_evenement")
    async def publier_evenement(self, sortant: EvenementSortant) -> EvenementSortant:
        self.published.append(sortant)
        return sortant

    @activity.defn(name="enregistrer_dossier")
    async def enregistrer_dossier(self, enregistrement: Enregistrement) -> Enregistrement:
        self.published.extend(enregistrement.publications)
        self.audit.extend(enregistrement.audit)
        self.projections.append(enregistrement.projection)
        return enregistrement

    def all(self) -> list[Callable[..., Any]]:
        return [self.publier_evenement, self.enregistrer_dossier]

    def about(self, subject: str) -> list[EvenementSortant]:
        return [event for event in self.published if event.subject == subject]

    def types(self, subject: str) -> list[str]:
        return [event.type for event in self.about(subject)]

    def last_projection(self, reference: str) -> ProjectionDossier:
        return [p for p in self.projections if p.reference == reference][-1]
