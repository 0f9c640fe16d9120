"""Creating the topics the service reads and writes."""

import contextlib
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from events import topics


async def ensure_topics(bootstrap_servers: str, partitions: int = 3, **connexion: Any) -> list[str]:
    """Create every topic of `events.topics` that is missing; return the ones created.
    `connexion`: aiokafka's security arguments (`workers.runtime.connexions`)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, **connexion)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [name for name in topics.TOUS if name not in existing]
        for name in missing:
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics([NewTopic(name, partitions, replication_factor=1)])
        return missing
    finally:
        await admin.close()
