"""The catalogue of partner event types: for each type, its topic, its payload contract and the
dossier workflow it feeds. A scheme plugs in by adding its types here."""

from dataclasses import dataclass

from pydantic import BaseModel

from events import topics
from models import contrat_pro


@dataclass(frozen=True)
class TypeEvenement:
    nom: str
    topic: str
    contrat: type[BaseModel]
    workflow: str
    description: str

    def workflow_id(self, cle: str) -> str:
        return workflow_id(self.workflow, cle)


def workflow_id(workflow: str, cle: str) -> str:
    """The id of the dossier workflow for a business key: `<workflow type>:<key>`."""
    return f"{workflow}:{cle}"


CATALOGUE: dict[str, TypeEvenement] = {
    t.nom: t
    for t in [
        TypeEvenement(
            nom="opco.contrat-pro.enregistre.v1",
            topic=topics.OPCO,
            contrat=contrat_pro.ContratEnregistre,
            workflow=contrat_pro.WORKFLOW,
            description="L'OPCO a enregistré un contrat de professionnalisation.",
        ),
    ]
}
