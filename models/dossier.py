"""What every dossier workflow hands to the read model, whatever its scheme."""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from models.evenements import EvenementSortant


class ProjectionDossier(BaseModel):
    """The dossier's row in the read model, as of projection number `version`."""

    cle: str
    dispositif: str
    reference: str
    statut: str
    beneficiaire: str | None = None
    montant_accorde: Decimal = Decimal("0.00")
    montant_verse: Decimal = Decimal("0.00")
    montant_a_recuperer: Decimal = Decimal("0.00")
    prochaine_echeance: date | None = None
    libelle_echeance: str | None = None
    anomalies: int = 0
    version: int
    maj_le: datetime


class Nature(StrEnum):
    EVENEMENT = "evenement"
    DECISION = "decision"
    ECHEANCE = "echeance"
    PUBLICATION = "publication"
    ANOMALIE = "anomalie"
    PURGE = "purge"
    """The retention job removed personal data (what, never the values)."""
    RGPD = "rgpd"
    """A data subject's request served (access export, rectification, restriction)."""


class EntreeAudit(BaseModel):
    """One audit line. `cle_unique` makes the write idempotent (event id, or a workflow id)."""

    dossier: str
    cle_unique: str
    horodatage: datetime
    nature: Nature
    type: str
    auteur: str
    evenement_source: str | None = None
    detail: dict[str, Any] = Field(default_factory=dict)


EVENEMENTS_RETENUS = 1_000
"""How many applied event ids a workflow keeps (the most recent; carried over continue-as-new).
A record comes again only if its partition's offset was not committed: at most the records of
one batch (`events.consumer.MAX_RECORDS`, 200) after the last commit, so a redelivered event is
among a dossier's last 200 applied at most; 1 000 leaves room for a partner that sends an event
again. The list no longer grows for a dossier's whole life (issue 16, item 2;
docs/architecture.md, step 6)."""


class Registre(BaseModel):
    """Bookkeeping every dossier workflow keeps in its state, across continue-as-new."""

    evenements_appliques: list[str] = Field(default_factory=list)
    publications: int = 0
    projections: int = 0

    def appliquer(self, event_id: str) -> bool:
        """Record `event_id` as applied, keeping the last `EVENEMENTS_RETENUS`; False if it
        was applied before (a redelivery: not to apply again)."""
        if event_id in self.evenements_appliques:
            return False
        self.evenements_appliques.append(event_id)
        del self.evenements_appliques[:-EVENEMENTS_RETENUS]
        return True


class LigneOrdre(BaseModel):
    """A payment or recovery order in the ledger, keyed by its idempotency key."""

    id: str
    periode: str
    montant: Decimal
    statut: str


class Enregistrement(BaseModel):
    """One workflow step's outputs: the outbound events it decided (published first, in
    order), then one write to the read model, in one transaction: the audit lines since the
    last write, the orders whose state changed, and the dossier's projection."""

    audit: list[EntreeAudit]
    ordres: list[LigneOrdre] = Field(default_factory=list)
    projection: ProjectionDossier
    publications: list[EvenementSortant] = Field(default_factory=list)
    """Empty in the histories recorded before `workflows.suivi.SORTIES_GROUPEES` (each event
    had its own publication activity)."""


class Anomalie(BaseModel):
    """Something a partner sent that makes no sense in the dossier's state: for an instructor.
    The same for every scheme (kept in each scheme's state, shown by the console)."""

    evenement_id: str
    type: str
    motif: str
