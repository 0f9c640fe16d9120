"""Behind the TLS proxy the console's cookies are `Secure`, because uvicorn trusts the proxy's
`X-Forwarded-Proto` from `GUICHET_PROXY_TRUSTED_IPS` only (issue 19): the same header from
anybody else claims nothing."""

import asyncio
from pathlib import Path

import httpx
import pytest

from tests.attente import attendre
from workers.api.app import create_app
from workers.api.serveur import ServeurEmbarque, config_api
from workers.runtime import processes
from workers.runtime.database import engine_for, upgrade
from workers.runtime.settings import Settings


async def _cookie_de_connexion(tmp_path: Path, confiance: str) -> str:
    settings = Settings(
        _env_file=None,
        data_dir=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'lecture.db'}",
        api_port=processes.free_port(),
        proxy_trusted_ips=confiance,
    )
    engine = engine_for(settings.effective_database_url)
    upgrade(engine)
    serveur = ServeurEmbarque(
        config_api(
            create_app(settings, engine=engine, migrer=False),
            settings,
            host="127.0.0.1",
            port=settings.api_port,
        )
    )
    tache = asyncio.create_task(serveur.serve())
    try:
        await attendre(serveur.pret.wait, 30, "uvicorn listening")
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{settings.api_port}") as http:
            reponse = await http.get("/console/connexion", headers={"X-Forwarded-Proto": "https"})
        assert reponse.status_code == 200
        return reponse.headers["set-cookie"]
    finally:
        serveur.should_exit = True
        await tache
        engine.dispose()


@pytest.mark.parametrize(
    ("confiance", "securise"), [("127.0.0.1", True), ("10.0.0.0/8", False)], ids=["proxy", "autre"]
)
async def test_the_console_cookie_is_secure_only_behind_the_trusted_proxy(
    tmp_path: Path, confiance: str, securise: bool
) -> None:
    cookie = await _cookie_de_connexion(tmp_path, confiance)

    assert cookie.startswith("guichet_console_connexion=")
    assert ("secure" in cookie.lower()) is securise, cookie
