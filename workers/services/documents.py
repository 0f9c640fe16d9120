"""Supporting documents: stored behind a small interface, checked, recorded, and the workflow
told.

`Stockage` is the interface (put/get/delete by id). `StockageDisque` keeps files under
`settings.effective_documents_dir` (two-level fan-out by id; the id is the file's SHA-256, so
the same bytes are stored once; the metadata row `piece_jointe` links it to a dossier). In
production an S3-compatible object store is the documented choice (same three operations,
id = object key); not implemented here.

`deposer` checks the type (PDF, PNG, JPEG: declared content type AND the file's magic bytes),
the size, computes the SHA-256, stores the file, writes its metadata row, audits the upload,
and, for a scheme that has a document event (contrat-pro: `portail.contrat-pro.document-
ajoute.v1`), sends that event to the workflow with an id derived from the dossier and the
SHA-256 (`document/<sha256>`): uploading the same file again is idempotent end to end. A scheme
with no document event (CAE-DOM, ARE, EXAPRO) stores and audits only.
"""

import hashlib
import os
import re
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

import structlog
from sqlmodel import Session, select
from temporalio.client import Client

from events.catalogue import CATALOGUE
from events.delivery import Livrable
from models import depot
from models.dossier import EntreeAudit, Nature
from models.evenements import CloudEvent
from models.tables import PieceJointe
from workers.services.evenements import livrer
from workers.services.instruction import DOCUMENT, dossier_accessible
from workers.services.regimes import regime
from workers.services.utilisateurs import Identite
from workers.services.validation import EntreeInvalide, ErreurChamp

log = structlog.get_logger(__name__)

TAILLE_MAX = 10 * 1024 * 1024
"""Largest document accepted, in bytes (10 MiB: a scanned multi-page CERFA fits)."""
TYPES_ACCEPTES = {
    "application/pdf": b"%PDF-",
    "image/png": b"\x89PNG\r\n\x1a\n",
    "image/jpeg": b"\xff\xd8\xff",
}
"""Content types accepted, with the magic bytes the file must start with."""
SOURCE = "/guichet/api"
ID = re.compile(r"^[0-9a-f]{64}$")


class DocumentTropGros(ValueError):
    """HTTP 413."""


class TypeNonAccepte(ValueError):
    """HTTP 415."""


class Stockage(Protocol):
    def put(self, id: str, contenu: bytes) -> None: ...
    def get(self, id: str) -> bytes: ...
    def delete(self, id: str) -> None: ...


class StockageDisque:
    """Files on disk, one per id, written atomically (temp file + rename)."""

    def __init__(self, racine: Path) -> None:
        self.racine = racine

    def _chemin(self, id: str) -> Path:
        if not ID.match(id):
            raise ValueError(f"identifiant de document invalide: {id!r}")
        return self.racine / id[:2] / id

    def put(self, id: str, contenu: bytes) -> None:
        chemin = self._chemin(id)
        chemin.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=chemin.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(contenu)
            os.replace(tmp, chemin)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def get(self, id: str) -> bytes:
        return self._chemin(id).read_bytes()

    def delete(self, id: str) -> None:
        self._chemin(id).unlink(missing_ok=True)


def verifier_contenu(contenu: bytes, type_contenu: str, taille_max: int = TAILLE_MAX) -> str:
    """The normalised content type, or `DocumentTropGros` / `TypeNonAccepte` naming the rule."""
    if len(contenu) > taille_max:
        raise DocumentTropGros(
            f"fichier de {len(contenu)} octets: au plus {taille_max} octets "
            f"({taille_max // (1024 * 1024)} Mio)"
        )
    declare = type_contenu.split(";", maxsplit=1)[0].strip().lower()
    if declare not in TYPES_ACCEPTES:
        raise TypeNonAccepte(
            f"type de contenu {declare or '(absent)'!r} refusé: seuls "
            f"{', '.join(TYPES_ACCEPTES)} sont acceptés"
        )
    if not contenu.startswith(TYPES_ACCEPTES[declare]):
        raise TypeNonAccepte(f"le contenu ne ressemble pas à un fichier {declare} (signature)")
    return declare


def _nom_fichier(nom: str | None) -> str:
    base = Path(nom or "document").name
    return re.sub(r"[^\w.\- ]", "_", base)[:255] or "document"


async def deposer(
    *,
    session: Session,
    client: Client | None,
    task_queue: str,
    stockage: Stockage,
    cle: str,
    contenu: bytes,
    type_contenu: str,
    nom_fichier: str | None,
    type_document: str,
    acteur: Identite | None,
    auteur: str,
    taille_max: int = TAILLE_MAX,
) -> PieceJointe:
    """Check, store, record and audit a document, then tell the workflow if its scheme has a
    document event. Uploading the same bytes to the same dossier again changes nothing."""
    row = dossier_accessible(session, cle, acteur, DOCUMENT)
    r = regime(row.dispositif)
    types = r.types_document if r else ("autre",)
    if type_document not in types:
        raise EntreeInvalide(
            "type de document inconnu pour ce dispositif",
            [
                ErreurChamp(
                    champ="type_document",
                    valeur=type_document,
                    regle=f"l'un de {', '.join(types)} (dispositif {row.dispositif})",
                )
            ],
        )
    declare = verifier_contenu(contenu, type_contenu, taille_max)
    sha = hashlib.sha256(contenu).hexdigest()
    piece = session.exec(
        select(PieceJointe).where(PieceJointe.dossier == row.cle, PieceJointe.sha256 == sha)
    ).first()
    if piece is None:
        stockage.put(sha, contenu)  # content-addressed: the same bytes are stored once
        piece = PieceJointe(
            id=hashlib.sha256(f"{row.cle}/{sha}".encode()).hexdigest(),
            dossier=row.cle,
            sha256=sha,
            taille=len(contenu),
            type_contenu=declare,
            nom_fichier=_nom_fichier(nom_fichier),
            type_document=type_document,
            auteur=auteur,
            depose_le=datetime.now(UTC),
        )
    depose_le = piece.depose_le
    if depose_le.tzinfo is None:  # SQLite gives naive datetimes back (stored as UTC)
        depose_le = depose_le.replace(tzinfo=UTC)
    depot.ajouter_audit(
        session=session,
        entree=EntreeAudit(
            dossier=row.cle,
            cle_unique=f"document/{sha}",
            horodatage=depose_le,
            nature=Nature.EVENEMENT,
            type="document_depose",
            auteur=auteur,
            detail={
                "sha256": sha,
                "taille": piece.taille,
                "type_contenu": declare,
                "type_document": type_document,
                "workflow_informe": r is not None and r.evenement_document is not None,
            },
        ),
    )
    session.add(piece)
    session.commit()
    if client is not None and r is not None and r.evenement_document and r.donnees_document:
        spec = CATALOGUE[r.evenement_document]
        event = CloudEvent(
            id=f"document/{row.cle}/{sha}",
            source=SOURCE,
            type=spec.nom,
            subject=row.reference,
            time=depose_le,
            data=r.donnees_document(type_document, f"guichet:{sha}"),
        )
        spec.contrat.model_validate(event.data)
        await livrer(client, task_queue, Livrable(event=event, type=spec))
        piece.workflow_informe = True
        session.add(piece)
        session.commit()
        session.refresh(piece)
    log.info("document_depose", dossier=row.cle, sha256=sha, taille=piece.taille)
    return piece
