"""`POST /evenements` as the CloudEvents HTTP binding: both content modes, from requests the
official CloudEvents Python SDK builds; what the intake refuses is answered (422, 413) and kept
in the dead-letter store, with a reason that quotes no personal value."""

import uuid
from datetime import UTC, datetime
from typing import Any

from cloudevents.core.bindings import http as ce_http
from cloudevents.core.v1.event import CloudEvent as SdkCloudEvent
from sqlmodel import Session, select

from models.evenements import CloudEvent
from models.tables import Rebut
from tests.api.conftest import Pile
from tests.factories import contrat_enregistre


def _requete(event: CloudEvent, mode: str) -> tuple[dict[str, str], bytes]:
    attributs: dict[str, Any] = {
        "specversion": "1.0",
        "id": event.id,
        "source": event.source,
        "type": event.type,
        "subject": event.subject,
        "time": event.time,
        "datacontenttype": "application/json",
    }
    sdk = SdkCloudEvent(attributs, event.data)
    message = (ce_http.to_binary_event if mode == "binaire" else ce_http.to_structured_event)(sdk)
    return dict(message.headers), message.body


def _rebuts(pile: Pile) -> list[Rebut]:
    with Session(pile.engine) as session:
        return list(session.exec(select(Rebut).where(Rebut.topic == "http")))


async def test_an_event_in_binary_mode_and_one_in_structured_mode_are_both_applied(
    pile: Pile,
) -> None:
    for mode in ("binaire", "structuré"):
        numero = f"MODE-{uuid.uuid4().hex[:8]}"
        event = contrat_enregistre(numero, debut=datetime.now(UTC).date(), event_id=f"{numero}/1")
        entetes, corps = _requete(event, mode)
        if mode == "binaire":
            assert "ce-id" in {nom.lower() for nom in entetes}

        reponse = await pile.http.post(
            "/evenements", content=corps, headers={**entetes, **pile.entetes("partenaire")}
        )

        assert reponse.status_code == 202, (mode, reponse.text)
        await pile.attendre(f"contrat-pro:{numero}", lambda r: r.statut == "attente_demande")


async def test_a_binary_event_breaking_its_contract_is_answered_422_and_kept_once(
    pile: Pile,
) -> None:
    numero = f"MODE-{uuid.uuid4().hex[:8]}"
    event = contrat_enregistre(numero, event_id=f"{numero}/1", date_naissance_salarie="1985-14-03")
    entetes, corps = _requete(event, "binaire")
    avant = len(_rebuts(pile))

    for _ in range(2):  # the same request twice is one dead letter
        reponse = await pile.http.post(
            "/evenements", content=corps, headers={**entetes, **pile.entetes("partenaire")}
        )
        assert reponse.status_code == 422, reponse.text
        assert reponse.json()["erreurs"][0]["champ"] == "data.date_naissance_salarie"

    nouveaux = _rebuts(pile)[avant:]
    assert [(r.code, r.type, r.statut) for r in nouveaux] == [
        ("contrat", "opco.contrat-pro.enregistre.v1", "nouveau")
    ]
    assert "date_naissance_salarie" in nouveaux[0].motif
    assert "1985-14-03" not in nouveaux[0].motif
    assert nouveaux[0].origine.startswith("http:")
    assert pile.ligne(f"contrat-pro:{numero}") is None


async def test_a_request_over_the_intake_limit_is_answered_413_and_kept(pile: Pile) -> None:
    numero = f"MODE-{uuid.uuid4().hex[:8]}"
    corps = contrat_enregistre(numero, event_id=f"{numero}/1").model_dump_json().encode()
    limite = pile.settings.intake_max_record_bytes
    pile.settings.intake_max_record_bytes = len(corps) - 1
    try:
        reponse = await pile.http.post(
            "/evenements",
            content=corps,
            headers={"Content-Type": "application/cloudevents+json", **pile.entetes("partenaire")},
        )
    finally:
        pile.settings.intake_max_record_bytes = limite

    assert reponse.status_code == 413, reponse.text
    assert any(r.code == "trop_volumineux" and r.taille == len(corps) for r in _rebuts(pile))


async def test_a_refused_access_is_not_a_dead_letter(pile: Pile) -> None:
    """The record was not the problem: a partner sending another partner's type gets 403 and
    nothing is kept."""
    event = contrat_enregistre(f"MODE-{uuid.uuid4().hex[:8]}")
    entetes, corps = _requete(event, "structuré")
    avant = len(_rebuts(pile))

    reponse = await pile.http.post(
        "/evenements", content=corps, headers={**entetes, **pile.entetes("portail")}
    )

    assert reponse.status_code == 403
    assert len(_rebuts(pile)) == avant


async def test_a_source_the_topic_does_not_admit_is_answered_422_and_kept(pile: Pile) -> None:
    numero = f"MODE-{uuid.uuid4().hex[:8]}"
    event = contrat_enregistre(numero, event_id=f"{numero}/1")
    entetes, corps = _requete(event.model_copy(update={"source": "/asp"}), "binaire")
    pile.settings.intake_sources = {"partenaires.opco": ["/opco/"]}
    try:
        reponse = await pile.http.post(
            "/evenements", content=corps, headers={**entetes, **pile.entetes("partenaire")}
        )
    finally:
        pile.settings.intake_sources = {}

    assert reponse.status_code == 422, reponse.text
    assert reponse.json()["erreurs"][0]["champ"] == "source"
    assert any(r.code == "mauvaise_source" for r in _rebuts(pile))
