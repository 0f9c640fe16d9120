"""What the intake hands to the dead-letter store, and the store's interface.

A partner record that cannot be delivered (`events.delivery.Rejet`) is *consigned*: the Kafka
consumer and `POST /evenements` build a `RebutRecu` and give it to a `RegistreRebuts`. The
store (`workers.services.rebuts`, the `rebut` table of the read model) keeps it, idempotent by
`origine`: a record redelivered after a restart is consigned once.

`origine` names where the record came from:
- `kafka:<topic>/<partition>/<offset>` for a record of a partner topic;
- `http:<sha256 of headers and body>` for `POST /evenements` (the same request sent twice is one
  dead letter).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol


class CodeRejet(StrEnum):
    """Why a record was refused: one code per rule, stable (filters, metrics, docs)."""

    TROP_VOLUMINEUX = "trop_volumineux"
    """The record (value and headers) is over `GUICHET_INTAKE_MAX_RECORD_BYTES`."""
    JSON_INVALIDE = "json_invalide"
    """The value is not JSON (structured mode) or its data is not JSON (binary mode)."""
    ENVELOPPE = "enveloppe"
    """The CloudEvents envelope breaks the contract: missing or too long attribute, bad time."""
    TYPE_INCONNU = "type_inconnu"
    """The type is not in the catalogue."""
    MAUVAIS_TOPIC = "mauvais_topic"
    """The type is published on another partner's topic."""
    MAUVAISE_SOURCE = "mauvaise_source"
    """The source is not one the topic admits (`GUICHET_INTAKE_SOURCES`)."""
    CONTRAT = "contrat"
    """The data breaks the type's payload contract."""
    DOSSIER_CLOS = "dossier_clos"
    """The dossier's workflow is closed: a late event is not applied."""
    TEMPORAL_REFUS = "temporal_refus"
    """Temporal refused the request itself (not an outage)."""
    ECHECS_REPETES = "echecs_repetes"
    """Handling failed the same way `GUICHET_INTAKE_POISON_ATTEMPTS` times (poison record)."""


@dataclass(frozen=True)
class RebutRecu:
    """A refused record as received, with its reason.

    `motif` is at most 2 KB and never quotes a personal value (`events.delivery`); `valeur` and
    `entetes` are the record as received, personal data included: the store encrypts them."""

    origine: str
    topic: str
    """The partner topic, or `http` for `POST /evenements`."""
    partition: int | None
    offset: int | None
    cle: str | None
    """The record's key (the dossier's business key), as sent."""
    code: CodeRejet
    motif: str
    type: str | None
    """The event type when the envelope could be read."""
    recu_le: datetime
    valeur: bytes
    entetes: Sequence[tuple[str, bytes]] = field(default_factory=tuple)


def origine_kafka(topic: str, partition: int, offset: int) -> str:
    return f"kafka:{topic}/{partition}/{offset}"


class RegistreRebuts(Protocol):
    """The dead-letter store. `consigner` is idempotent by `origine`; it raises only when the
    database is unreachable (the consumer then backs off and retries, it never skips)."""

    async def consigner(self, rebut: RebutRecu) -> None: ...
