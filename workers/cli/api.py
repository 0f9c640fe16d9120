"""`guichet api`: serve the HTTP API (and the OpenAPI document at /docs, /openapi.json)."""

import argparse

import uvicorn

from workers.api.app import create_app
from workers.api.serveur import config_api
from workers.runtime.settings import Settings


async def _api(settings: Settings, args: argparse.Namespace) -> int:
    app = create_app(settings)
    config = config_api(
        app, settings, host=args.host or settings.api_host, port=args.port or settings.api_port
    )
    server = uvicorn.Server(config)
    print(f"API guichet sur http://{config.host}:{config.port} (documentation: /docs)", flush=True)
    await server.serve()
    return 0


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    api = commands.add_parser("api", help="servir l'API HTTP (instructeurs, partenaires)")
    api.add_argument("--host", help="adresse d'écoute (défaut: GUICHET_API_HOST)")
    api.add_argument("--port", type=int, help="port (défaut: GUICHET_API_PORT)")
    api.set_defaults(run=_api)
