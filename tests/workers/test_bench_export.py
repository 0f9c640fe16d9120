"""`guichet bench export` on a few hundred dossiers: the figures it prints are about the rows
it really exported (no timing assertion: the figures are for reading, side by side)."""

import re
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
from fastapi import FastAPI
from fastapi.responses import StreamingResponse

from workers.bench.export import TransportEnFlux

GUICHET = str(Path(sys.executable).parent / "guichet")


def _ligne(sortie: str, libelle: str) -> list[str]:
    trouvees = [ligne.split() for ligne in sortie.splitlines() if ligne.strip().startswith(libelle)]
    assert trouvees, f"{libelle!r} absent de:\n{sortie}"
    return trouvees[0][len(libelle.split()) :]


def test_the_export_bench_prints_the_rows_exported_for_n_and_its_tenth_in_both_formats() -> None:
    result = subprocess.run(
        [GUICHET, "bench", "export", "--dossiers", "300", "--format", "both"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    sortie = result.stdout
    assert sortie.startswith("guichet bench export --dossiers 300 --format both")
    blocs = re.split(r"^(csv|xlsx):$", sortie, flags=re.MULTILINE)
    assert blocs[1::2] == ["csv", "xlsx"]
    for bloc in blocs[2::2]:
        assert _ligne(bloc, "lignes exportées") == ["30", "300", "10.00"]
        assert _ligne(bloc, "dossiers en base (filtre)") == ["30", "300", "10.00"]
        assert "Temporal contacté: non" in bloc
        assert float(_ligne(bloc, "RSS max du processus (Mio)")[1]) > 0


def test_the_export_bench_refuses_fewer_than_ten_dossiers_in_one_french_line() -> None:
    result = subprocess.run(
        [GUICHET, "bench", "export", "--dossiers", "5"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )

    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "--dossiers 5: au moins 10" in result.stderr


async def test_the_streaming_transport_hands_chunks_over_before_the_app_has_finished() -> None:
    app = FastAPI()
    envoyes: list[int] = []

    async def morceaux() -> AsyncIterator[bytes]:
        for i in range(50):
            envoyes.append(i)
            yield b"x" * 1000 + b"\n"

    @app.get("/flux")
    async def flux() -> StreamingResponse:
        return StreamingResponse(morceaux(), media_type="text/plain")

    async with (
        httpx.AsyncClient(transport=TransportEnFlux(app, tampon=2), base_url="http://t") as client,
        client.stream("GET", "/flux") as reponse,
    ):
        iterateur = reponse.aiter_raw()
        premier = await anext(iterateur)
        envoyes_au_premier = len(envoyes)
        reste = [m async for m in iterateur]

    assert premier == b"x" * 1000 + b"\n"
    assert envoyes_au_premier < 10  # the app waits for the reader: nothing piles up
    assert len(reste) == 49
