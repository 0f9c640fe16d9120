"""The event contracts as documents: the AsyncAPI 3.0 document FastStream generates from the
consumer (enriched with each topic's payload schemas from the catalogue), and the Markdown
event catalogue (docs/evenements.md)."""

import json
from datetime import UTC, datetime
from typing import Any

from faststream.kafka import KafkaBroker
from faststream.specification import AsyncAPI
from pydantic import BaseModel

from events import topics
from events.catalogue import CATALOGUE, SORTANTS
from models.evenements import CloudEvent

REF = "#/components/schemas/{model}"
SOURCES = {
    topics.OPCO: "/opco/akto",
    topics.ASP: "/asp",
    topics.PORTAIL: "/portail-aides/pays-de-la-loire",
    topics.ETABLISSEMENTS: "/etablissements",
}
EXEMPLE_TIME = datetime(2024, 9, 3, 9, 30, tzinfo=UTC)


def _envelope_schema(
    nom: str, contrat: type[BaseModel], description: str, schemas: dict[str, Any]
) -> dict[str, Any]:
    """The CloudEvent schema with `type` fixed to `nom` and `data` to the type's contract."""
    envelope = CloudEvent.model_json_schema(ref_template=REF)
    data = contrat.model_json_schema(ref_template=REF)
    schemas.update(data.pop("$defs", {}))
    schemas[contrat.__name__] = data
    envelope["title"] = nom
    envelope["description"] = description
    envelope["properties"]["type"] = {"const": nom}
    envelope["properties"]["data"] = {"$ref": REF.format(model=contrat.__name__)}
    return envelope


def _payloads(topic: str, schemas: dict[str, Any]) -> list[dict[str, Any]]:
    types = [t for t in CATALOGUE.values() if t.topic == topic] + [
        t for t in SORTANTS.values() if t.topic == topic
    ]
    return [_envelope_schema(t.nom, t.contrat, t.description, schemas) for t in types]


def asyncapi(broker: KafkaBroker, version: str) -> dict[str, Any]:
    """The AsyncAPI document of the partner topics (received) and guichet's (sent)."""
    for topic in topics.SORTANTS:
        if topic != topics.REBUTS:
            broker.publisher(topic, title=topic, schema=CloudEvent)
    spec: dict[str, Any] = (
        AsyncAPI(
            broker,
            title="guichet",
            version=version,
            description="Événements partenaires reçus et événements publiés par guichet. "
            "Enveloppe CloudEvents 1.0 (mode structuré JSON), clé = clé métier du dossier.",
        )
        .to_specification()
        .to_jsonable()
    )
    components = spec.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    for channel in spec["channels"].values():
        payloads = _payloads(channel["address"], schemas)
        if not payloads:
            continue
        for ref in channel["messages"].values():
            name = ref["$ref"].rsplit("/", 1)[1]
            components["messages"][name]["payload"] = {"oneOf": payloads}
    return spec


def _exemple(nom: str, subject: str, data: Any, source: str) -> str:
    event = CloudEvent(
        id="exemple-1", source=source, type=nom, subject=subject, time=EXEMPLE_TIME, data=data
    )
    return json.dumps(event.model_dump(mode="json"), ensure_ascii=False, indent=2)


def catalogue_markdown() -> str:
    """docs/evenements.md: every event type with its topic, description, fields and example."""
    lines = [
        "# Catalogue des événements",
        "",
        "Généré par `guichet events catalogue` depuis `events/catalogue.py`; ne pas éditer.",
        "",
        "Chaque événement est une enveloppe CloudEvents 1.0 en JSON (`specversion`, `id`, "
        "`source`, `type`, `subject` = clé métier du dossier, `time`, `datacontenttype`, "
        "`data`), publiée avec la clé Kafka = `subject`. Un événement invalide part sur "
        f"`{topics.REBUTS}` avec son motif (en-têtes `rebut-motif`, `rebut-topic`, "
        "`rebut-partition`, `rebut-offset`).",
        "",
        "## Événements reçus des partenaires",
        "",
    ]
    for recu in CATALOGUE.values():
        lines += _section(recu.nom, recu.topic, recu.description, recu.contrat)
        lines += [
            f"Workflow: `{recu.workflow}`, id `{recu.workflow}:<subject>`.",
            "",
            "```json",
            _exemple(recu.nom, "OPCO-2024-000123", recu.exemple, SOURCES[recu.topic]),
            "```",
            "",
        ]
    lines += ["## Événements publiés par guichet", ""]
    for sortant in SORTANTS.values():
        lines += _section(sortant.nom, sortant.topic, sortant.description, sortant.contrat)
        lines += [
            "```json",
            _exemple(sortant.nom, "OPCO-2024-000123", sortant.exemple, "/guichet"),
            "```",
            "",
        ]
    return "\n".join(lines)


def _section(nom: str, topic: str, description: str, contrat: type[BaseModel]) -> list[str]:
    lines = [f"### `{nom}`", "", f"Topic `{topic}`. {description}", ""]
    lines += ["| champ | obligatoire | description |", "| --- | --- | --- |"]
    for name, field in contrat.model_fields.items():
        doc = (field.description or "").replace("|", "\\|")
        lines.append(f"| `{name}` | {'oui' if field.is_required() else 'non'} | {doc} |")
    lines.append("")
    return lines
