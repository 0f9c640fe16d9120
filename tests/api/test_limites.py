"""Limits before the body is read (issue 19): an anonymous multipart upload is refused before
anything is parsed or written to disk, and a body over the cap is refused whether it announces
its length or streams it."""

from collections.abc import AsyncIterator
from typing import Any

import pytest
from starlette import formparsers

from tests.api.conftest import PDF, Pile
from workers.api.limites import CORPS_MAX_OCTETS


@pytest.fixture
def analyses(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Each multipart body the app parses (the parser spills files over 1 MB to disk)."""
    vues: list[int] = []
    origine = formparsers.MultiPartParser.parse

    async def espion(self: formparsers.MultiPartParser) -> Any:
        vues.append(1)
        return await origine(self)

    monkeypatch.setattr(formparsers.MultiPartParser, "parse", espion)
    return vues


async def test_an_anonymous_upload_gets_401_before_its_body_is_parsed(
    pile: Pile, analyses: list[int]
) -> None:
    cle = await pile.dossier_enregistre()
    fichier = PDF + b"0" * (5 * 1024 * 1024)  # over the parser's 1 MB in-memory threshold

    sans_jeton = await pile.http.post(
        f"/dossiers/{cle}/documents", files={"fichier": ("a.pdf", fichier, "application/pdf")}
    )
    jeton_faux = await pile.http.post(
        f"/dossiers/{cle}/documents",
        files={"fichier": ("a.pdf", fichier, "application/pdf")},
        headers={"Authorization": "Bearer faux"},
    )

    assert sans_jeton.status_code == 401, sans_jeton.text
    assert jeton_faux.status_code == 401
    assert analyses == [], "nothing parsed, nothing written to disk"
    accepte = await pile.http.post(
        f"/dossiers/{cle}/documents",
        files={"fichier": ("a.pdf", fichier, "application/pdf")},
        headers=pile.entetes("instructeur"),
    )
    assert accepte.status_code == 201, accepte.text
    assert analyses == [1], "the spy sees a parse when there is one"


async def test_a_body_over_the_cap_is_refused_announced_or_streamed(pile: Pile) -> None:
    annonce = await pile.http.post(
        "/evenements",
        content=b"x" * (CORPS_MAX_OCTETS + 1),
        headers={"Content-Type": "application/cloudevents+json", **pile.entetes("partenaire")},
    )

    async def morceaux() -> AsyncIterator[bytes]:
        for _ in range(CORPS_MAX_OCTETS // (1024 * 1024) + 2):
            yield b"x" * (1024 * 1024)

    en_flux = await pile.http.post(
        "/evenements",
        content=morceaux(),
        headers={"Content-Type": "application/cloudevents+json", **pile.entetes("partenaire")},
    )

    assert annonce.status_code == 413, annonce.text
    assert "corps de requête trop volumineux" in annonce.json()["detail"]
    assert en_flux.status_code == 413, en_flux.text
