"""Logging out ends every console session of the user at once, a copied cookie included
(issue 19: the session version, `utilisateur.version_session`); the user logs in again fine."""

import re

import httpx
import pytest

from tests.console.conftest import Pile

pytestmark = pytest.mark.integration

NOM = "louis.lecteur"


async def _connecter(pile: Pile) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=pile.url, follow_redirects=False)
    page = await client.get("/console/connexion")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf is not None
    reponse = await client.post(
        "/console/connexion",
        data={"csrf": csrf.group(1), "nom": NOM, "jeton": pile.jetons[NOM], "suite": ""},
    )
    assert reponse.status_code == 303, reponse.text
    return client


async def _csrf(client: httpx.AsyncClient) -> str:
    page = await client.get("/console/file")
    assert page.status_code == 200, page.status_code
    trouve = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert trouve is not None
    return trouve.group(1)


async def test_logging_out_ends_every_session_of_the_user_and_a_copied_cookie(
    pile_console: Pile,
) -> None:
    bureau, portable = await _connecter(pile_console), await _connecter(pile_console)
    copie = httpx.AsyncClient(
        base_url=pile_console.url, follow_redirects=False, cookies=dict(bureau.cookies)
    )
    try:
        assert (await portable.get("/console/file")).status_code == 200

        sortie = await bureau.post("/console/deconnexion", data={"csrf": await _csrf(bureau)})

        assert sortie.status_code == 303
        for client in (bureau, portable, copie):
            apres = await client.get("/console/file")
            assert apres.status_code == 303, "the session is over"
            assert apres.headers["location"].startswith("/console/connexion")
        de_nouveau = await _connecter(pile_console)
        assert (await de_nouveau.get("/console/file")).status_code == 200
        await de_nouveau.aclose()
    finally:
        for client in (bureau, portable, copie):
            await client.aclose()
