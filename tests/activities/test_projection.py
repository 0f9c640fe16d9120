"""A step's outputs in one activity (`activities/projection.py`, issue 16): the outbound events
first, in order, then the read-model write; retried after a failed write, the events go out
again with the same ids (at least once, consumers deduplicate on the id) and the write is
applied once. On SQLite and on a real PostgreSQL."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select
from temporalio.testing import ActivityEnvironment

from activities.projection import ProjectionActivities
from events import topics
from models import depot
from models.dossier import Enregistrement, EntreeAudit, Nature, ProjectionDossier
from models.evenements import EvenementSortant
from models.tables import Audit, Dossier
from tests.fakes import FakePublisher

T0 = datetime(2026, 12, 9, 0, 0, tzinfo=UTC)
CLE = "contrat-pro:ECH-1"


def _etape() -> Enregistrement:
    def sortant(n: int, type_: str) -> EvenementSortant:
        return EvenementSortant(
            topic=topics.DOSSIERS, id=f"{CLE}/{n}", type=type_, subject="ECH-1", time=T0, data={}
        )

    return Enregistrement(
        publications=[
            sortant(3, "guichet.dossier.prescrit.v1"),
            sortant(4, "guichet.dossier.statut.v1"),
        ],
        audit=[
            EntreeAudit(
                dossier=CLE,
                cle_unique="echeance/demande/2026-12-08",
                horodatage=T0,
                nature=Nature.ECHEANCE,
                type="demande",
                auteur="guichet",
            )
        ],
        projection=ProjectionDossier(
            cle=CLE,
            dispositif="contrat-pro",
            reference="ECH-1",
            statut="prescrit",
            version=3,
            maj_le=T0,
        ),
    )


async def test_the_events_go_out_in_order_before_the_write(engine: Engine) -> None:
    publisher = FakePublisher()
    ecrit_avant: list[bool] = []
    original = publisher.publish

    async def publier(topic: str, key: str, value: bytes, headers: object = ()) -> None:
        with Session(engine) as session:
            ecrit_avant.append(session.get(Dossier, CLE) is not None)
        await original(topic, key, value)

    publisher.publish = publier  # type: ignore[method-assign]

    fait = await ActivityEnvironment().run(
        ProjectionActivities(engine, publisher).enregistrer_dossier, _etape()
    )

    assert publisher.ids() == [f"{CLE}/3", f"{CLE}/4"]
    assert ecrit_avant == [False, False]
    assert fait == _etape()
    with Session(engine) as session:
        dossier = session.get(Dossier, CLE)
        assert dossier is not None
        assert dossier.statut == "prescrit"


async def test_retried_after_a_failed_write_the_events_go_again_same_ids_and_the_write_once(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    publisher = FakePublisher()
    activites = ProjectionActivities(engine, publisher)
    projeter = depot.projeter_dossier
    echecs = [RuntimeError("base indisponible")]

    def projeter_une_fois_en_echec(**kwargs: object) -> None:
        if echecs:
            raise echecs.pop()
        projeter(**kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(depot, "projeter_dossier", projeter_une_fois_en_echec)
    with pytest.raises(RuntimeError, match="base indisponible"):
        await ActivityEnvironment().run(activites.enregistrer_dossier, _etape())
    await ActivityEnvironment().run(activites.enregistrer_dossier, _etape())

    assert publisher.ids() == [f"{CLE}/3", f"{CLE}/4"] * 2
    with Session(engine) as session:
        lignes = session.exec(select(Audit).where(col(Audit.dossier) == CLE)).all()
        assert [ligne.cle_unique for ligne in lignes] == ["echeance/demande/2026-12-08"]
        dossier = session.get(Dossier, CLE)
        assert dossier is not None
        assert dossier.version == 3
