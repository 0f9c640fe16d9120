"""The contracts as documents: the catalogue page is current, the AsyncAPI document carries
every type's schema, and every example in the catalogue satisfies its own contract."""

from pathlib import Path

import pytest

from events import topics
from events.catalogue import CATALOGUE, SORTANTS
from events.consumer import build_broker
from events.delivery import Livrable, parse
from events.documentation import CODES_REJET, asyncapi, catalogue_markdown
from events.registre import CodeRejet
from models.evenements import CloudEvent

DOCS = Path(__file__).resolve().parents[2] / "docs" / "evenements.md"


def test_the_event_catalogue_page_is_generated_from_the_current_catalogue() -> None:
    assert DOCS.read_text() == catalogue_markdown() + "\n", (
        "docs/evenements.md is stale: run `guichet events catalogue > docs/evenements.md`"
    )


@pytest.mark.parametrize("nom", sorted(CATALOGUE))
def test_each_partner_example_is_deliverable(nom: str) -> None:
    spec = CATALOGUE[nom]
    event = CloudEvent(
        id="x",
        source="/test",
        type=nom,
        subject="K1",
        time="2024-09-03T09:30:00Z",
        data=dict(spec.exemple),
    )
    assert isinstance(parse(spec.topic, event.model_dump_json().encode()), Livrable)


@pytest.mark.parametrize("nom", sorted(SORTANTS))
def test_each_outbound_example_satisfies_its_contract(nom: str) -> None:
    SORTANTS[nom].contrat.model_validate(SORTANTS[nom].exemple)


async def _unused(_topic: str, _msg: object) -> None:
    raise AssertionError


def test_the_asyncapi_document_describes_every_type_on_its_topic() -> None:
    broker = build_broker(bootstrap_servers="kafka:9092", group_id="g", traiter=_unused)
    document = asyncapi(broker, "test")
    assert document["asyncapi"] == "3.0.0"
    by_address: dict[str, list[str]] = {}
    for channel in document["channels"].values():
        for ref in channel["messages"].values():
            message = document["components"]["messages"][ref["$ref"].rsplit("/", 1)[1]]
            variants = message["payload"].get("oneOf", [])
            by_address[channel["address"]] = [v["properties"]["type"]["const"] for v in variants]
    for recu in CATALOGUE.values():
        assert recu.nom in by_address[recu.topic]
    for sortant in SORTANTS.values():
        assert sortant.nom in by_address[sortant.topic]
    assert set(topics.PARTENAIRES) <= set(by_address)


def test_every_reason_code_is_documented_in_french() -> None:
    assert set(CODES_REJET) == set(CodeRejet)
