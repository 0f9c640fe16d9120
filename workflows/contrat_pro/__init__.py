"""The contrat de professionnalisation scheme's workflows (seed 003): `ContratProWorkflow`, one
per contract, in `workflow.py`; its money in `paiement.py`; its deadlines and the decisions its
state allows, pure, in `echeances.py` and `refus.py`. `CumulContratProWorkflow`, in `cumul.py`:
the yearly ledger of a beneficiary's aids."""

from workflows.contrat_pro.cumul import CumulContratProWorkflow
from workflows.contrat_pro.workflow import ContratProWorkflow

__all__ = ["ContratProWorkflow", "CumulContratProWorkflow"]
