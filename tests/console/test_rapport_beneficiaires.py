"""The console's download of the yearly list of the contrat-pro beneficiaries: the dashboard's
form, the file, the refusals as French pages. The app runs on a SQLite read model without
Temporal (the list and the dashboard never ask it)."""

import csv
import io
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import httpx
import openpyxl  # type: ignore[import-untyped]
import pytest

from tests.services.donnees_beneficiaires import SIREN_A, SIREN_B, application

Connecter = Callable[[str], Awaitable[httpx.AsyncClient]]
URL = "/console/rapports/beneficiaires"


@pytest.fixture
async def connecter(tmp_path: Path) -> AsyncIterator[Connecter]:
    app, engine, jetons = application(tmp_path)
    clients: list[httpx.AsyncClient] = []

    async def connecter(nom: str) -> httpx.AsyncClient:
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://console"
        )
        clients.append(client)
        page = await client.get("/console/connexion")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert csrf is not None
        reponse = await client.post(
            "/console/connexion",
            data={"csrf": csrf.group(1), "nom": nom, "jeton": jetons[nom], "suite": ""},
        )
        assert reponse.status_code == 303, reponse.text
        return client

    yield connecter
    for client in clients:
        await client.aclose()
    engine.dispose()


async def test_the_dashboard_offers_the_list_and_the_form_downloads_the_csv(
    connecter: Connecter,
) -> None:
    client = await connecter("sup")

    tableau = await client.get("/console/tableau-de-bord")
    assert tableau.status_code == 200
    assert "Liste annuelle des bénéficiaires" in tableau.text
    assert f'action="{URL}"' in tableau.text
    assert '<label for="annee-beneficiaires">Année d\'attribution</label>' in tableau.text

    reponse = await client.get(URL, params={"annee": "2025", "format": "csv"})

    assert reponse.status_code == 200, reponse.text
    assert reponse.headers["content-type"] == "text/csv; charset=utf-8"
    assert "beneficiaires-contrat-pro-2025.csv" in reponse.headers["content-disposition"]
    lignes = list(csv.reader(io.StringIO(reponse.text.lstrip("\ufeff")), delimiter=";"))
    assert [ligne[0] for ligne in lignes] == ["siren", SIREN_A, SIREN_B, "TOTAL"]
    assert lignes[1][3:] == ["10800.00", "4800.00", "arrete+convention"]


async def test_an_instructor_downloads_the_workbook(connecter: Connecter) -> None:
    client = await connecter("ins")

    reponse = await client.get(URL, params={"annee": "2025", "format": "xlsx"})

    assert reponse.status_code == 200
    feuille = openpyxl.load_workbook(io.BytesIO(reponse.content))["beneficiaires"]
    assert feuille.cell(row=2, column=1).value == SIREN_A


@pytest.mark.parametrize(
    ("params", "titre", "champ"),
    [
        ({"annee": "20x5"}, "Année invalide", "annee : « 20x5 »"),
        ({}, "Année invalide", "annee : obligatoire"),
        ({"annee": "2025", "format": "pdf"}, "Format invalide", "format : « pdf »"),
    ],
)
async def test_a_bad_year_or_format_is_a_french_page_naming_the_field(
    connecter: Connecter, params: dict[str, str], titre: str, champ: str
) -> None:
    client = await connecter("sup")

    reponse = await client.get(URL, params=params)

    assert reponse.status_code == 422
    assert reponse.headers["content-type"].startswith("text/html")
    assert titre in reponse.text
    assert champ in reponse.text


async def test_a_reader_and_a_supervisor_of_another_scheme_are_refused(
    connecter: Connecter,
) -> None:
    lecteur = await (await connecter("lec")).get(URL, params={"annee": "2025"})
    autre = await connecter("sup-cae")

    assert lecteur.status_code == 403
    assert "Export non autorisé" in lecteur.text
    refus = await autre.get(URL, params={"annee": "2025"})
    assert refus.status_code == 403
    assert "contrat-pro" in refus.text
    tableau = await autre.get("/console/tableau-de-bord")
    assert "Liste annuelle des bénéficiaires" not in tableau.text


async def test_without_a_session_the_download_goes_to_the_login_page(tmp_path: Path) -> None:
    app, engine, _ = application(tmp_path)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://console"
    ) as client:
        reponse = await client.get(URL, params={"annee": "2025"})
    engine.dispose()

    assert reponse.status_code == 303
    assert reponse.headers["location"].startswith("/console/connexion?suite=")
