"""`GET /health` (the process answers) and `GET /ready` (Temporal, Kafka and the database
are reachable: 200, else 503 with what failed)."""

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Literal

from aiokafka import AIOKafkaClient
from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text

from workers.api.deps import Contexte, ContexteDep
from workers.runtime.connexions import options_kafka

routeur = APIRouter(tags=["santé"])

DELAI = 3.0
"""Seconds each dependency gets to answer."""


class Verification(BaseModel):
    service: str
    ok: bool
    detail: str
    duree_ms: int


class Sante(BaseModel):
    statut: Literal["ok", "indisponible"]
    verifications: list[Verification] = []


@routeur.get("/health", summary="Le processus répond")
def health() -> Sante:
    return Sante(statut="ok")


async def _temporal(ctx: Contexte) -> str:
    client = await ctx.client()
    await client.service_client.check_health(timeout=timedelta(seconds=DELAI))
    return f"{ctx.settings.temporal_address} ({ctx.settings.temporal_namespace})"


async def _kafka(ctx: Contexte) -> str:
    client = AIOKafkaClient(**options_kafka(ctx.settings), request_timeout_ms=int(DELAI * 1000))
    try:
        await client.bootstrap()
        metadata = await client.fetch_all_metadata()
        return f"{len(metadata.brokers())} broker(s), {len(metadata.topics())} topic(s)"
    finally:
        await client.close()


async def _base(ctx: Contexte) -> str:
    def requete() -> str:
        with ctx.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return ctx.engine.url.get_backend_name()

    return await asyncio.to_thread(requete)


@routeur.get(
    "/ready",
    summary="Temporal, Kafka et la base de lecture sont joignables",
    responses={503: {"description": "au moins un service injoignable", "model": Sante}},
)
async def ready(ctx: ContexteDep) -> JSONResponse:
    async def verifier(nom: str, sonde: Callable[[Contexte], Awaitable[str]]) -> Verification:
        debut = time.monotonic()
        try:
            async with asyncio.timeout(DELAI + 1):
                detail = await sonde(ctx)
            ok = True
        except Exception as exc:
            premiere = str(exc).splitlines()[0] if str(exc) else ""
            detail, ok = f"{type(exc).__name__}: {premiere}", False
        return Verification(
            service=nom, ok=ok, detail=detail, duree_ms=int((time.monotonic() - debut) * 1000)
        )

    verifications = await asyncio.gather(
        verifier("temporal", _temporal), verifier("kafka", _kafka), verifier("base", _base)
    )
    tout_ok = all(v.ok for v in verifications)
    sante = Sante(statut="ok" if tout_ok else "indisponible", verifications=list(verifications))
    return JSONResponse(sante.model_dump(mode="json"), status_code=200 if tout_ok else 503)
