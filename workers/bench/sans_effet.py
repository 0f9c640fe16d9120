"""The floor reference of `guichet bench ingest`: a workflow that applies a partner event by
counting it, and nothing else (one workflow task per event, no activity, no write). Its rate on
a worker is what the engine gives a Python worker that does no work; guichet's end-to-end rate
is compared to it as well as to the raw signal-with-start rate (issue 16, item 3)."""

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from models.evenements import CloudEvent, EntreeDossier

WORKFLOW_SANS_EFFET = "bench-sans-effet"


@workflow.defn(name=WORKFLOW_SANS_EFFET)
class SansEffetWorkflow:
    def __init__(self) -> None:
        self._recus = 0

    @workflow.signal(name="evenement")
    def evenement(self, event: CloudEvent) -> None:
        self._recus += 1

    @workflow.query(name="recus")
    def recus(self) -> int:
        return self._recus

    @workflow.run
    async def run(self, entree: EntreeDossier) -> None:
        await workflow.wait_condition(lambda: False)
