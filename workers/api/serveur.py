"""Serving the API: its uvicorn configuration (`guichet api`, `guichet dev`), and a server that
runs inside a process that already owns its signals (`guichet dev`)."""

import asyncio
import socket
from collections.abc import Generator
from contextlib import contextmanager

import uvicorn
from fastapi import FastAPI

from workers.runtime.settings import Settings


def config_api(app: FastAPI, settings: Settings, *, host: str, port: int) -> uvicorn.Config:
    """uvicorn for the API: our structlog logging, and the proxy headers (`X-Forwarded-Proto`,
    `X-Forwarded-For`) trusted from `GUICHET_PROXY_TRUSTED_IPS` only, so behind the TLS proxy
    the console's cookies are `Secure` and nobody else can claim HTTPS."""
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_config=None,
        access_log=False,
        proxy_headers=True,
        forwarded_allow_ips=settings.proxy_trusted_ips,
    )


class ServeurEmbarque(uvicorn.Server):
    """A uvicorn server that leaves SIGINT/SIGTERM to its host process, which stops it by
    setting `should_exit` (uvicorn would otherwise replace the host's handlers). `pret` is set
    once it listens."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.pret = asyncio.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            self.pret.set()

    @contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


def serveur_embarque(app: FastAPI, settings: Settings) -> ServeurEmbarque:
    return ServeurEmbarque(
        config_api(app, settings, host=settings.api_host, port=settings.api_port)
    )
