"""What the API, the console and the CLI need to know of each dossier workflow type.

One `Regime` per workflow type: its state model (the `etat` query), its decision model (the
`decider` update) if instructors decide on it, and how a supporting document reaches it (a
partner event of its own, if the scheme has one). Everything else is read generically from the
state: `anomalies`, `documents`, `evaluation` (the rule version and inputs behind the figures).
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from models import are, cae_dom, contrat_pro, exapro


@dataclass(frozen=True)
class Regime:
    workflow: str
    libelle: str
    etat: type[BaseModel]
    decision: type[BaseModel] | None = None
    """The `decider` update's argument; None: instructors take no decision on this type."""
    types_decision: tuple[str, ...] = ()
    evenement_document: str | None = None
    """The partner event type that tells the workflow a document was added, if any."""
    donnees_document: Callable[[str, str], dict[str, Any]] | None = None
    """(document type, storage reference) -> the event's data."""
    types_document: tuple[str, ...] = ("autre",)


def _document_contrat_pro(type_document: str, reference: str) -> dict[str, Any]:
    return {"document": {"type": type_document, "reference": reference}}


REGIMES: Mapping[str, Regime] = {
    r.workflow: r
    for r in [
        Regime(
            workflow=contrat_pro.WORKFLOW,
            libelle="Aide au contrat de professionnalisation (Pays de la Loire)",
            etat=contrat_pro.EtatContratPro,
            decision=contrat_pro.Decision,
            types_decision=tuple(t.value for t in contrat_pro.TypeDecision),
            evenement_document="portail.contrat-pro.document-ajoute.v1",
            donnees_document=_document_contrat_pro,
            types_document=tuple(t.value for t in contrat_pro.TypeDocument),
        ),
        Regime(
            workflow=cae_dom.WORKFLOW,
            libelle="CAE-DOM",
            etat=cae_dom.EtatCaeDom,
            decision=cae_dom.DecisionCaeDom,
            types_decision=tuple(t.value for t in cae_dom.TypeDecisionCaeDom),
        ),
        Regime(
            workflow=are.WORKFLOW_CAMPAGNE,
            libelle="ARE: campagne annuelle",
            etat=are.EtatCampagne,
            decision=are.DecisionCampagne,
            types_decision=tuple(t.value for t in are.TypeDecisionCampagne),
        ),
        Regime(
            workflow=are.WORKFLOW_COMPLEMENT,
            libelle="ARE: demande complémentaire",
            etat=are.EtatComplement,
            decision=are.DecisionComplement,
            types_decision=tuple(t.value for t in are.TypeDecisionComplement),
        ),
        Regime(
            workflow=are.WORKFLOW_BILAN,
            libelle="ARE: bilan de fin d'année",
            etat=are.EtatBilan,
            decision=are.DecisionBilan,
            types_decision=tuple(t.value for t in are.TypeDecisionBilan),
        ),
        Regime(
            workflow=exapro.WORKFLOW,
            libelle="EXAPRO: import de fichier",
            etat=exapro.EtatImportExapro,
        ),
    ]
}


def regime(workflow: str) -> Regime | None:
    return REGIMES.get(workflow)
