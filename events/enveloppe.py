"""Reading a CloudEvent from a record in either content mode of the Kafka and HTTP bindings.

- **Structured mode**: the value is the whole event as JSON (`content-type:
  application/cloudevents+json`, or no content type: what guichet's partners sent first).
- **Binary mode**: the attributes travel as headers (`ce_id`, `ce_source`, `ce_type`,
  `ce_subject`, `ce_time`, `ce_specversion` on Kafka; `ce-id`... percent-encoded on HTTP), the
  data is the value and `content-type` is its media type (`application/json`).

A record is in binary mode when it carries at least one attribute header. Both modes give the
same `CloudEvent`, then the same checks (`events.delivery.parse`). Extension attributes are
refused in both modes, like any field the envelope does not define.

Spec: CloudEvents 1.0, Kafka protocol binding section 3, HTTP protocol binding section 3.
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from models.evenements import CloudEvent

Entetes = Sequence[tuple[str, bytes]]

TYPE_STRUCTURE = "application/cloudevents+json"
TYPE_DONNEES = "application/json"
PREFIXE_KAFKA = "ce_"
PREFIXE_HTTP = "ce-"


@dataclass(frozen=True)
class DonneesIllisibles(Exception):
    """The value is not JSON, or binary data is not a JSON object."""

    motif: str


def type_de_contenu(entetes: Entetes) -> str:
    """The media type of `content-type` (parameters such as `charset` left out), lower case."""
    for nom, valeur in entetes:
        if nom.lower() == "content-type":
            return valeur.decode("latin-1").split(";", 1)[0].strip().lower()
    return ""


def lire(valeur: bytes, entetes: Entetes, *, http: bool = False) -> CloudEvent:
    """The CloudEvent a record holds; raises `ValidationError` (envelope) or `DonneesIllisibles`."""
    prefixe = PREFIXE_HTTP if http else PREFIXE_KAFKA
    attributs = {
        nom.lower()[len(prefixe) :]: _attribut(brut, http)
        for nom, brut in entetes
        if nom.lower().startswith(prefixe)
    }
    if not attributs:
        return CloudEvent.model_validate_json(valeur)
    contenu = type_de_contenu(entetes)
    if contenu:
        attributs["datacontenttype"] = contenu
    attributs["data"] = _donnees(valeur)
    return CloudEvent.model_validate(attributs)


def mode(entetes: Entetes, *, http: bool = False) -> str:
    prefixe = PREFIXE_HTTP if http else PREFIXE_KAFKA
    return "binaire" if any(nom.lower().startswith(prefixe) for nom, _ in entetes) else "structuré"


def _attribut(brut: bytes, http: bool) -> str:
    texte = brut.decode("utf-8", errors="replace")
    return unquote(texte) if http else texte


def _donnees(valeur: bytes) -> Any:
    try:
        return json.loads(valeur)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        position = f" (position {exc.pos})" if isinstance(exc, json.JSONDecodeError) else ""
        raise DonneesIllisibles(
            f"data: JSON invalide{position}: en mode binaire, la valeur de l'enregistrement "
            f"est l'objet data en {TYPE_DONNEES}"
        ) from None
