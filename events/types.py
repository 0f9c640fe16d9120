"""What the catalogue says of an event type (see `events/catalogue.py`)."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel


@dataclass(frozen=True)
class TypeEvenement:
    """A partner event type, delivered to a dossier workflow."""

    nom: str
    topic: str
    contrat: type[BaseModel]
    workflow: str
    description: str
    exemple: Mapping[str, Any]
    dispositif: str = ""
    """The scheme users are scoped to, when it is not the workflow type (a contrat-pro
    convention's statement goes to the SIREN's ledger, `contrat-pro-cumul`)."""

    def workflow_id(self, cle: str) -> str:
        return workflow_id(self.workflow, cle)

    def perimetre(self) -> str:
        """The scheme whose users see this type's dead letters."""
        return self.dispositif or self.workflow


@dataclass(frozen=True)
class TypeSortant:
    """An event type guichet publishes."""

    nom: str
    topic: str
    contrat: type[BaseModel]
    description: str
    exemple: Mapping[str, Any]


def workflow_id(workflow: str, cle: str) -> str:
    """The id of the dossier workflow for a business key: `<workflow type>:<key>`."""
    return f"{workflow}:{cle}"
