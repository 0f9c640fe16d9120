"""`GET /rapports/beneficiaires?annee=A&format=csv|xlsx`: the yearly list of the contrat-pro
beneficiaries over HTTP (status, content type, body, errors in French). The app runs on a SQLite
read model without Temporal: the list never asks it. Who may call it, on the real stack, is in
test_acces.py."""

import csv
import io
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import openpyxl  # type: ignore[import-untyped]
import pytest

from tests.services.donnees_beneficiaires import SIREN_A, SIREN_B, application

URL = "/rapports/beneficiaires"


@pytest.fixture
async def api(tmp_path: Path) -> AsyncIterator[tuple[httpx.AsyncClient, dict[str, str]]]:
    app, engine, jetons = application(tmp_path)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://api"
    ) as http:
        yield http, {nom: f"Bearer {jeton}" for nom, jeton in jetons.items()}
    engine.dispose()


async def test_the_csv_is_the_year_s_list_with_its_total_line(
    api: tuple[httpx.AsyncClient, dict[str, str]],
) -> None:
    http, jetons = api

    reponse = await http.get(
        URL, params={"annee": "2025"}, headers={"Authorization": jetons["sup"]}
    )

    assert reponse.status_code == 200, reponse.text
    assert reponse.headers["content-type"] == "text/csv; charset=utf-8"
    assert reponse.headers["content-disposition"] == (
        'attachment; filename="beneficiaires-contrat-pro-2025.csv"'
    )
    assert list(csv.reader(io.StringIO(reponse.text.lstrip("\ufeff")), delimiter=";")) == [
        ["siren", "nom", "nombre_aides", "montant_accorde", "montant_verse", "actes"],
        [SIREN_A, "", "2", "10800.00", "4800.00", "arrete+convention"],
        [SIREN_B, "", "1", "3000.00", "0.00", "arrete"],
        ["TOTAL", "2 bénéficiaire(s)", "3", "13800.00", "4800.00", ""],
    ]


async def test_the_workbook_opens_with_the_same_lines(
    api: tuple[httpx.AsyncClient, dict[str, str]],
) -> None:
    http, jetons = api

    reponse = await http.get(
        URL, params={"annee": 2025, "format": "xlsx"}, headers={"Authorization": jetons["ins"]}
    )

    assert reponse.status_code == 200, reponse.text
    assert reponse.headers["content-type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    feuille = openpyxl.load_workbook(io.BytesIO(reponse.content))["beneficiaires"]
    assert [ligne[0].value for ligne in feuille.iter_rows()] == [
        "siren",
        SIREN_A,
        SIREN_B,
        "TOTAL",
    ]


@pytest.mark.parametrize("annee", ["1999", "2101", "vingt", "2025-01-01"])
async def test_a_bad_year_is_a_422_naming_the_field(
    api: tuple[httpx.AsyncClient, dict[str, str]], annee: str
) -> None:
    http, jetons = api

    reponse = await http.get(URL, params={"annee": annee}, headers={"Authorization": jetons["sup"]})

    assert reponse.status_code == 422
    corps = reponse.json()
    assert corps["detail"].startswith("requête invalide: annee: ")
    assert [(e["champ"], e["valeur"]) for e in corps["erreurs"]] == [("annee", annee)]


async def test_a_missing_year_or_an_unknown_format_is_a_422_naming_it(
    api: tuple[httpx.AsyncClient, dict[str, str]],
) -> None:
    http, jetons = api
    entetes = {"Authorization": jetons["sup"]}

    sans_annee = await http.get(URL, headers=entetes)
    mauvais_format = await http.get(URL, params={"annee": 2025, "format": "pdf"}, headers=entetes)

    assert sans_annee.status_code == 422
    assert sans_annee.json()["erreurs"][0]["champ"] == "annee"
    assert sans_annee.json()["erreurs"][0]["regle"] == "champ obligatoire"
    assert mauvais_format.status_code == 422
    assert mauvais_format.json()["erreurs"][0]["champ"] == "format"


async def test_a_reader_and_a_user_without_contrat_pro_are_refused(
    api: tuple[httpx.AsyncClient, dict[str, str]],
) -> None:
    http, jetons = api

    lecteur = await http.get(URL, params={"annee": 2025}, headers={"Authorization": jetons["lec"]})
    autre = await http.get(
        URL, params={"annee": 2025}, headers={"Authorization": jetons["sup-cae"]}
    )
    anonyme = await http.get(URL, params={"annee": 2025})

    assert lecteur.status_code == 403
    assert "rôle 'lecteur'" in lecteur.json()["detail"]
    assert autre.status_code == 403
    assert "contrat-pro" in autre.json()["detail"]
    assert anonyme.status_code == 401


def test_the_openapi_document_describes_the_year_and_the_files(
    tmp_path: Path,
) -> None:
    app, engine, _ = application(tmp_path)
    operation = app.openapi()["paths"][URL]["get"]
    engine.dispose()

    (annee,) = [p for p in operation["parameters"] if p["name"] == "annee"]
    assert annee["required"] is True
    assert (annee["schema"]["minimum"], annee["schema"]["maximum"]) == (2000, 2100)
    assert set(operation["responses"]["200"]["content"]) == {
        "text/csv",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
    assert {"401", "403", "422"} <= set(operation["responses"])
