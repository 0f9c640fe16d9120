"""Which records are deliverable, and the reason given for those that are not."""

import json

from events import topics
from events.delivery import Livrable, Rejet, parse
from tests.factories import contrat_enregistre


def test_a_valid_registration_is_deliverable_to_its_contract_workflow() -> None:
    event = contrat_enregistre("OPCO-1")
    parsed = parse(topics.OPCO, event.model_dump_json().encode())
    assert isinstance(parsed, Livrable)
    assert parsed.event == event
    assert parsed.type.workflow_id(event.subject) == "contrat-pro:OPCO-1"


def test_bytes_that_are_not_json_are_rejected_as_an_invalid_envelope() -> None:
    parsed = parse(topics.OPCO, b"{not json")
    assert isinstance(parsed, Rejet)
    assert parsed.motif.startswith("enveloppe CloudEvents invalide")


def test_an_envelope_without_subject_is_rejected_naming_the_field() -> None:
    raw = json.loads(contrat_enregistre().model_dump_json())
    del raw["subject"]
    parsed = parse(topics.OPCO, json.dumps(raw).encode())
    assert isinstance(parsed, Rejet)
    assert "subject" in parsed.motif


def test_an_unknown_event_type_is_rejected_with_the_type_named() -> None:
    raw = json.loads(contrat_enregistre().model_dump_json())
    raw["type"] = "opco.contrat-pro.inconnu.v9"
    parsed = parse(topics.OPCO, json.dumps(raw).encode())
    assert parsed == Rejet("type d'événement inconnu: 'opco.contrat-pro.inconnu.v9'")


def test_an_event_on_another_partners_topic_is_rejected() -> None:
    parsed = parse(topics.ASP, contrat_enregistre().model_dump_json().encode())
    assert isinstance(parsed, Rejet)
    assert "partenaires.opco" in parsed.motif


def test_a_bad_field_is_rejected_naming_the_field_the_value_and_the_rule() -> None:
    event = contrat_enregistre(code_postal_etablissement="4400")
    parsed = parse(topics.OPCO, event.model_dump_json().encode())
    assert isinstance(parsed, Rejet)
    assert "code_postal_etablissement" in parsed.motif
    assert "'4400'" in parsed.motif
    assert "pattern" in parsed.motif


def test_a_contract_ending_before_it_starts_is_rejected() -> None:
    event = contrat_enregistre(date_fin="2024-01-01")
    parsed = parse(topics.OPCO, event.model_dump_json().encode())
    assert isinstance(parsed, Rejet)
    assert "date_fin (2024-01-01) est antérieure à date_debut (2024-09-02)" in parsed.motif
