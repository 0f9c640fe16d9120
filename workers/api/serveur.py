"""Serving the API inside a process that already owns its signals (`guichet dev`)."""

import asyncio
import socket
from collections.abc import Generator
from contextlib import contextmanager

import uvicorn
from fastapi import FastAPI


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


def serveur_embarque(app: FastAPI, host: str, port: int) -> ServeurEmbarque:
    return ServeurEmbarque(
        uvicorn.Config(app, host=host, port=port, log_config=None, access_log=False)
    )
