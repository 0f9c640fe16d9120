"""The data subject's rights served through the workflows (GDPR articles 16 and 18): a
rectification and a restriction of processing reach a dossier's workflow as events like any
other (the `evenement` signal, deduplicated by id, audited with their author), sent by
`guichet rgpd` (workers/services/rgpd.py) with source `/guichet/rgpd/<user>`.

Generic across schemes: each workflow says which fields it lets rectify. Not partner events:
they never travel on a partner topic, so they are not in the partner catalogue.
"""

from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

RECTIFICATION = "guichet.rgpd.rectification.v1"
LIMITATION = "guichet.rgpd.limitation.v1"
LEVEE_LIMITATION = "guichet.rgpd.levee-limitation.v1"
TYPES = frozenset({RECTIFICATION, LIMITATION, LEVEE_LIMITATION})
"""Applied even while processing is restricted (a restriction often waits for a correction)."""
SOURCE = "/guichet/rgpd"


class DemandeRgpd(BaseModel):
    model_config = ConfigDict(extra="forbid")

    motif: str = Field(min_length=1, max_length=2000, description="why (the person's request)")
    auteur: str = Field(min_length=1, max_length=100, description="the admin who acts")


class Rectification(DemandeRgpd):
    """Correct one personal field of the dossier (GDPR art. 16). The value never goes to the
    audit log or the logs: only the field's name and the reason do."""

    champ: str = Field(min_length=1, max_length=200, description="e.g. date_naissance_salarie")
    valeur: Any = Field(description="the corrected value, as JSON")


class Limitation(DemandeRgpd):
    """Restrict processing (GDPR art. 18): the dossier keeps its data, its timers are held and
    no decision or partner event is applied until the restriction is lifted."""


class LeveeLimitation(DemandeRgpd):
    """Lift the restriction: held partner events are applied, timers run again."""


class LimitationEnCours(BaseModel):
    depuis: AwareDatetime
    motif: str
    auteur: str
    evenement_id: str


class EtatRgpd(BaseModel):
    """What the workflow's `rgpd` query returns."""

    limitation: LimitationEnCours | None = None
    rectifications: list[str] = Field(default_factory=list)
    """Event ids of the rectifications applied."""
    refus: dict[str, str] = Field(default_factory=dict)
    """Event id -> why a rectification or restriction event was not applied."""
