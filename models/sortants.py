"""Payloads of the events guichet publishes on `guichet.*` (see docs/evenements.md)."""

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, Field


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


class StatutDossier(BaseModel):
    """`guichet.dossier.statut.v1` on `guichet.dossiers`: the dossier changed status."""

    dispositif: str
    statut: str
    precedent: str
    motif: str | None = None


class Notification(BaseModel):
    """`guichet.notification.v1` on `guichet.notifications`: a message for the beneficiary or
    for the instructors (reminder, decision, invitation)."""

    dispositif: str
    destinataire: str
    objet: str
    message: str
    echeance: date | None = None


class OrdrePaiementEmis(BaseModel):
    """`guichet.paiement.ordre.v1` on `guichet.paiements`: pay an amount. `ordre_id` is the
    idempotency key: the paying agency executes an order id once."""

    ordre_id: str
    dispositif: str
    beneficiaire: str
    montant: Decimal
    rib_reference: str | None = None
    objet: str


class TitreExecutoire(BaseModel):
    """`guichet.paiement.titre-executoire.v1` on `guichet.paiements`: recover a sum not due."""

    ordre_id: str
    dispositif: str
    debiteur: str
    montant: Decimal
    motif: str


class DossierArchive(BaseModel):
    """`guichet.dossier.archive.v1` on `guichet.dossiers`: the retention period is over; the
    dossier's personal data and documents are to be purged everywhere."""

    dispositif: str
    date_fin_conservation: date


class CondensatAuditSigne(BaseModel):
    """`guichet.audit.condensat.v1` on `guichet.audit`: the day's signed digest of every audit
    chain head (docs/audit.md). `signature` (Ed25519, base64) covers the canonical JSON of
    jour, nombre_chaines, racine, precedent and cle_id (`models.chaine_audit.MessageCondensat`);
    the event is keyed `audit`, its id is `audit/condensat/<jour>`."""

    jour: date = Field(description="jour (Europe/Paris) du condensat")
    nombre_chaines: int = Field(description="nombre de dossiers ayant une chaîne d'audit")
    racine: str = Field(
        description="SHA-256 (hex) de la liste JSON canonique [dossier, rang, empreinte] des "
        "têtes de chaîne, triée par dossier"
    )
    precedent: str = Field(description="SHA-256 du message signé du condensat précédent")
    cle_id: str = Field(description="identifiant de la clé publique de signature")
    signature: str = Field(description="signature Ed25519 (base64) du message canonique")
