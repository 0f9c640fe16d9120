"""The CloudEvents 1.0 envelope every partner event travels in, and what a workflow publishes.

Shared by the consumer (which parses and validates it) and the workflows (which receive it as a
signal argument), so it lives here with the other sandbox-safe models.
"""

from datetime import datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class CloudEvent(BaseModel):
    """A CloudEvents 1.0 event in structured JSON mode (https://cloudevents.io, spec v1.0)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    specversion: Literal["1.0"] = "1.0"
    id: str = Field(min_length=1, max_length=200, description="Unique per source")
    source: str = Field(
        min_length=1,
        max_length=200,
        description="Who sent it, e.g. /opco/akto (becomes the audit line's author: 200 at most)",
    )
    type: str = Field(
        min_length=1, max_length=100, description="Event type and version, see the catalogue"
    )
    subject: str = Field(min_length=1, max_length=100, description="The dossier's business key")
    time: AwareDatetime
    datacontenttype: Literal["application/json"] = "application/json"
    data: dict[str, Any]


class EntreeDossier(BaseModel):
    """Input of every dossier workflow: its business key; the facts arrive as events.

    `reprise` carries the state over a continue-as-new (the scheme's state model, as JSON).
    """

    cle: str
    reprise: dict[str, Any] | None = None


class EvenementSortant(BaseModel):
    """An event a workflow publishes (notification, payment order, dossier status)."""

    topic: str
    id: str
    type: str
    subject: str
    time: datetime
    data: dict[str, Any]
