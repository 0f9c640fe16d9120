"""The console's pages over plain HTTP (no browser): sessions, CSRF, bad input, access."""

import html
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal

import httpx
import pytest

from tests.console.conftest import Pile

pytestmark = pytest.mark.integration


@asynccontextmanager
async def _connecte(pile: Pile, nom: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=pile.url, follow_redirects=False) as client:
        page = await client.get("/console/connexion")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert csrf is not None
        reponse = await client.post(
            "/console/connexion",
            data={"csrf": csrf.group(1), "nom": nom, "jeton": pile.jetons[nom], "suite": ""},
        )
        assert reponse.status_code == 303, reponse.text
        yield client


async def test_a_page_without_a_session_redirects_to_the_login_form(pile_console: Pile) -> None:
    async with httpx.AsyncClient(base_url=pile_console.url) as client:
        reponse = await client.get("/console/file?statut=instruction")
    assert reponse.status_code == 303
    assert reponse.headers["location"].startswith("/console/connexion?suite=")


async def test_a_wrong_token_is_refused_without_saying_which_field_was_wrong(
    pile_console: Pile,
) -> None:
    async with httpx.AsyncClient(base_url=pile_console.url) as client:
        page = await client.get("/console/connexion")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert csrf is not None
        reponse = await client.post(
            "/console/connexion",
            data={"csrf": csrf.group(1), "nom": "claire.instructrice", "jeton": "faux"},
        )
    assert reponse.status_code == 401
    assert "nom d'utilisateur ou jeton incorrect" in html.unescape(reponse.text)
    assert "guichet_console=" not in reponse.headers.get("set-cookie", "")


async def test_the_login_form_without_its_csrf_token_is_refused(pile_console: Pile) -> None:
    async with httpx.AsyncClient(base_url=pile_console.url) as client:
        reponse = await client.post(
            "/console/connexion",
            data={
                "nom": "claire.instructrice",
                "jeton": pile_console.jetons["claire.instructrice"],
            },
        )
    assert reponse.status_code == 403
    assert "Le formulaire a expiré" in html.unescape(reponse.text)


async def test_the_session_cookie_is_httponly_and_samesite_strict(pile_console: Pile) -> None:
    async with httpx.AsyncClient(base_url=pile_console.url) as client:
        page = await client.get("/console/connexion")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert csrf is not None
        reponse = await client.post(
            "/console/connexion",
            data={
                "csrf": csrf.group(1),
                "nom": "louis.lecteur",
                "jeton": pile_console.jetons["louis.lecteur"],
            },
        )
    cookie = reponse.headers["set-cookie"]
    assert "guichet_console=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie or "SameSite=Strict" in cookie


async def test_a_decision_without_the_csrf_token_is_refused_and_changes_nothing(
    pile_console: Pile,
) -> None:
    cle = f"contrat-pro:{pile_console.dossiers['instruit']}"
    async with _connecte(pile_console, "claire.instructrice") as client:
        reponse = await client.post(f"/console/decisions/{cle}", data={"type": "accepter"})
    assert reponse.status_code == 403
    assert "Jeton CSRF absent ou invalide" in html.unescape(reponse.text)
    assert pile_console.statut(cle) == "instruction"


async def test_a_bad_filter_is_named_in_french_not_a_500(pile_console: Pile) -> None:
    async with _connecte(pile_console, "claire.instructrice") as client:
        reponse = await client.get("/console/file?echeance=demain&dispositif=inconnu")
    assert reponse.status_code == 422
    assert "dispositif « inconnu » inconnu" in html.unescape(reponse.text)
    assert "échéance « demain »" in html.unescape(reponse.text)


async def test_a_reader_cannot_open_the_dashboard(pile_console: Pile) -> None:
    async with _connecte(pile_console, "louis.lecteur") as client:
        reponse = await client.get("/console/tableau-de-bord")
    assert reponse.status_code == 403
    assert "réservé aux rôles superviseur et admin" in html.unescape(reponse.text)


async def test_a_reader_outside_the_are_scheme_does_not_see_the_campaign(
    pile_console: Pile,
) -> None:
    async with _connecte(pile_console, "louis.lecteur") as client:
        reponse = await client.get("/console/are/are-campagne:2023-2024")
    assert reponse.status_code == 403


async def test_the_commission_table_exports_as_csv_with_totals_per_envelope(
    pile_console: Pile,
) -> None:
    async with _connecte(pile_console, "claire.instructrice") as client:
        reponse = await client.get("/console/are/table/are-campagne%3A2023-2024")
    assert reponse.status_code == 200, reponse.text
    assert reponse.headers["content-type"].startswith("text/csv")
    lignes = reponse.text.lstrip("\ufeff").splitlines()
    assert lignes[0].startswith("UAI;Dotation pré-bac (€);Dotation post-bac (€)")
    total = lignes[-1].split(";")
    assert total[0] == "TOTAL"
    corps = [ligne.split(";") for ligne in lignes[1:-1]]
    assert len(corps) == 3
    for colonne in (1, 2, 5):
        assert sum(Decimal(ligne[colonne]) for ligne in corps) == Decimal(total[colonne])
    assert Decimal(total[5]) == Decimal(total[1]) + Decimal(total[2]) > 0
