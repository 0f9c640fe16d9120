"""The contrat de professionnalisation scheme's workflow (seed 003): `ContratProWorkflow`, one
per contract, in `workflow.py`; its money in `paiement.py`; its deadlines and the decisions its
state allows, pure, in `echeances.py` and `refus.py`."""

from workflows.contrat_pro.workflow import ContratProWorkflow

__all__ = ["ContratProWorkflow"]
