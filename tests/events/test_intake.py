"""The intake's checks on records as partners produce them: both CloudEvents content modes
(records built by the official CloudEvents Python SDK), the size limit, and reasons that never
quote a personal value."""

import json
from datetime import date
from typing import Any

import pytest
from cloudevents.core.bindings import http as ce_http
from cloudevents.core.bindings import kafka as ce_kafka
from cloudevents.core.v1.event import CloudEvent as SdkCloudEvent

from events import topics
from events.delivery import Livrable, ReglesEntree, Rejet, parse
from events.registre import CodeRejet
from models.evenements import CloudEvent
from models.personnel import chemins_personnels
from tests.factories import (
    NAISSANCE_CONTRAT_PRO,
    VALEURS_PERSONNELLES,
    contrat_enregistre,
    convention_enregistree,
    convention_personnelle,
)
from workers.runtime.redaction import _is_personal_field


def _sdk(event: CloudEvent) -> SdkCloudEvent:
    """The same event, built with the official SDK."""
    attributs: dict[str, Any] = {
        "specversion": "1.0",
        "id": event.id,
        "source": event.source,
        "type": event.type,
        "subject": event.subject,
        "time": event.time,
        "datacontenttype": "application/json",
    }
    return SdkCloudEvent(attributs, event.data)


def _entetes(headers: dict[str, bytes] | dict[str, str]) -> list[tuple[str, bytes]]:
    return [(nom, v.encode() if isinstance(v, str) else v) for nom, v in headers.items()]


def test_a_kafka_record_in_binary_mode_from_the_sdk_is_deliverable_as_the_same_event() -> None:
    event = contrat_enregistre("OPCO-BIN-1")
    message = ce_kafka.to_binary_event(_sdk(event))
    assert any(nom.startswith("ce_") for nom in message.headers), "binary mode: ce_ headers"

    parsed = parse(topics.OPCO, message.value or b"", _entetes(message.headers))

    assert isinstance(parsed, Livrable), parsed
    assert parsed.event == event


def test_a_kafka_record_in_structured_mode_from_the_sdk_is_deliverable_as_the_same_event() -> None:
    event = contrat_enregistre("OPCO-STRUCT-1")
    message = ce_kafka.to_structured_event(_sdk(event))
    assert dict(message.headers)["content-type"].startswith(b"application/cloudevents+json")

    parsed = parse(topics.OPCO, message.value or b"", _entetes(message.headers))

    assert isinstance(parsed, Livrable), parsed
    assert parsed.event == event


@pytest.mark.parametrize("mode", ["binaire", "structuré"])
def test_an_http_request_from_the_sdk_is_deliverable_in_either_mode(mode: str) -> None:
    event = contrat_enregistre("OPCO-HTTP-1")
    convertir = ce_http.to_binary_event if mode == "binaire" else ce_http.to_structured_event
    message = convertir(_sdk(event))
    entetes = [(nom.lower(), valeur.encode()) for nom, valeur in message.headers.items()]

    parsed = parse(None, message.body, entetes)

    assert isinstance(parsed, Livrable), parsed
    assert parsed.event == event


def test_binary_mode_data_that_is_not_json_is_refused_naming_the_mode() -> None:
    message = ce_kafka.to_binary_event(_sdk(contrat_enregistre("OPCO-BIN-2")))

    parsed = parse(topics.OPCO, b"<xml/>", _entetes(message.headers))

    assert isinstance(parsed, Rejet)
    assert parsed.code is CodeRejet.JSON_INVALIDE
    assert "en mode binaire" in parsed.motif


def test_binary_mode_without_a_required_attribute_is_refused_naming_it() -> None:
    message = ce_kafka.to_binary_event(_sdk(contrat_enregistre("OPCO-BIN-3")))
    entetes = [(n, v) for n, v in _entetes(message.headers) if n != "ce_subject"]

    parsed = parse(topics.OPCO, message.value or b"", entetes)

    assert isinstance(parsed, Rejet)
    assert parsed.code is CodeRejet.ENVELOPPE
    assert "subject: Field required" in parsed.motif


def test_a_record_over_the_size_limit_is_refused_before_it_is_read() -> None:
    valeur = contrat_enregistre("OPCO-GROS").model_dump_json().encode()

    parsed = parse(topics.OPCO, valeur, [("trace", b"x" * 100)], ReglesEntree(len(valeur) + 99))

    assert isinstance(parsed, Rejet)
    assert parsed.code is CodeRejet.TROP_VOLUMINEUX
    assert parsed.motif == (
        f"enregistrement de {len(valeur) + 105} octets: au plus {len(valeur) + 99} "
        "(GUICHET_INTAKE_MAX_RECORD_BYTES)"
    )
    assert isinstance(parse(topics.OPCO, valeur, regles=ReglesEntree(len(valeur))), Livrable)


def test_a_bad_birth_date_is_refused_naming_the_field_and_the_rule_without_the_value() -> None:
    event = contrat_enregistre("OPCO-PERSO", date_naissance_salarie="1985-14-03")

    parsed = parse(topics.OPCO, event.model_dump_json().encode())

    assert isinstance(parsed, Rejet)
    assert parsed.code is CodeRejet.CONTRAT
    assert "date_naissance_salarie: Input should be a valid date" in parsed.motif
    assert "1985-14-03" not in parsed.motif
    assert "valeur:" not in parsed.motif


def test_a_non_personal_bad_value_is_still_quoted() -> None:
    event = contrat_enregistre("OPCO-NP", date_naissance_salarie=NAISSANCE_CONTRAT_PRO)
    data = dict(event.data, date_debut="2024-13-45")

    parsed = parse(topics.OPCO, event.model_copy(update={"data": data}).model_dump_json().encode())

    assert isinstance(parsed, Rejet)
    assert "date_debut: Input should be a valid date" in parsed.motif
    assert "(valeur: '2024-13-45')" in parsed.motif


def test_a_cae_dom_convention_breaking_personal_rules_names_them_without_any_personal_value() -> (
    None
):
    """The employee's NIR does not match the birth date (a validator that compares two
    personal fields and writes both in its message), the e-mail is malformed, the birth date
    is quoted elsewhere: the reason keeps the fields and rules, no value."""
    donnees = convention_personnelle("971-24-55555", date(2024, 3, 1), date(2024, 12, 31))
    donnees["salarie"]["date_naissance"] = "1990-02-11"
    donnees["employeur"]["adresse"]["adresse_electronique"] = "sans-arobase.example.gp"
    event = convention_enregistree("971-24-55555", donnees)

    parsed = parse(topics.ASP, event.model_dump_json().encode())

    assert isinstance(parsed, Rejet)
    assert parsed.code is CodeRejet.CONTRAT
    assert "salarie" in parsed.motif
    assert "adresse_electronique" in parsed.motif
    for valeur in [*VALEURS_PERSONNELLES, "1990-02-11", "1990", "sans-arobase.example.gp"]:
        assert valeur not in parsed.motif, (valeur, parsed.motif)
    assert "85" not in parsed.motif.replace("(valeur", "")


def test_an_unknown_field_never_has_its_value_quoted() -> None:
    raw = json.loads(contrat_enregistre("OPCO-EXTRA").model_dump_json())
    raw["nom_salarie"] = "Kerbrat-Quéméner"

    parsed = parse(topics.OPCO, json.dumps(raw).encode())

    assert isinstance(parsed, Rejet)
    assert "nom_salarie: Extra inputs are not permitted" in parsed.motif
    assert "Kerbrat" not in parsed.motif


NON_PERSONNELS = {
    ("employeur", "adresse"): "the employer's premises (its e-mail is marked)",
    ("employeur", "adresse_correspondance"): "the employer's mail address (e-mail marked)",
    ("nom_fichier",): "an EXAPRO file name",
    ("controle_ine",): "a flag: check the candidates' INE or not",
}
NON_PERSONNELS_PAR_NOM = {
    "rib_reference": "a reference to the bank details the portal holds, not the IBAN",
    "rib_fourni": "a flag: the employer gave bank details",
    "date_signature_employeur_salarie": "the date the convention was signed",
}
"""Fields whose name the log redaction masks (it errs on the side of masking) but that hold no
personal data, with the reason."""


def test_every_field_the_log_redaction_calls_personal_is_marked_in_the_catalogue() -> None:
    """The two lists of personal fields agree: a contract field whose name the log redaction
    masks is marked personal (itself or a model above it), so a reason never quotes it, or is
    listed in `NON_PERSONNELS` with the reason."""
    from events.catalogue import CATALOGUE  # noqa: PLC0415 - the catalogue under test

    oublis = []
    for nom, spec in CATALOGUE.items():
        marques = chemins_personnels(spec.contrat)
        for chemin in _chemins(spec.contrat.model_json_schema()):
            if (
                _is_personal_field(chemin[-1])
                and chemin not in NON_PERSONNELS
                and chemin[-1] not in NON_PERSONNELS_PAR_NOM
                and not any(chemin[: len(m)] == m for m in marques)
            ):
                oublis.append(f"{nom}: {'.'.join(chemin)}")
    assert oublis == []


def _chemins(schema: dict[str, Any]) -> list[tuple[str, ...]]:
    definitions = schema.get("$defs", {})

    def parcourir(
        noeud: dict[str, Any], prefixe: tuple[str, ...], vus: int
    ) -> list[tuple[str, ...]]:
        if vus > 8:
            return []
        if "$ref" in noeud:
            return parcourir(definitions[noeud["$ref"].rsplit("/", 1)[-1]], prefixe, vus + 1)
        trouves: list[tuple[str, ...]] = []
        for variante in noeud.get("anyOf", []) + noeud.get("allOf", []):
            trouves += parcourir(variante, prefixe, vus + 1)
        if "items" in noeud:
            trouves += parcourir(noeud["items"], prefixe, vus + 1)
        for nom, sous in noeud.get("properties", {}).items():
            trouves.append((*prefixe, nom))
            trouves += parcourir(sous, (*prefixe, nom), vus + 1)
        return trouves

    return parcourir(schema, (), 0)


def test_a_source_the_topic_does_not_admit_is_refused_naming_the_prefixes() -> None:
    regles = ReglesEntree(sources={topics.OPCO: ("/opco/",)})
    event = contrat_enregistre("OPCO-SRC")

    admis = parse(topics.OPCO, event.model_dump_json().encode(), regles=regles)
    refuse = parse(
        topics.OPCO,
        event.model_copy(update={"source": "/asp"}).model_dump_json().encode(),
        regles=regles,
    )
    libre = parse(
        topics.OPCO, event.model_copy(update={"source": "/asp"}).model_dump_json().encode()
    )

    assert isinstance(admis, Livrable)
    assert isinstance(libre, Livrable), "no prefixes configured: any source"
    assert isinstance(refuse, Rejet)
    assert refuse.code is CodeRejet.MAUVAISE_SOURCE
    assert refuse.motif == (
        "source: '/asp' n'est pas admise sur 'partenaires.opco' (préfixes admis: '/opco/')"
    )
