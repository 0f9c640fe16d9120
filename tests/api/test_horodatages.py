"""Every timestamp the API returns is timezone-aware UTC in RFC 3339, on SQLite (which hands
naive datetimes back) as on PostgreSQL: the list, a dossier's timeline and the CSV export."""

import csv
import io
from datetime import datetime

from tests.api.conftest import Pile


def _utc(texte: str) -> bool:
    moment = datetime.fromisoformat(texte)
    return moment.utcoffset() is not None and moment.utcoffset().total_seconds() == 0  # type: ignore[union-attr]


async def test_timestamps_carry_their_utc_offset(pile: Pile) -> None:
    cle = await pile.dossier_enregistre()
    entetes = pile.entetes("admin")

    liste = (await pile.http.get("/dossiers", params={"limite": 200}, headers=entetes)).json()
    chronologie = (await pile.http.get(f"/dossiers/{cle}/timeline", headers=entetes)).json()
    export = await pile.http.get(
        "/dossiers/export", params={"format": "csv"}, headers=pile.entetes("superviseur")
    )

    ligne = next(d for d in liste["dossiers"] if d["cle"] == cle)
    assert _utc(ligne["maj_le"]), ligne["maj_le"]
    assert chronologie
    assert all(_utc(evenement["horodatage"]) for evenement in chronologie), chronologie
    rangees = list(csv.reader(io.StringIO(export.text.lstrip("\ufeff")), delimiter=";"))
    colonne = len(rangees[0]) - 1  # maj_le, the last column
    assert all(_utc(rangee[colonne]) for rangee in rangees[1:]), rangees[1][colonne]


async def test_a_date_filter_takes_only_an_iso_date(pile: Pile) -> None:
    """`echeance_avant=0` used to be read as 1 January 1970 (pydantic's timestamp reading):
    the OpenAPI says `format: date`, so only AAAA-MM-JJ is accepted."""
    entetes = pile.entetes("superviseur")
    for valeur, statut in (("0", 422), ("2024-13-45", 422), ("2026-12-05", 200)):
        for route in ("/dossiers", "/dossiers/export"):
            reponse = await pile.http.get(
                route, params={"echeance_avant": valeur, "format": "csv"}, headers=entetes
            )
            assert reponse.status_code == statut, (route, valeur, reponse.text)
