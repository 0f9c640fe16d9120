"""`guichet bench export`: the dossier export (CSV, Excel) on N synthetic dossiers.

Inserts N and, as the baseline, N/10 synthetic dossiers (realistic values, SQLAlchemy core
batches) into a read model migrated by `workers.runtime.database.upgrade` (a temporary SQLite file
unless a URL is given), then calls the real API (`create_app`, a `superviseur` token) for
`GET /dossiers/export?format=...`, through httpx, and reads the body chunk by chunk without
keeping it. Each measurement runs in a fresh process, so its max RSS is its own.

Figures: rows exported (CSV lines counted in the stream; the workbook written to a temporary
file and read back only after the measurement), seconds and rows/s (a pass without
tracemalloc), the peak Python allocation (tracemalloc, a second pass) and the max RSS
(`resource.getrusage`), for N/10 and N side by side with their ratio: bounded memory shows as
a ratio near 1 while the rows grow tenfold.

httpx's own `ASGITransport` collects the whole body before it returns the response (httpx
0.28), which would measure the transport, not the app: `TransportEnFlux` below hands each
body chunk over as the app sends it (a queue of a few chunks, so the app waits for the
reader, as over a socket).
"""

import asyncio
import multiprocessing
import resource
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import unquote

import httpx
from openpyxl import load_workbook  # type: ignore[import-untyped]
from sqlalchemy import Engine, delete, insert
from sqlmodel import Session, col

from models.tables import Dossier, Jeton, Utilisateur
from workers.api.exports import Format
from workers.runtime import processes
from workers.runtime.database import engine_for, upgrade
from workers.runtime.settings import Settings
from workers.services.utilisateurs import Role, creer_jeton, creer_utilisateur

FORMATS = tuple(f.value for f in Format)
LOT = 5_000
"""Rows per INSERT batch."""
MIB = 1024 * 1024

# --- synthetic dossiers --------------------------------------------------------------------

_STATUTS = (
    "instruction",
    "attente_pieces",
    "en_cours",
    "attente_demande_paiement",
    "rejete",
    "clos_sans_suite",
)
_LIBELLES = (
    "pièces justificatives à fournir",
    "demande de paiement attendue",
    "fin du contrat",
    "relance avant prescription",
    None,
)


def _siret(i: int) -> str:
    return f"{(30_000_000_000_000 + i * 7_919) % 10**14:014d}"


def dossiers_synthetiques(
    n: int, dispositif: str, maintenant: datetime
) -> Iterator[dict[str, Any]]:
    """N rows of the `dossier` table, varied deterministically (no randomness to replay)."""
    for i in range(n):
        accorde = Decimal(4_000 + (i * 37) % 11_000) + Decimal(i % 100) / 100
        verse = (accorde * Decimal(i % 4) / 4).quantize(Decimal("0.01"))
        libelle = _LIBELLES[i % len(_LIBELLES)]
        yield {
            "cle": f"{dispositif}-{i:07d}",
            "dispositif": dispositif,
            "reference": f"CP-2026-{i:07d}",
            "statut": _STATUTS[i % len(_STATUTS)],
            "beneficiaire": _siret(i),
            "montant_accorde": accorde,
            "montant_verse": verse,
            "montant_a_recuperer": Decimal("250.00") if i % 97 == 0 else Decimal("0.00"),
            "prochaine_echeance": None
            if libelle is None
            else date(2026, 1, 1) + timedelta(days=i % 730),
            "libelle_echeance": libelle,
            "anomalies": 1 if i % 13 == 0 else 0,
            "version": 1 + i % 7,
            "maj_le": maintenant - timedelta(minutes=i % 50_000),
        }


def inserer(engine: Engine, n: int, dispositif: str) -> float:
    """Bulk-insert N synthetic dossiers (core `insert`, batches of `LOT`); seconds taken."""
    debut = time.perf_counter()
    lot: list[dict[str, Any]] = []
    with engine.begin() as connexion:
        for ligne in dossiers_synthetiques(n, dispositif, datetime.now(UTC)):
            lot.append(ligne)
            if len(lot) == LOT:
                connexion.execute(insert(Dossier), lot)
                lot = []
        if lot:
            connexion.execute(insert(Dossier), lot)
    return time.perf_counter() - debut


# --- a streaming ASGI transport ------------------------------------------------------------


class _Flux(httpx.AsyncByteStream):
    def __init__(self, file: "asyncio.Queue[bytes | None]", tache: "asyncio.Task[None]") -> None:
        self._file = file
        self._tache = tache

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while (morceau := await self._file.get()) is not None:
            yield morceau
        await self._tache  # the app's errors, if any

    async def aclose(self) -> None:
        if not self._tache.done():
            self._tache.cancel()
        await asyncio.gather(self._tache, return_exceptions=True)


class TransportEnFlux(httpx.AsyncBaseTransport):
    """Calls an ASGI app in process and streams its response body (no lifespan)."""

    def __init__(self, app: Any, tampon: int = 4) -> None:
        self.app = app
        self.tampon = tampon

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        corps = await request.aread()
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": request.method,
            "headers": [(k.lower(), v) for (k, v) in request.headers.raw],
            "scheme": request.url.scheme,
            "path": unquote(request.url.path),
            "raw_path": request.url.raw_path.split(b"?")[0],
            "query_string": request.url.query,
            "server": (request.url.host, request.url.port or 80),
            "client": ("127.0.0.1", 50_000),
            "root_path": "",
        }
        file: asyncio.Queue[bytes | None] = asyncio.Queue(maxsize=self.tampon)
        entete: asyncio.Future[tuple[int, list[tuple[bytes, bytes]]]] = (
            asyncio.get_running_loop().create_future()
        )
        fini = asyncio.Event()
        demande_lue = False

        async def receive() -> dict[str, Any]:
            nonlocal demande_lue
            if not demande_lue:
                demande_lue = True
                return {"type": "http.request", "body": corps, "more_body": False}
            await fini.wait()
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                entete.set_result((message["status"], list(message.get("headers", []))))
            elif message["type"] == "http.response.body":
                if message.get("body"):
                    await file.put(message["body"])
                if not message.get("more_body", False):
                    fini.set()
                    await file.put(None)

        async def appeler() -> None:
            try:
                await self.app(scope, receive, send)
            finally:
                fini.set()
                if not entete.done():
                    entete.set_exception(RuntimeError("l'application n'a pas répondu"))

        tache = asyncio.create_task(appeler())
        statut, entetes = await entete
        return httpx.Response(statut, headers=entetes, stream=_Flux(file, tache))


# --- one measurement (in its own process) --------------------------------------------------


@dataclass(frozen=True)
class Mesure:
    format: str
    dossiers: int
    lignes: int
    octets: int
    duree_s: float
    pic_python_mib: float
    rss_avant_mib: float
    rss_max_mib: float
    temporal_contacte: bool

    @property
    def lignes_par_s(self) -> float:
        return self.lignes / self.duree_s if self.duree_s else 0.0


def _rss_max_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / MIB  # KiB on Linux


async def _exporter(
    client: httpx.AsyncClient, format: str, dispositif: str, jeton: str, sortie: BinaryIO | None
) -> tuple[int, int]:
    """One export through the API: (CSV lines counted in the stream, bytes). The body is not
    kept: each chunk is counted, and written to `sortie` if given (the workbook, read back
    after the measurement)."""
    octets = 0
    fins_de_ligne = 0
    params = {"format": format, "dispositif": dispositif}
    entetes = {"Authorization": f"Bearer {jeton}"}
    async with client.stream("GET", "/dossiers/export", params=params, headers=entetes) as rep:
        if rep.status_code != 200:
            await rep.aread()
            raise RuntimeError(f"export {format}: HTTP {rep.status_code}: {rep.text[:300]}")
        async for morceau in rep.aiter_raw():
            octets += len(morceau)
            fins_de_ligne += morceau.count(b"\n")
            if sortie is not None:
                sortie.write(morceau)
    return fins_de_ligne - 1, octets  # minus the header line


def _lignes_xlsx(chemin: Path) -> int:
    classeur = load_workbook(chemin, read_only=True)
    try:
        # A write-only workbook records no dimension: count the rows (streamed, read-only).
        return sum(1 for _ in classeur["dossiers"].iter_rows(values_only=True)) - 1
    finally:
        classeur.close()


@dataclass(frozen=True)
class Demande:
    """One measurement, sent to its child process."""

    url: str
    format: str
    dispositif: str
    jeton: str
    dossiers: int
    tmp: str


async def _mesurer(demande: Demande, sortie: BinaryIO | None) -> Mesure:
    from workers.api.app import create_app  # noqa: PLC0415  (in the child process only)

    settings = Settings(
        _env_file=None,
        data_dir=Path(demande.tmp),
        database_url=demande.url,
        # A closed port: an attempt to reach Temporal on this path would fail the export.
        temporal_address=f"127.0.0.1:{processes.free_port()}",
    )
    engine = engine_for(demande.url)
    app = create_app(settings, engine=engine, migrer=False)
    args = (demande.format, demande.dispositif, demande.jeton)
    try:
        async with httpx.AsyncClient(
            transport=TransportEnFlux(app), base_url="http://guichet.test", timeout=None
        ) as client:
            rss_avant = _rss_max_mib()
            debut = time.perf_counter()
            lignes, octets = await _exporter(client, *args, sortie)
            duree = time.perf_counter() - debut
            rss_max = _rss_max_mib()
            tracemalloc.start()
            try:
                await _exporter(client, *args, None)
                _, pic = tracemalloc.get_traced_memory()
            finally:
                tracemalloc.stop()
        return Mesure(
            format=demande.format,
            dossiers=demande.dossiers,
            lignes=lignes,
            octets=octets,
            duree_s=duree,
            pic_python_mib=pic / MIB,
            rss_avant_mib=rss_avant,
            rss_max_mib=rss_max,
            temporal_contacte=app.state.contexte._client is not None,
        )
    finally:
        engine.dispose()


def mesurer(demande: Demande) -> Mesure:
    """Entry point of the child process. The workbook goes to a file in `tmp`, counted once
    the measurement is over, then deleted; a CSV is counted in the stream."""
    if demande.format != "xlsx":
        return asyncio.run(_mesurer(demande, None))
    chemin = Path(demande.tmp) / f"export-{demande.dossiers}.xlsx"
    try:
        with chemin.open("wb") as sortie:
            mesure = asyncio.run(_mesurer(demande, sortie))
        return replace(mesure, lignes=_lignes_xlsx(chemin))
    finally:
        chemin.unlink(missing_ok=True)


# --- the benchmark -------------------------------------------------------------------------


@dataclass(frozen=True)
class Resultats:
    dossiers: int
    reference: int
    base: str
    insertion_s: float
    mesures: dict[tuple[str, int], Mesure]

    def lignes(self) -> list[str]:
        n, ref = self.dossiers, self.reference
        sortie = [
            f"base: {self.base}; insertion de {n + ref} dossiers synthétiques en "
            f"{self.insertion_s:.1f} s",
            f"{'':34}{'référence N/10':>16}{'mesure N':>14}{'rapport':>10}",
        ]
        for format in sorted({f for f, _ in self.mesures}):
            a, b = self.mesures[(format, ref)], self.mesures[(format, n)]
            rangees: list[tuple[str, float, float, str]] = [
                ("dossiers en base (filtre)", a.dossiers, b.dossiers, "d"),
                ("lignes exportées", a.lignes, b.lignes, "d"),
                ("taille (Mio)", a.octets / MIB, b.octets / MIB, ".1f"),
                ("durée (s)", a.duree_s, b.duree_s, ".2f"),
                ("lignes/s", a.lignes_par_s, b.lignes_par_s, ".0f"),
                ("pic Python, tracemalloc (Mio)", a.pic_python_mib, b.pic_python_mib, ".2f"),
                ("RSS max avant l'export (Mio)", a.rss_avant_mib, b.rss_avant_mib, ".1f"),
                ("RSS max du processus (Mio)", a.rss_max_mib, b.rss_max_mib, ".1f"),
            ]
            sortie.append(f"{format}:")
            for libelle, x, y, fmt in rangees:
                rapport = f"{y / x:.2f}" if x else "-"
                sortie.append(f"  {libelle:32}{x:>16{fmt}}{y:>14{fmt}}{rapport:>10}")
            contacte = a.temporal_contacte or b.temporal_contacte
            sortie.append(f"  Temporal contacté: {'oui' if contacte else 'non'}")
        return sortie


def _preparer(engine: Engine, run: str) -> str:
    """A `superviseur` user on every scheme and its token (`workers.services.utilisateurs`)."""
    with Session(engine) as session:
        creer_utilisateur(
            session=session, nom=f"bench-export-{run}", role=Role.SUPERVISEUR, dispositifs=["*"]
        )
        session.flush()
        jeton, _ = creer_jeton(session=session, nom=f"bench-export-{run}")
        session.commit()
    return jeton


def _nettoyer(engine: Engine, run: str, dispositifs: list[str]) -> None:
    """Remove what the benchmark wrote (a database given by URL is left as it was)."""
    nom = f"bench-export-{run}"
    with engine.begin() as connexion:
        connexion.execute(delete(Dossier).where(col(Dossier.dispositif).in_(dispositifs)))
        connexion.execute(delete(Jeton).where(col(Jeton.utilisateur) == nom))
        connexion.execute(delete(Utilisateur).where(col(Utilisateur.nom) == nom))


async def run_export(
    dossiers: int, formats: tuple[str, ...] = FORMATS, database_url: str | None = None
) -> Resultats:
    """Measure the export of `dossiers` and of `dossiers // 10` (the baseline)."""
    if dossiers < 10:
        raise ValueError(f"--dossiers {dossiers}: au moins 10 (la référence en exporte N/10)")
    run = uuid.uuid4().hex[:8]
    tailles = (dossiers // 10, dossiers)
    dispositifs = {t: f"bench-{run}-{t}" for t in tailles}
    contexte = multiprocessing.get_context("spawn")
    loop = asyncio.get_running_loop()
    with tempfile.TemporaryDirectory(prefix="guichet-bench-export-") as tmp:
        url = database_url or f"sqlite:///{Path(tmp) / 'lecture.db'}"
        engine = engine_for(url)
        try:
            await asyncio.to_thread(upgrade, engine)
            jeton = _preparer(engine, run)
            insertion = 0.0
            for taille in tailles:
                insertion += await asyncio.to_thread(inserer, engine, taille, dispositifs[taille])
            mesures: dict[tuple[str, int], Mesure] = {}
            for format in formats:
                for taille in tailles:
                    with ProcessPoolExecutor(max_workers=1, mp_context=contexte) as pool:
                        demande = Demande(url, format, dispositifs[taille], jeton, taille, tmp)
                        mesures[(format, taille)] = await loop.run_in_executor(
                            pool, mesurer, demande
                        )
            base = engine.url.render_as_string(hide_password=True)
            if database_url is None:
                base = f"SQLite temporaire ({engine.url.get_backend_name()})"
        finally:
            if database_url is not None:
                _nettoyer(engine, run, list(dispositifs.values()))
            engine.dispose()
    return Resultats(
        dossiers=dossiers,
        reference=tailles[0],
        base=base,
        insertion_s=insertion,
        mesures=mesures,
    )
