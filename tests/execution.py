"""A workflow run's status and id on the time-skipping test server.

`WorkflowHandle.describe()` fails there once the workflow carries a Datetime search attribute
(`ProchaineEcheance`): the test server encodes it in a form the SDK's decoder does not read
(TypeError in `fromisoformat`). The raw describe RPC gives what the tests need.
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
