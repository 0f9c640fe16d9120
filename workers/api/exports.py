"""`GET /dossiers/export?format=csv|xlsx`: the list's filters, every matching dossier; and
`GET /rapports/beneficiaires?annee=A&format=csv|xlsx`: the yearly list of the contrat-pro
beneficiaries (`workers.services.beneficiaires`, seed 003 section 4).

Bounded memory whatever the number of rows: the query is read in batches (`yield_per`), the
CSV is streamed row by row, the workbook is written by openpyxl in write-only mode to a
temporary file (streamed, then deleted). Only the schemes of the user's scope are exported.
A text that would start a formula is neutralised (`workers.services.tableur`).
"""

import asyncio
import csv
import io
import os
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from fastapi.responses import FileResponse, StreamingResponse
from openpyxl import Workbook  # type: ignore[import-untyped]
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.background import BackgroundTask

from models import depot, libelles
from models.depot import FiltresDossiers
from models.tables import Dossier
from workers.api.deps import ContexteDep, SessionDep, UtilisateurDep
from workers.api.dossiers import FiltresDep
from workers.services import beneficiaires
from workers.services.instruction import EXPORT, filtres_pour, verifier
from workers.services.tableur import csv_sur, xlsx_sur
from workers.services.validation import en_utc

routeur = APIRouter(tags=["exports"])

COLONNES = (
    "cle",
    "dispositif",
    "reference",
    "statut",
    "beneficiaire",
    "montant_accorde",
    "montant_verse",
    "montant_a_recuperer",
    "prochaine_echeance",
    "libelle_echeance",
    "anomalies",
    "maj_le",
)
ENTETES = tuple(libelles.libelle_champ(c) for c in COLONNES)
"""The header row: the catalogue's French labels (the API keeps the codes)."""
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class Format(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


def _valeurs(row: Dossier) -> list[Any]:
    """A row's cells; `maj_le` in UTC with its offset (RFC 3339)."""
    return [en_utc(row.maj_le).isoformat() if c == "maj_le" else getattr(row, c) for c in COLONNES]


LIGNES_PAR_MORCEAU = 500
"""CSV lines per streamed chunk: the response pulls the generator through a worker thread, one
chunk per hop, so one line per chunk spent most of the time in hand-offs
(docs/bench/export.txt). 500 lines are about 90 KB: memory stays bounded."""


def lignes_csv(engine: Engine, filtres: FiltresDossiers) -> Iterator[str]:
    """The CSV in chunks of `LIGNES_PAR_MORCEAU` lines (a generator: nothing is held but the
    current chunk and the current database batch)."""
    tampon = io.StringIO()
    ecrivain = csv.writer(tampon, delimiter=";")

    def sortir() -> str:
        texte = tampon.getvalue()
        tampon.seek(0)
        tampon.truncate(0)
        return texte

    ecrivain.writerow(ENTETES)
    yield "\ufeff" + sortir()  # BOM: spreadsheet software then reads UTF-8
    with Session(engine) as session:
        for rang, row in enumerate(depot.iterer_dossiers(session=session, filtres=filtres), 1):
            ecrivain.writerow([csv_sur(v) for v in _valeurs(row)])
            if rang % LIGNES_PAR_MORCEAU == 0:
                yield sortir()
    reste = sortir()
    if reste:
        yield reste


def ecrire_xlsx(engine: Engine, filtres: FiltresDossiers, chemin: str) -> int:
    classeur = Workbook(write_only=True)
    feuille = classeur.create_sheet("dossiers")
    feuille.append(list(ENTETES))
    nombre = 0
    with Session(engine) as session:
        for row in depot.iterer_dossiers(session=session, filtres=filtres):
            valeurs = _valeurs(row)
            valeurs[-1] = en_utc(row.maj_le).replace(tzinfo=None)  # Excel has no zones (UTC)
            feuille.append([xlsx_sur(feuille, v) for v in valeurs])
            nombre += 1
    classeur.save(chemin)
    return nombre


@routeur.get(
    "/dossiers/export",
    summary="Exporter les dossiers filtrés (CSV ou Excel), en flux",
    responses={
        200: {"content": {"text/csv": {}, XLSX: {}}, "description": "le fichier"},
        401: {"description": "jeton absent, inconnu, révoqué ou expiré"},
        403: {"description": "rôle sans export (lecteur, partenaire)"},
        422: {"description": "paramètre invalide"},
    },
    response_model=None,
)
async def exporter(
    ctx: ContexteDep,
    utilisateur: UtilisateurDep,
    filtres: FiltresDep,
    format: Annotated[Format, Query(description="csv ou xlsx")] = Format.CSV,
) -> StreamingResponse | FileResponse:
    verifier(utilisateur, EXPORT)
    portee = filtres_pour(utilisateur, filtres.depot())
    horodatage = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    if format is Format.CSV:
        return StreamingResponse(
            lignes_csv(ctx.engine, portee),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="dossiers-{horodatage}.csv"'},
        )
    fd, chemin = tempfile.mkstemp(suffix=".xlsx", prefix="guichet-export-")
    os.close(fd)
    try:
        await asyncio.to_thread(ecrire_xlsx, ctx.engine, portee, chemin)
    except BaseException:
        os.unlink(chemin)
        raise
    return FileResponse(
        chemin,
        media_type=XLSX,
        filename=f"dossiers-{horodatage}.xlsx",
        background=BackgroundTask(os.unlink, chemin),
    )


@routeur.get(
    "/rapports/beneficiaires",
    response_class=Response,
    summary="Liste annuelle des bénéficiaires du contrat de professionnalisation (CSV ou Excel)",
    description="Une ligne par bénéficiaire (SIREN) dont une aide a été attribuée (acte pris) "
    "dans l'année civile `annee` : nombre d'aides, montants accordés et versés, type d'acte "
    "(`arrete`, `convention`, `arrete+convention`), puis une ligne TOTAL. Règlement "
    "d'intervention, section 4 ; docs/contrat_pro.md, « Liste annuelle des bénéficiaires ».",
    responses={
        200: {"content": {"text/csv": {}, XLSX: {}}, "description": "le fichier"},
        401: {"description": "jeton absent, inconnu, révoqué ou expiré"},
        403: {
            "description": "rôle sans export (lecteur, partenaire), ou contrat-pro hors du "
            "périmètre de l'utilisateur"
        },
        422: {"description": "année ou format invalide"},
    },
    response_model=None,
)
def rapport_beneficiaires(
    session: SessionDep,
    utilisateur: UtilisateurDep,
    annee: Annotated[
        int,
        Query(
            ge=beneficiaires.ANNEE_MIN,
            le=beneficiaires.ANNEE_MAX,
            description="année civile de l'attribution (AAAA)",
        ),
    ],
    format: Annotated[Format, Query(description="csv ou xlsx")] = Format.CSV,
) -> Response:
    liste = beneficiaires.liste_beneficiaires(session, utilisateur, annee)
    entetes = {
        "Content-Disposition": f'attachment; filename="{beneficiaires.nom_fichier(annee, format)}"'
    }
    if format is Format.CSV:
        return Response(
            beneficiaires.texte_csv(liste).encode(),
            media_type="text/csv; charset=utf-8",
            headers=entetes,
        )
    return Response(beneficiaires.octets_xlsx(liste), media_type=XLSX, headers=entetes)
