"""Outbound events: what a workflow tells partners and the rest of the service."""

import structlog
from temporalio import activity

from events.publisher import Publisher, encode
from models.evenements import CloudEvent, EvenementSortant

SOURCE = "/guichet"

log = structlog.get_logger(__name__)


class PublicationActivities:
    def __init__(self, publisher: Publisher) -> None:
        self._publisher = publisher

    @activity.defn(name="publier_evenement")
    async def publier_evenement(self, sortant: EvenementSortant) -> EvenementSortant:
        """Publish on Kafka, keyed by the dossier key; returns what it published (run as a
        local activity, its marker in the history keeps it).

        The event id is chosen by the workflow (deterministic), so a retried activity that
        publishes twice gives consumers the same id to deduplicate on.
        """
        await publier(self._publisher, sortant)
        return sortant


async def publier(publisher: Publisher, sortant: EvenementSortant) -> None:
    """Publish `sortant` on its topic, keyed by the dossier key."""
    event = CloudEvent(
        id=sortant.id,
        source=SOURCE,
        type=sortant.type,
        subject=sortant.subject,
        time=sortant.time,
        data=sortant.data,
    )
    await publisher.publish(sortant.topic, sortant.subject, encode(event))
    log.info(
        "evenement_publie",
        topic=sortant.topic,
        dossier=sortant.subject,
        event_id=sortant.id,
        type=sortant.type,
    )
