"""The retention job on the time-skipping test server, against a real read model (SQLite,
migrated): a closed dossier past its retention period is purged of its personal data and keeps
its figures; one not yet aged is untouched until its day comes."""

import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from sqlalchemy import Engine
from sqlmodel import Session, select
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from models import depot
from models.depot_rgpd import PURGE
from models.dossier import EntreeAudit, Nature, ProjectionDossier
from models.retention import BilanRetention, EntreeRetention
from models.tables import Audit, Dossier, PieceJointe
from workers.runtime.database import engine_for, upgrade
from workers.runtime.retention import RetentionWorkflow, activites_retention

SIRET = "73282932000074"


@dataclass
class FakeDocuments:
    supprimes: list[str] = field(default_factory=list)

    def supprimer_dossier(self, dossier: str) -> list[str]:
        self.supprimes.append(dossier)
        return [f"{dossier}/cerfa.pdf"]


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine = engine_for(f"sqlite:///{tmp_path_factory.mktemp('retention') / 'lecture.db'}")
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def documents() -> FakeDocuments:
    return FakeDocuments()


@pytest.fixture(scope="module")
async def task_queue(
    time_skipping_env: WorkflowEnvironment, engine: Engine, documents: FakeDocuments
) -> AsyncIterator[str]:
    queue = f"retention-{uuid.uuid4()}"
    async with Worker(
        time_skipping_env.client,
        task_queue=queue,
        workflows=[RetentionWorkflow],
        activities=activites_retention(engine, documents),
    ):
        yield queue


def _dossier(
    engine: Engine, dispositif: str, statut: str, ferme_le: datetime, paye_le: datetime | None
) -> str:
    """A closed dossier as the workflows project it: personal data in its history's details,
    a document, a payment executed at `paye_le`."""
    cle = f"{dispositif}:R-{uuid.uuid4().hex[:8]}"
    with Session(engine) as session:
        depot.projeter_dossier(
            session=session,
            projection=ProjectionDossier(
                cle=cle,
                dispositif=dispositif,
                reference=cle.split(":", 1)[1],
                statut=statut,
                beneficiaire=SIRET,
                montant_accorde=Decimal("6000.00"),
                montant_verse=Decimal("6000.00") if paye_le else Decimal("0.00"),
                version=1,
                maj_le=ferme_le,
            ),
        )
        lignes = [
            (Nature.EVENEMENT, "e1", {"statut_avant": "nouveau"}),
            (Nature.DECISION, "d1", {"motif": "M. Jean Dupont, né le 12/03/1990: pièces ok"}),
            (
                Nature.PUBLICATION,
                "p1",
                {
                    "topic": "guichet.notifications",
                    "destinataire": "employeur",
                    "message": "Aide accordée à Jean Dupont",
                    "montant": "6000.00",
                    "date_naissance_salarie": "1990-03-12",
                },
            ),
        ]
        for nature, cle_unique, detail in lignes:
            depot.ajouter_audit(
                session=session,
                entree=EntreeAudit(
                    dossier=cle,
                    cle_unique=cle_unique,
                    horodatage=ferme_le,
                    nature=nature,
                    type="t",
                    auteur="instructeur.a",
                    detail=detail,
                ),
            )
        if paye_le is not None:
            depot.enregistrer_ordre(
                session=session,
                id=f"{cle}/paiement/1",
                dossier=cle,
                periode="paiement",
                montant=Decimal("6000.00"),
                statut="execute",
                maj_le=paye_le,
            )
        session.add(
            PieceJointe(
                id=f"{cle}-1",
                dossier=cle,
                sha256="0" * 64,
                taille=1234,
                type_contenu="application/pdf",
                nom_fichier="cerfa-jean-dupont.pdf",
                type_document="cerfa",
                auteur="portail",
                depose_le=ferme_le,
            )
        )
        session.commit()
    return cle


async def _run(env: WorkflowEnvironment, task_queue: str) -> BilanRetention:
    """One daily run. Time skipping is off while it runs: the purge activities run in threads
    and the server would otherwise jump to the run's (10-year default) timeout meanwhile; the
    test moves the clock itself with `env.sleep`."""
    with env.auto_time_skipping_disabled():
        bilan: BilanRetention = await env.client.execute_workflow(
            "retention",
            EntreeRetention(),
            id=f"retention-{uuid.uuid4()}",
            task_queue=task_queue,
            result_type=BilanRetention,
        )
    return bilan


def _details(engine: Engine, cle: str) -> dict[str, dict[str, object]]:
    with Session(engine) as session:
        lignes = session.exec(select(Audit).where(Audit.dossier == cle)).all()
        return {ligne.cle_unique: ligne.detail for ligne in lignes}


async def test_a_dossier_past_its_retention_is_purged_and_keeps_its_figures_while_a_younger_one_waits(  # noqa: E501
    time_skipping_env: WorkflowEnvironment,
    task_queue: str,
    engine: Engine,
    documents: FakeDocuments,
) -> None:
    now = await time_skipping_env.get_current_time()
    # Contrat-pro, seed 003: 10 years after the payment. Paid 10 years minus 3 days ago, it
    # closed (archived) since; a CAE-DOM convention paid 5 years ago and closed.
    paye_le = now - relativedelta(years=10) + timedelta(days=3)
    contrat = _dossier(engine, "contrat-pro", "archive", now - timedelta(days=1), paye_le)
    cae = _dossier(
        engine, "cae-dom", "clos", now - relativedelta(years=5), now - relativedelta(years=5)
    )
    avant = _details(engine, cae)

    premier = await _run(time_skipping_env, task_queue)
    assert contrat not in premier.purges
    assert _details(engine, contrat)["d1"]["motif"] != PURGE

    await time_skipping_env.sleep(timedelta(days=5))
    second = await _run(time_skipping_env, task_queue)

    assert contrat in second.purges
    assert cae not in second.purges
    details = _details(engine, contrat)
    assert details["d1"] == {"motif": PURGE}
    assert details["p1"] == {
        "topic": "guichet.notifications",
        "destinataire": "employeur",
        "message": PURGE,
        "montant": "6000.00",
        "date_naissance_salarie": PURGE,
    }
    assert details["e1"] == {"statut_avant": "nouveau"}
    purge = next(d for cle_unique, d in details.items() if cle_unique.startswith("purge/"))
    assert purge["champs_audit"] == ["date_naissance_salarie", "message", "motif"]
    assert purge["documents_supprimes"] == 1
    assert documents.supprimes == [contrat]
    with Session(engine) as session:
        row = session.get(Dossier, contrat)
        assert row is not None
        assert (row.dispositif, row.statut, row.montant_verse, row.beneficiaire) == (
            "contrat-pro",
            "archive",
            Decimal("6000.00"),
            None,
        )
        assert row.purge_le is not None
        piece = session.get(PieceJointe, f"{contrat}-1")
        assert piece is not None
        assert (piece.nom_fichier, piece.taille) == (PURGE, 1234)
        natures = session.exec(select(Audit.nature).where(Audit.dossier == contrat)).all()
        assert sorted(natures) == ["decision", "evenement", "publication", "purge"]
        untouched = session.get(Dossier, cae)
        assert untouched is not None
        assert (untouched.beneficiaire, untouched.purge_le) == (SIRET, None)
    assert _details(engine, cae) == avant


async def test_a_purged_dossier_is_not_purged_twice(
    time_skipping_env: WorkflowEnvironment, task_queue: str, engine: Engine
) -> None:
    now = await time_skipping_env.get_current_time()
    cle = _dossier(engine, "exapro-import", "rejete", now - relativedelta(years=2), None)
    assert cle in (await _run(time_skipping_env, task_queue)).purges
    assert cle not in (await _run(time_skipping_env, task_queue)).purges
    with Session(engine) as session:
        purges = session.exec(
            select(Audit).where(Audit.dossier == cle, Audit.nature == "purge")
        ).all()
    assert len(purges) == 1
