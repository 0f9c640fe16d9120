"""A workflow run's status and id, and what it still has pending, on the time-skipping test
server and on the dev server.

`WorkflowHandle.describe()` fails on the test server once the workflow carries a Datetime
search attribute (`ProchaineEcheance`): the test server encodes it in a form the SDK's decoder
does not read (TypeError in `fromisoformat`). The raw describe RPC gives what the tests need.
"""

from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.workflowservice.v1 import DescribeWorkflowExecutionRequest
from temporalio.client import Client, WorkflowExecutionStatus


async def execution(client: Client, workflow_id: str) -> tuple[WorkflowExecutionStatus, str]:
    """(status, run id) of the workflow's latest run."""
    reponse = await client.workflow_service.describe_workflow_execution(
        DescribeWorkflowExecutionRequest(
            namespace=client.namespace, execution=WorkflowExecution(workflow_id=workflow_id)
        )
    )
    info = reponse.workflow_execution_info
    return WorkflowExecutionStatus(info.status), info.execution.run_id


async def longueur_historique(client: Client, workflow_id: str) -> int:
    """The number of events in the history of the workflow's latest run."""
    reponse = await client.workflow_service.describe_workflow_execution(
        DescribeWorkflowExecutionRequest(
            namespace=client.namespace, execution=WorkflowExecution(workflow_id=workflow_id)
        )
    )
    return int(reponse.workflow_execution_info.history_length)


async def en_suspens(client: Client, workflow_id: str) -> list[str]:
    """What the workflow's latest run still has to do: its pending activities (by type) and
    its pending workflow task. Empty once it has processed everything it was sent and waits
    (or is closed)."""
    reponse = await client.workflow_service.describe_workflow_execution(
        DescribeWorkflowExecutionRequest(
            namespace=client.namespace, execution=WorkflowExecution(workflow_id=workflow_id)
        )
    )
    suspens = [f"activité {a.activity_type.name}" for a in reponse.pending_activities]
    if reponse.HasField("pending_workflow_task"):
        suspens.append("tâche de workflow")
    return suspens
