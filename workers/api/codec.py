"""The codec server: lets the Temporal web UI (and `temporal --codec-endpoint`) show the
decrypted payloads of a history to authorised staff.

Temporal's remote codec protocol: `POST <endpoint>/decode` and `POST <endpoint>/encode`, body
and answer `{"payloads": [{"metadata": {"encoding": "<base64>"}, "data": "<base64>"}]}` (the
protobuf JSON of `temporal.api.common.v1.Payloads`), the namespace in the `X-Namespace` header.
Mounted under `/codec`, the UI is configured with `TEMPORAL_CODEC_ENDPOINT=https://<api>/codec`.

Every POST needs the `autoriser` dependency the API supplies (bearer token, roles `admin` or
`superviseur`). CORS is answered here, per route, for the origins of
`GUICHET_CODEC_CORS_ORIGINS` only (the Temporal UI), credentials and the `Authorization` header
allowed; an error (401, 403...) carries the CORS headers too, so the UI can show it.
"""

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from google.protobuf import json_format
from temporalio.api.common.v1 import Payload, Payloads

from workers.runtime.codec import (
    METADATA_WORKFLOW,
    ChargeUtileIllisible,
    CleInconnue,
    CodecChiffrement,
    trousseau_pour,
)
from workers.runtime.settings import Settings
from workers.services.utilisateurs import Identite

TAILLE_MAX = 16 * 1024 * 1024
"""Largest request body accepted (bytes): Temporal's own limit is 2 MiB per payload."""
EN_TETES_AUTORISES = "authorization, content-type, x-namespace"
METHODES = "POST, OPTIONS"


def origines_autorisees(settings: Settings) -> frozenset[str]:
    return frozenset(
        o.strip().rstrip("/") for o in settings.codec_cors_origins.split(",") if o.strip()
    )


def _ajouter_cors(request: Request, response: Response, origines: frozenset[str]) -> None:
    response.headers.append("Vary", "Origin")
    origine = request.headers.get("origin")
    if origine is None or origine not in origines:
        return
    response.headers["Access-Control-Allow-Origin"] = origine
    response.headers["Access-Control-Allow-Credentials"] = "true"


def _route_cors(origines: frozenset[str]) -> type[APIRoute]:
    class RouteCors(APIRoute):
        """Adds the CORS headers to every answer of the route, errors included."""

        def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
            traiter = super().get_route_handler()

            async def avec_cors(request: Request) -> Response:
                try:
                    response = await traiter(request)
                except HTTPException as exc:
                    response = JSONResponse(
                        {"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers
                    )
                _ajouter_cors(request, response, origines)
                return response

            return avec_cors

    return RouteCors


async def _lire_payloads(request: Request) -> Payloads:
    corps = await request.body()
    if len(corps) > TAILLE_MAX:
        raise HTTPException(
            413, f"corps de {len(corps)} octets: le codec en accepte {TAILLE_MAX} au plus"
        )
    try:
        return json_format.Parse(corps, Payloads())
    except (json_format.ParseError, UnicodeDecodeError) as exc:
        raise HTTPException(
            400,
            'corps invalide: attendu {"payloads": [{"metadata": {...}, "data": '
            f'"<base64>"}}]}} (protocole codec de Temporal): {str(exc)[:200]}',
        ) from None


def _verifier_namespace(request: Request, settings: Settings) -> None:
    namespace = request.headers.get("x-namespace")
    if namespace is not None and namespace != settings.temporal_namespace:
        raise HTTPException(
            403,
            f"en-tête X-Namespace {namespace!r}: ce codec ne sert que l'espace de noms "
            f"{settings.temporal_namespace!r} (GUICHET_TEMPORAL_NAMESPACE)",
        )


_BASE64 = "^([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$"
CORPS_PAYLOADS: dict[str, Any] = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "description": "temporal.api.common.v1.Payloads en JSON protobuf",
                "required": ["payloads"],
                "additionalProperties": False,
                "properties": {
                    "payloads": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "additionalProperties": False,
                            "properties": {
                                "metadata": {
                                    "type": "object",
                                    "additionalProperties": {"type": "string", "pattern": _BASE64},
                                },
                                "data": {"type": "string", "pattern": _BASE64},
                            },
                        },
                    }
                },
            }
        }
    },
}
"""The body of both routes, for the OpenAPI document: Temporal's remote codec protocol."""
REPONSES: dict[int | str, dict[str, Any]] = {
    400: {"description": "corps qui n'est pas un Payloads JSON"},
    401: {"description": "ni jeton, ni session console"},
    413: {"description": "corps trop volumineux"},
}


def _verifier_perimetre(acteur: Identite, payload: Payload) -> None:
    """A payload is decrypted only for staff whose schemes cover its workflow (the
    `guichet-workflow-id` the worker's codec writes: `<workflow type>:<key>`); one without it
    (written before, or outside any workflow) only for staff of every scheme."""
    workflow_id = payload.metadata.get(METADATA_WORKFLOW, b"").decode("utf-8", "replace")
    dispositif = workflow_id.split(":", 1)[0] if ":" in workflow_id else ""
    if not acteur.voit(dispositif):
        quoi = f"du workflow {workflow_id!r}" if workflow_id else "sans workflow connu"
        raise HTTPException(
            403,
            f"charge utile {quoi}: hors du périmètre de {acteur.nom!r} "
            f"({', '.join(acteur.dispositifs)})",
        )


def _reponse(payloads: Payloads) -> Response:
    return Response(content=json_format.MessageToJson(payloads), media_type="application/json")


def routeur_codec(
    settings: Settings,
    autoriser: Callable[..., Any],
    codec: CodecChiffrement | None = None,
) -> APIRouter:
    """The `/codec` routes; `autoriser` is the API's dependency that lets staff in (it raises
    401/403 otherwise). `codec` defaults to the worker's keys, showing a payload that is not
    encrypted as it is: this server only displays (marker details the SDK's core writes, a
    history older than the codec); the workers refuse such a payload."""
    codec = codec or CodecChiffrement(trousseau_pour(settings), clair_admis=True)
    origines = origines_autorisees(settings)
    routeur = APIRouter(prefix="/codec", tags=["codec"], route_class=_route_cors(origines))

    def preflight(request: Request) -> Response:
        """CORS preflight: answered without authentication (browsers send none)."""
        response = Response(status_code=204)
        if request.headers.get("origin") in origines:
            response.headers["Access-Control-Allow-Methods"] = METHODES
            response.headers["Access-Control-Allow-Headers"] = EN_TETES_AUTORISES
            response.headers["Access-Control-Max-Age"] = "600"
        return response

    @routeur.post(
        "/encode",
        dependencies=[Depends(autoriser)],
        summary="Chiffre des charges utiles Temporal (protocole codec distant)",
        openapi_extra={"requestBody": CORPS_PAYLOADS},
        responses={
            **REPONSES,
            403: {"description": "rôle sans accès au codec, ou autre espace de noms"},
        },
    )
    async def encoder(request: Request) -> Response:
        _verifier_namespace(request, settings)
        payloads = await _lire_payloads(request)
        return _reponse(Payloads(payloads=await codec.encode(payloads.payloads)))

    @routeur.post(
        "/decode",
        summary="Déchiffre des charges utiles Temporal (protocole codec distant)",
        openapi_extra={"requestBody": CORPS_PAYLOADS},
        responses={
            **REPONSES,
            403: {
                "description": "rôle sans accès au codec, autre espace de noms, ou une charge "
                "d'un dispositif hors du périmètre"
            },
            422: {"description": "charge chiffrée illisible ou clé absente du trousseau"},
        },
    )
    async def decoder(
        request: Request, acteur: Annotated[Identite, Depends(autoriser)]
    ) -> Response:
        _verifier_namespace(request, settings)
        payloads = await _lire_payloads(request)
        for payload in payloads.payloads:
            _verifier_perimetre(acteur, payload)
        try:
            clairs = await codec.decode(payloads.payloads)
        except (CleInconnue, ChargeUtileIllisible) as exc:
            raise HTTPException(422, str(exc)) from None
        return _reponse(Payloads(payloads=clairs))

    routeur.add_api_route("/encode", preflight, methods=["OPTIONS"], include_in_schema=False)
    routeur.add_api_route("/decode", preflight, methods=["OPTIONS"], include_in_schema=False)
    return routeur
