"""Fake activities registered under the real names: they record what workflows asked for."""

from collections.abc import Callable
from typing import Any

from temporalio import activity

from models.dossier import Enregistrement, EntreeAudit, ProjectionDossier
from models.evenements import EvenementSortant


class FakeActivities:
    def __init__(self) -> None:
        self.published: list[EvenementSortant] = []
        self.projections: list[ProjectionDossier] = []
        self.audit: list[EntreeAudit] = []

    @activity.defn(name="publier_evenement")
    async def publier_evenement(self, sortant: EvenementSortant) -> None:
        self.published.append(sortant)

    @activity.defn(name="enregistrer_dossier")
    async def enregistrer_dossier(self, enregistrement: Enregistrement) -> None:
        self.audit.extend(enregistrement.audit)
        self.projections.append(enregistrement.projection)

    def all(self) -> list[Callable[..., Any]]:
        return [self.publier_evenement, self.enregistrer_dossier]

    def about(self, subject: str) -> list[EvenementSortant]:
        return [event for event in self.published if event.subject == subject]

    def types(self, subject: str) -> list[str]:
        return [event.type for event in self.about(subject)]

    def last_projection(self, reference: str) -> ProjectionDossier:
        return [p for p in self.projections if p.reference == reference][-1]
