"""The codec server (`workers/api/codec.py`) on a bare FastAPI app with a stub of the API's
authorisation dependency: Temporal's remote codec protocol, authentication, CORS."""

import asyncio
import base64
import time
from pathlib import Path
from typing import Annotated, Any

import pytest
from fastapi import FastAPI, Header, HTTPException
from fastapi.testclient import TestClient
from google.protobuf import json_format
from pydantic import SecretStr
from sqlmodel import Session
from temporalio.api.common.v1 import Payload, Payloads
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import WorkflowSerializationContext

from workers.api.app import create_app
from workers.api.codec import routeur_codec
from workers.console import session as sessions
from workers.runtime.codec import CodecChiffrement, lire_trousseau, nouvelle_cle
from workers.runtime.database import engine_for
from workers.runtime.settings import Settings
from workers.runtime.temporal import data_converter_for
from workers.services.utilisateurs import (
    Identite,
    Role,
    creer_jeton,
    creer_utilisateur,
    empreinte,
)

UI = "http://temporal-ui.example:8233"
AUTRE = "https://malveillant.example"
JETON = {"Authorization": "Bearer superviseur"}
NIR = "185069711234533"
CLES = f"k2:{nouvelle_cle()},k1:{nouvelle_cle()}"


def _stub_autoriser(authorization: Annotated[str | None, Header()] = None) -> Identite:
    """Stands for the API's dependency: 401 without a token, 403 for a role not allowed; the
    token `superviseur-contrat-pro` is a supervisor scoped to contrat-pro, the others see every
    scheme."""
    if authorization is None or not authorization.startswith("Bearer "):
        raise HTTPException(401, "authentification requise", {"WWW-Authenticate": "Bearer"})
    nom = authorization.removeprefix("Bearer ")
    role, _, perimetre = nom.partition("-")
    if role not in {"admin", "superviseur"}:
        raise HTTPException(403, f"rôle {role!r} non autorisé")
    return Identite(nom=nom, role=Role(role), dispositifs=(perimetre or "*",), partenaire=None)


@pytest.fixture
def settings() -> Settings:
    return Settings(_env_file=None, payload_keys=SecretStr(CLES), codec_cors_origins=f"{UI}/")


@pytest.fixture
def client(settings: Settings) -> TestClient:
    app = FastAPI()
    app.include_router(routeur_codec(settings, _stub_autoriser))
    return TestClient(app)


def _corps(payloads: list[Payload]) -> dict[str, Any]:
    corps: dict[str, Any] = json_format.MessageToDict(Payloads(payloads=payloads))
    return corps


def _payloads(reponse: Any) -> list[Payload]:
    return list(json_format.ParseDict(reponse.json(), Payloads()).payloads)


def _clair(valeur: object) -> Payload:
    return pydantic_data_converter.payload_converter.to_payloads([valeur])[0]


def test_decode_of_encode_gives_back_the_payloads(client: TestClient) -> None:
    originaux = [_clair({"nir": NIR}), _clair("Dupont")]
    chiffre = client.post("/codec/encode", json=_corps(originaux), headers=JETON)
    assert chiffre.status_code == 200
    assert NIR not in chiffre.text
    assert all(p.metadata["encryption-key-id"] == b"k2" for p in _payloads(chiffre))
    clair = client.post("/codec/decode", json=chiffre.json(), headers=JETON)
    assert clair.status_code == 200
    assert _payloads(clair) == originaux


def test_the_wire_format_is_temporal_protobuf_json_with_base64(client: TestClient) -> None:
    donnees = base64.b64encode(b'"Dupont"').decode()
    encodage = base64.b64encode(b"json/plain").decode()
    corps = {"payloads": [{"metadata": {"encoding": encodage}, "data": donnees}]}
    chiffre = client.post("/codec/encode", json=corps, headers=JETON).json()
    assert set(chiffre["payloads"][0]["metadata"]) == {"encoding", "encryption-key-id"}
    assert base64.b64decode(chiffre["payloads"][0]["metadata"]["encoding"]) == b"binary/encrypted"
    assert client.post("/codec/decode", json=chiffre, headers=JETON).json() == corps


async def test_a_history_payload_written_by_the_worker_is_decrypted_for_the_ui(
    client: TestClient, settings: Settings
) -> None:
    [stocke] = await data_converter_for(settings).encode([{"nom": "Dupont", "nir": NIR}])
    reponse = client.post(
        "/codec/decode", json=_corps([stocke]), headers={**JETON, "X-Namespace": "default"}
    )
    [clair] = _payloads(reponse)
    assert pydantic_data_converter.payload_converter.from_payload(clair) == {
        "nom": "Dupont",
        "nir": NIR,
    }


def test_a_payload_not_encrypted_comes_back_unchanged(client: TestClient) -> None:
    clair = _clair({"statut": "paye"})
    reponse = client.post("/codec/decode", json=_corps([clair]), headers=JETON)
    assert _payloads(reponse) == [clair]


def test_an_unauthenticated_call_gets_401_and_nothing_decoded(client: TestClient) -> None:
    reponse = client.post("/codec/encode", json=_corps([_clair(NIR)]))
    assert reponse.status_code == 401
    assert NIR not in reponse.text
    assert client.post("/codec/decode", json=_corps([_clair(NIR)])).status_code == 401


def test_a_role_the_api_does_not_allow_gets_403(client: TestClient) -> None:
    reponse = client.post(
        "/codec/decode", json=_corps([]), headers={"Authorization": "Bearer instructeur"}
    )
    assert reponse.status_code == 403


def test_the_temporal_ui_origin_gets_the_cors_headers_on_preflight(client: TestClient) -> None:
    reponse = client.options(
        "/codec/decode",
        headers={
            "Origin": UI,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type,x-namespace",
        },
    )
    assert reponse.status_code == 204
    assert reponse.headers["access-control-allow-origin"] == UI
    assert reponse.headers["access-control-allow-credentials"] == "true"
    assert "authorization" in reponse.headers["access-control-allow-headers"]
    assert "x-namespace" in reponse.headers["access-control-allow-headers"]
    assert "POST" in reponse.headers["access-control-allow-methods"]


def test_another_origin_gets_no_cors_headers(client: TestClient) -> None:
    preflight = client.options(
        "/codec/decode", headers={"Origin": AUTRE, "Access-Control-Request-Method": "POST"}
    )
    appel = client.post("/codec/decode", json=_corps([]), headers={**JETON, "Origin": AUTRE})
    for reponse in (preflight, appel):
        assert "access-control-allow-origin" not in reponse.headers
        assert "access-control-allow-credentials" not in reponse.headers
        assert "access-control-allow-methods" not in reponse.headers


def test_answers_to_the_ui_origin_carry_cors_headers_errors_included(client: TestClient) -> None:
    ok = client.post("/codec/decode", json=_corps([]), headers={**JETON, "Origin": UI})
    refuse = client.post("/codec/decode", json=_corps([]), headers={"Origin": UI})
    assert (ok.status_code, refuse.status_code) == (200, 401)
    assert ok.headers["access-control-allow-origin"] == UI
    assert refuse.headers["access-control-allow-origin"] == UI
    assert "Origin" in ok.headers["vary"]


def test_another_namespace_is_refused_naming_the_header_and_the_one_served(
    client: TestClient,
) -> None:
    reponse = client.post(
        "/codec/decode", json=_corps([]), headers={**JETON, "X-Namespace": "autre"}
    )
    assert reponse.status_code == 403
    assert "X-Namespace 'autre'" in reponse.json()["detail"]
    assert "'default'" in reponse.json()["detail"]


def test_a_body_outside_the_protocol_gets_400_naming_the_expected_shape(
    client: TestClient,
) -> None:
    reponse = client.post(
        "/codec/decode",
        content=b'{"charges": 1}',
        headers={**JETON, "Content-Type": "application/json"},
    )
    assert reponse.status_code == 400
    assert '"payloads"' in reponse.json()["detail"]


async def test_a_payload_under_an_unknown_key_gets_422_naming_the_key(client: TestClient) -> None:
    etranger = CodecChiffrement(lire_trousseau(f"retiree:{nouvelle_cle()}"))
    [chiffre] = await etranger.encode([_clair(NIR)])
    reponse = client.post("/codec/decode", json=_corps([chiffre]), headers=JETON)
    assert reponse.status_code == 422
    assert "'retiree'" in reponse.json()["detail"]
    assert NIR not in reponse.text


def test_through_the_api_app_staff_decode_and_other_roles_are_refused(tmp_path: Path) -> None:
    """The router as the API mounts it, with its real bearer tokens and roles."""
    reglages = Settings(
        _env_file=None,
        data_dir=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'lecture.db'}",
        payload_keys=SecretStr(CLES),
        codec_cors_origins=UI,
    )
    with TestClient(create_app(reglages)) as http:
        moteur = engine_for(reglages.effective_database_url)
        jetons = {}
        with Session(moteur) as session:
            for nom, role in (("sup", "superviseur"), ("adm", "admin"), ("ins", "instructeur")):
                creer_utilisateur(session=session, nom=nom, role=role, dispositifs=["*"])
                session.flush()
                jetons[nom], _ = creer_jeton(session=session, nom=nom)
            session.commit()
        moteur.dispose()

        def entetes(nom: str) -> dict[str, str]:
            return {"Authorization": f"Bearer {jetons[nom]}", "Origin": UI}

        originaux = [_clair({"nir": NIR})]
        chiffre = http.post("/codec/encode", json=_corps(originaux), headers=entetes("sup"))
        assert chiffre.status_code == 200
        clair = http.post("/codec/decode", json=chiffre.json(), headers=entetes("adm"))
        assert _payloads(clair) == originaux
        assert clair.headers["access-control-allow-origin"] == UI
        refuse = http.post("/codec/decode", json=chiffre.json(), headers=entetes("ins"))
        assert refuse.status_code == 403
        assert NIR not in refuse.text
        anonyme = http.post("/codec/decode", json=chiffre.json(), headers={"Origin": UI})
        assert anonyme.status_code == 401


def test_staff_logged_in_to_the_console_decode_with_the_session_cookie_alone(
    tmp_path: Path,
) -> None:
    """The Temporal UI calls the codec with the browser's cookies, not our bearer token."""
    reglages = Settings(
        _env_file=None,
        data_dir=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'lecture.db'}",
        payload_keys=SecretStr(CLES),
        codec_cors_origins=UI,
    )
    with TestClient(create_app(reglages)) as http:
        moteur = engine_for(reglages.effective_database_url)
        with Session(moteur) as session:
            for nom, role in (("sup", "superviseur"), ("ins", "instructeur")):
                creer_utilisateur(session=session, nom=nom, role=role, dispositifs=["*"])
            session.commit()
            jetons = {nom: creer_jeton(session=session, nom=nom)[0] for nom in ("sup", "ins")}
            session.commit()
        moteur.dispose()
        signeur = sessions.Signeur(sessions.secret_console(tmp_path))

        def cookie(nom: str) -> dict[str, str]:
            contenu: dict[str, str | int] = {
                "u": nom,
                "j": empreinte(jetons[nom]),
                "v": 0,  # a new user's session version
                "csrf": "x",
                "exp": int(time.time()) + 600,
            }
            valeur = signeur.signer("session", contenu)
            return {"Origin": UI, "Cookie": f"{sessions.COOKIE_SESSION}={valeur}"}

        chiffre = http.post(
            "/codec/encode", json=_corps([_clair({"nir": NIR})]), headers=cookie("sup")
        )
        assert chiffre.status_code == 200
        assert NIR not in chiffre.text
        clair = http.post("/codec/decode", json=chiffre.json(), headers=cookie("sup"))
        assert clair.status_code == 200
        assert NIR in str(_payloads(clair)[0].data)
        assert clair.headers["access-control-allow-credentials"] == "true"
        refuse = http.post("/codec/decode", json=chiffre.json(), headers=cookie("ins"))
        assert refuse.status_code == 403
        assert refuse.headers["access-control-allow-origin"] == UI, "the UI can read why"
        anonyme = http.post("/codec/decode", json=chiffre.json(), headers={"Origin": UI})
        assert anonyme.status_code == 401
        assert anonyme.headers["access-control-allow-origin"] == UI
        falsifie = {**cookie("sup"), "Cookie": cookie("sup")["Cookie"][:-3] + "AAA"}
        assert http.post("/codec/decode", json=chiffre.json(), headers=falsifie).status_code == 401


def test_a_payload_is_decrypted_only_for_staff_whose_schemes_cover_its_workflow(
    client: TestClient, settings: Settings
) -> None:
    """The worker's codec marks each payload with its workflow's id (serialization context);
    the codec server refuses a CAE-DOM payload to a supervisor scoped to contrat-pro."""
    codec = CodecChiffrement(lire_trousseau(CLES))

    async def chiffrer(workflow_id: str | None) -> Payload:
        contexte = (
            codec
            if workflow_id is None
            else codec.with_context(WorkflowSerializationContext("default", workflow_id))
        )
        [chiffre] = await contexte.encode([_clair({"nir": NIR})])
        return chiffre

    cae_dom, contrat_pro, sans = (
        asyncio.run(chiffrer(w)) for w in ("cae-dom:971-24-00001", "contrat-pro:OPCO-1", None)
    )
    assert cae_dom.metadata["guichet-workflow-id"] == b"cae-dom:971-24-00001"
    restreint = {"Authorization": "Bearer superviseur-contrat-pro"}

    refuse = client.post("/codec/decode", json=_corps([contrat_pro, cae_dom]), headers=restreint)
    accepte = client.post("/codec/decode", json=_corps([contrat_pro]), headers=restreint)
    sans_workflow = client.post("/codec/decode", json=_corps([sans]), headers=restreint)
    partout = client.post("/codec/decode", json=_corps([cae_dom, sans]), headers=JETON)

    assert refuse.status_code == 403, refuse.text
    assert "cae-dom:971-24-00001" in refuse.json()["detail"]
    assert NIR not in refuse.text
    assert accepte.status_code == 200
    assert NIR in str(_payloads(accepte)[0].data)
    assert sans_workflow.status_code == 403
    assert partout.status_code == 200
