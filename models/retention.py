"""What the retention workflow and its activities exchange (sandbox-safe)."""

from datetime import date, datetime

from pydantic import BaseModel, Field


class RechercheEchus(BaseModel):
    aujourdhui: date
    limite: int = Field(default=1000, gt=0)


class DossierEchu(BaseModel):
    cle: str
    fin_conservation: date


class PurgeDemandee(BaseModel):
    cle: str
    fin_conservation: date
    aujourdhui: date
    quand: datetime
    """The job's time (workflow time), written in `purge_le` and on the audit line."""


class PurgeFaite(BaseModel):
    cle: str
    purge: bool
    """False when there was nothing left to purge (a retried activity, already purged)."""
    documents: list[str] = Field(default_factory=list)


class EntreeRetention(BaseModel):
    lot: int = Field(default=1000, gt=0)
    """Dossiers per run and per history: a larger backlog continues-as-new."""


class BilanRetention(BaseModel):
    aujourdhui: date
    purges: list[str] = Field(default_factory=list)
    documents_supprimes: int = 0
