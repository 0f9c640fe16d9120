"""Which records are deliverable, and the reason given for those that are not."""

import json

from events import topics
from events.delivery import MOTIF_MAX_OCTETS, Livrable, Rejet, parse
from events.registre import CodeRejet
from tests.factories import contrat_enregistre


def test_a_valid_registration_is_deliverable_to_its_contract_workflow() -> None:
    event = contrat_enregistre("OPCO-1")
    parsed = parse(topics.OPCO, event.model_dump_json().encode())
    assert isinstance(parsed, Livrable)
    assert parsed.event == event
    assert parsed.type.workflow_id(event.subject) == "contrat-pro:OPCO-1"


def test_bytes_that_are_not_json_are_rejected_as_invalid_json() -> None:
    parsed = parse(topics.OPCO, b"{not json")
    assert isinstance(parsed, Rejet)
    assert parsed.code is CodeRejet.JSON_INVALIDE
    assert parsed.motif.startswith("JSON invalide")


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
    assert parsed == Rejet(
        CodeRejet.TYPE_INCONNU,
        "type: 'opco.contrat-pro.inconnu.v9' n'est pas un type du catalogue (docs/evenements.md)",
        "opco.contrat-pro.inconnu.v9",
    )


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


def test_a_600_kb_type_is_rejected_with_a_short_reason_naming_the_field_and_the_rule() -> None:
    raw = json.loads(contrat_enregistre().model_dump_json())
    raw["type"] = "x" * 600_000
    parsed = parse(topics.OPCO, json.dumps(raw).encode())
    assert isinstance(parsed, Rejet)
    assert parsed.motif.startswith("enveloppe CloudEvents invalide: type: ")
    assert "at most 100 characters" in parsed.motif
    assert "(600002 caractères)" in parsed.motif
    assert len(parsed.motif.encode()) < 300


def test_a_source_longer_than_the_audit_author_is_rejected_before_any_workflow() -> None:
    """The source becomes the audit line's author (200 characters): longer, the projection
    write would fail and retry forever."""
    raw = json.loads(contrat_enregistre().model_dump_json())
    raw["source"] = "/opco/" + "a" * 294
    parsed = parse(topics.OPCO, json.dumps(raw).encode())
    assert isinstance(parsed, Rejet)
    assert "source: String should have at most 200 characters" in parsed.motif


def test_a_40_kb_bad_field_is_quoted_cut_with_its_length() -> None:
    event = contrat_enregistre(code_postal_etablissement="4" * 40_000)
    parsed = parse(topics.OPCO, event.model_dump_json().encode())
    assert isinstance(parsed, Rejet)
    assert "code_postal_etablissement: String should match pattern" in parsed.motif
    assert "(40002 caractères)" in parsed.motif
    assert len(parsed.motif.encode()) < 500


def test_a_reason_is_cut_at_2_kb_with_a_mark() -> None:
    motif = Rejet(CodeRejet.CONTRAT, "é" * 5_000).motif
    assert len(motif.encode()) <= MOTIF_MAX_OCTETS
    assert motif.endswith("… (motif tronqué)")
    assert motif.startswith("é" * 100)
