"""The daily retention job (GDPR storage limitation), started by a Temporal Schedule
(`workers/runtime/retention.py`: `assurer_planification`).

Each run takes today's date in Europe/Paris from the workflow clock, asks which closed
dossiers are past their retention period (`rules/retention.py`), and purges them one by one
(`activities/retention.py`), each purge written to the audit log. Orchestration only.
"""

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from activities.retention import RetentionActivities
    from models.retention import (
        BilanRetention,
        EntreeRetention,
        PurgeDemandee,
        RechercheEchus,
    )
    from rules.calendrier import PARIS

WORKFLOW = "retention"
TIMEOUT = timedelta(minutes=5)


@workflow.defn(name=WORKFLOW)
class RetentionWorkflow:
    @workflow.run
    async def run(self, entree: EntreeRetention) -> BilanRetention:
        aujourdhui = workflow.now().astimezone(PARIS).date()
        echus = await workflow.execute_activity_method(
            RetentionActivities.dossiers_a_purger,
            RechercheEchus(aujourdhui=aujourdhui, limite=entree.lot),
            start_to_close_timeout=TIMEOUT,
            retry_policy=RetryPolicy(maximum_interval=timedelta(minutes=5)),
        )
        bilan = BilanRetention(aujourdhui=aujourdhui)
        for echu in echus:
            fait = await workflow.execute_activity_method(
                RetentionActivities.purger_dossier,
                PurgeDemandee(
                    cle=echu.cle,
                    fin_conservation=echu.fin_conservation,
                    aujourdhui=aujourdhui,
                    quand=workflow.now(),
                ),
                start_to_close_timeout=TIMEOUT,
                retry_policy=RetryPolicy(maximum_interval=timedelta(minutes=5)),
            )
            if fait.purge:
                bilan.purges.append(fait.cle)
                bilan.documents_supprimes += len(fait.documents)
        if len(echus) >= entree.lot:
            workflow.continue_as_new(entree)  # a backlog: the next batch, fresh history
        return bilan
