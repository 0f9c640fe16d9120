"""Payloads of the events guichet publishes on `guichet.*` (see docs/evenements.md)."""

from datetime import date

from pydantic import BaseModel


class DossierOuvert(BaseModel):
    """`guichet.dossier.ouvert.v1` on `guichet.dossiers`: a dossier was opened."""

    dispositif: str
    statut: str
    date_limite_demande: date | None = None


class DossierPrescrit(BaseModel):
    """`guichet.dossier.prescrit.v1` on `guichet.dossiers`: a deadline passed, the dossier is
    time-barred."""

    motif: str
    date_limite_demande: date | None = None


class AnomalieDossier(BaseModel):
    """`guichet.dossier.anomalie.v1` on `guichet.dossiers`: a partner event made no sense in the
    dossier's state; an instructor must look at it."""

    evenement_id: str
    type: str
    motif: str
