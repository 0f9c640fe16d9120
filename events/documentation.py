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
from events.registre import CodeRejet
from models.evenements import CloudEvent
from models.personnel import chemins_personnels

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
            "Enveloppe CloudEvents 1.0, clé = clé métier du dossier. Reçus: mode structuré "
            "(la valeur est l'événement entier en JSON, en-tête content-type "
            "application/cloudevents+json ou absent) ou mode binaire (attributs dans les "
            "en-têtes ce_id, ce_source, ce_type, ce_subject, ce_time, ce_specversion, la "
            "valeur est l'objet data, content-type application/json). Un enregistrement refusé "
            "va au registre des rebuts et sur guichet.rebuts (docs/evenements.md, "
            "« Réception »). Publiés: mode structuré.",
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


CODES_REJET: dict[CodeRejet, str] = {
    CodeRejet.TROP_VOLUMINEUX: "l'enregistrement (valeur et en-têtes) dépasse la limite",
    CodeRejet.JSON_INVALIDE: "la valeur n'est pas du JSON (mode structuré), ou data n'est "
    "pas un objet JSON (mode binaire)",
    CodeRejet.ENVELOPPE: "un attribut CloudEvents manque, est trop long ou mal formé "
    "(`time` sans fuseau), ou un attribut non prévu est présent",
    CodeRejet.TYPE_INCONNU: "le type n'est pas dans ce catalogue",
    CodeRejet.MAUVAIS_TOPIC: "le type se publie sur le topic d'un autre partenaire",
    CodeRejet.MAUVAISE_SOURCE: "la `source` ne commence par aucun des préfixes admis sur le "
    "topic du type (`GUICHET_INTAKE_SOURCES`)",
    CodeRejet.CONTRAT: "data ne respecte pas le contrat du type (champ, règle)",
    CodeRejet.DOSSIER_CLOS: "le dossier est clos: un événement tardif n'est plus appliqué",
    CodeRejet.TEMPORAL_REFUS: "Temporal refuse la requête elle-même (pas une panne)",
    CodeRejet.ECHECS_REPETES: "le traitement a échoué N fois de suite pour une autre raison "
    "qu'une panne (enregistrement empoisonné)",
}
"""Every reason code, in French, for the catalogue (a test checks none is missing)."""


def _reception() -> list[str]:
    """How a partner record is received: modes, limits, reasons, poison, the store."""
    attributs = ", ".join(
        f"`{nom}` ≤ {longueur}"
        for nom, champ in CloudEvent.model_fields.items()
        for contrainte in champ.metadata
        if isinstance(longueur := getattr(contrainte, "max_length", None), int)
    )
    return [
        "## Réception",
        "",
        "### Deux modes CloudEvents (Kafka et HTTP)",
        "",
        "- **Mode structuré**: la valeur de l'enregistrement (ou le corps HTTP) est "
        "l'événement entier en JSON; en-tête `content-type: application/cloudevents+json` "
        "(ou absent, ou `application/json` sans en-tête `ce-` en HTTP).",
        "- **Mode binaire**: les attributs sont dans les en-têtes `ce_specversion`, `ce_id`, "
        "`ce_source`, `ce_type`, `ce_subject`, `ce_time` (Kafka; en HTTP `ce-id`..., encodés "
        "en pourcentage) et la valeur est l'objet `data` (`content-type: application/json`).",
        "",
        "Les deux modes passent les mêmes contrôles et la même idempotence (l'`id` déjà "
        "appliqué par un dossier est ignoré). Un attribut d'extension est refusé dans les "
        "deux modes. `POST /evenements` est la liaison HTTP du même flux.",
        "",
        "### Limites",
        "",
        "- Un enregistrement (valeur et en-têtes) fait au plus 1 Mio "
        "(`GUICHET_INTAKE_MAX_RECORD_BYTES`, 1 048 576 par défaut): Temporal avertit "
        "au-delà de 512 Ko de signal et refuse au-delà de 2 Mo.",
        f"- Longueurs de l'enveloppe (caractères): {attributs}. La `source` devient "
        "l'auteur de la ligne d'audit.",
        "- Sources admises: `GUICHET_INTAKE_SOURCES` donne, par topic partenaire, les "
        'préfixes de `source` admis (JSON, ex. `{"partenaires.opco": ["/opco/"]}`); un topic '
        "absent admet toute source. À configurer en production avec les ACL Kafka "
        "(docs/deployment.md).",
        "",
        "### Refus: codes et motifs",
        "",
        "Un enregistrement refusé est un *rebut*. Son motif, en français, nomme le champ et "
        "la règle, fait au plus 2 Ko, et ne cite **jamais** une donnée personnelle: les "
        "champs marqués « personnel » dans les tableaux ci-dessous (et tout ce qu'ils "
        "contiennent) ne voient ni leur valeur citée, ni les valeurs que le message d'une "
        "règle pourrait contenir. Une autre valeur citée est coupée à 80 caractères.",
        "",
        "| code | cause |",
        "| --- | --- |",
        *(f"| `{code.value}` | {texte} |" for code, texte in CODES_REJET.items()),
        "",
        "### Poison ou panne",
        "",
        "- Une **panne** (Temporal, la base ou Kafka injoignables ou trop lents) n'est jamais "
        "la faute de l'enregistrement: le consommateur réessaie avec un délai croissant "
        "(0,5 s à 30 s), sans limite, et ne saute rien.",
        "- Tout autre échec est compté: au bout de `GUICHET_INTAKE_POISON_ATTEMPTS` échecs "
        "(5 par défaut) l'enregistrement va aux rebuts avec le code `echecs_repetes` et le "
        "topic avance.",
        "- Les offsets ne sont validés qu'une fois chaque enregistrement du lot livré ou "
        "consigné. SIGTERM arrête le consommateur en quelques secondes (3 s de grâce pour "
        "le lot en cours, puis annulation) sans valider ce qui n'a pas été traité: le lot "
        "revient au redémarrage, sans double application.",
        "",
        "### Registre des rebuts",
        "",
        "Chaque rebut est consigné dans la table `rebut` de la base de lecture (une ligne "
        "par origine `kafka:<topic>/<partition>/<offset>` ou `http:<empreinte>`, charge "
        "chiffrée), puis publié sur "
        f"`{topics.REBUTS}` avec les en-têtes `rebut-code`, `rebut-motif`, `rebut-topic`, "
        "`rebut-partition`, `rebut-offset` (et `rebut-valeur-omise: <octets>` à la place "
        "d'une valeur trop grande pour le topic). Revue, correction, rejeu et abandon: "
        "`guichet rebuts`, `GET /rebuts`, la page Rebuts de la console (docs/rebuts.md).",
        "",
    ]


def catalogue_markdown() -> str:
    """docs/evenements.md: how records are received, then every event type with its topic,
    description, fields (personal ones marked) and example."""
    lines = [
        "# Catalogue des événements",
        "",
        "Généré par `guichet events catalogue` depuis `events/catalogue.py`; ne pas éditer.",
        "",
        "Chaque événement est une enveloppe CloudEvents 1.0 (`specversion`, `id`, "
        "`source`, `type`, `subject` = clé métier du dossier, `time`, `datacontenttype`, "
        "`data`), publiée avec la clé Kafka = `subject`.",
        "",
        *_reception(),
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
    personnels = {chemin[0] for chemin in chemins_personnels(contrat) if len(chemin) == 1}
    for name, field in contrat.model_fields.items():
        doc = (field.description or "").replace("|", "\\|")
        if name in personnels:
            doc = f"**personnel**. {doc}".rstrip(". ")
        lines.append(f"| `{name}` | {'oui' if field.is_required() else 'non'} | {doc} |")
    lines.append("")
    return lines
