"""The daily retention schedule on the dev server: created once, found again at the next
worker start, daily at 03:00 Europe/Paris."""

import contextlib
import itertools
import uuid

import pytest
from temporalio.service import RPCError

from rules.calendrier import PARIS
from workers.runtime.retention import PLANIFICATION, assurer_planification
from workers.runtime.temporal import connect

pytestmark = pytest.mark.integration


async def test_the_retention_schedule_is_created_once_and_runs_daily_in_paris_time(
    temporal_dev_server: str,
) -> None:
    client = await connect(temporal_dev_server, "default")
    task_queue = f"retention-{uuid.uuid4()}"
    # The session's dev server is shared: a worker started by another test created it already.
    with contextlib.suppress(RPCError):
        await client.get_schedule_handle(PLANIFICATION).delete()
    premier = await assurer_planification(client, task_queue)
    second = await assurer_planification(client, task_queue)
    description = await client.get_schedule_handle(PLANIFICATION).describe()
    await client.get_schedule_handle(PLANIFICATION).delete()
    assert (premier, second) == (True, False)
    assert description.schedule.spec.time_zone_name == "Europe/Paris"
    prochains = [t.astimezone(PARIS) for t in description.info.next_action_times[:3]]
    assert [(t.hour, t.minute) for t in prochains] == [(3, 0)] * 3
    assert [(b.date() - a.date()).days for a, b in itertools.pairwise(prochains)] == [1, 1]
