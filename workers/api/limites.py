"""Limits applied before a request's body is read (issue 19).

- **Size.** A body over `CORPS_MAX_OCTETS` is refused with 413 before it is read: at once when
  `Content-Length` says so, and by counting the bytes as they arrive for a chunked body (the
  request is then cut short). Routes keep their own, smaller limits (a document: 10 MiB; a
  partner event: `GUICHET_INTAKE_MAX_RECORD_BYTES`).
- **Who, before multipart.** FastAPI parses a multipart body (writing its files to disk) before
  it runs the route's dependencies, so an anonymous 64 MiB upload would be written in full
  before its 401. A `multipart/form-data` request is therefore let in only with a valid bearer
  token or a valid console session (`authentifie`); otherwise 401 at once, body unread.
"""

import json
from collections.abc import Awaitable, Callable

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CORPS_MAX_OCTETS = 11 * 1024 * 1024
"""The largest body any route accepts: a 10 MiB document and its multipart envelope."""

Authentifie = Callable[[Scope], Awaitable[bool]]


class _CorpsTropGros(Exception):
    pass


class LimitesRequetes:
    """ASGI middleware: body size and, for multipart bodies, authentication first."""

    def __init__(
        self, app: ASGIApp, *, authentifie: Authentifie, taille_max: int = CORPS_MAX_OCTETS
    ) -> None:
        self.app = app
        self.authentifie = authentifie
        self.taille_max = taille_max

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        entetes = Headers(scope=scope)
        longueur = entetes.get("content-length", "")
        if longueur.isdigit() and int(longueur) > self.taille_max:
            await _repondre(send, 413, self._trop_gros(f"{longueur} octets annoncés"))
            return
        multipart = entetes.get("content-type", "").lower().startswith("multipart/form-data")
        if multipart and not await self.authentifie(scope):
            await _repondre(
                send,
                401,
                "authentification requise avant l'envoi d'un fichier: jeton "
                "(Authorization: Bearer) ou session console",
                {"www-authenticate": "Bearer"},
            )
            return
        recus = 0
        commence = False

        async def compter() -> Message:
            nonlocal recus
            message = await receive()
            if message["type"] == "http.request":
                recus += len(message.get("body", b""))
                if recus > self.taille_max:
                    raise _CorpsTropGros
            return message

        async def suivre(message: Message) -> None:
            nonlocal commence
            if message["type"] == "http.response.start":
                commence = True
            await send(message)

        try:
            await self.app(scope, compter, suivre)
        except _CorpsTropGros:
            if not commence:
                await _repondre(send, 413, self._trop_gros(f"plus de {self.taille_max} octets"))

    def _trop_gros(self, vu: str) -> str:
        return f"corps de requête trop volumineux ({vu}): au plus {self.taille_max} octets"


async def _repondre(
    send: Send, statut: int, detail: str, entetes: dict[str, str] | None = None
) -> None:
    corps = json.dumps({"detail": detail}, ensure_ascii=False).encode()
    await send(
        {
            "type": "http.response.start",
            "status": statut,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(corps)).encode()),
                *((k.encode(), v.encode()) for k, v in (entetes or {}).items()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": corps})
