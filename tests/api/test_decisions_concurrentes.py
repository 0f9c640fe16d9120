"""Two instructors decide on the same dossier at once: the second decision passes the update's
validator (the state has not moved yet) and is refused when its turn comes. The API answers
409 with the reason and nothing of it is recorded; the decisions that were applied keep their
audit lines (`workflows/dossier.py`, one refusal semantics, audit keyed by the update's id)."""

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from temporalio import activity
from temporalio.api.enums.v1 import EventType

from activities.cumul_contrat_pro import reserver_aide_contrat_pro, reserver_cumul_contrat_pro
from events.catalogue import CATALOGUE
from events.delivery import Livrable, deliver
from models.contrat_pro import EntreeCumul, ReservationFaite
from tests.api.conftest import Pile
from tests.attente import attendre
from tests.factories import contrat_enregistre, demande_deposee
from tests.fakes import FakePublisher
from workers.runtime import temporal


class ReservationRetenue:
    """Holds the acceptance's reservation on the beneficiary's ledger (the step's first
    activity, `reserver_aide_contrat_pro`) until the test releases it: the workflow is then in
    the middle of applying the decision, its status not changed yet."""

    def __init__(self) -> None:
        self.retenue = asyncio.Event()
        self.liberee = asyncio.Event()

    @activity.defn(name="reserver_aide_contrat_pro")
    async def reserver(self, entree: EntreeCumul) -> ReservationFaite:
        self.retenue.set()
        await self.liberee.wait()
        return await reserver_aide_contrat_pro(entree)


async def _mises_a_jour_acceptees(pile: Pile, cle: str) -> int:
    historique = await pile.client.get_workflow_handle(cle).fetch_history()
    return sum(
        1
        for e in historique.events
        if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED
    )


async def test_a_decision_refused_when_applied_gets_409_and_leaves_no_audit_line(
    pile: Pile, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reservation = ReservationRetenue()
    monkeypatch.setattr(
        temporal, "ACTIVITES_CUMUL", (reservation.reserver, reserver_cumul_contrat_pro)
    )
    task_queue = f"concurrentes-{uuid.uuid4()}"
    numero = f"CONC-{uuid.uuid4().hex[:8]}"
    cle = f"contrat-pro:{numero}"
    debut = datetime.now(UTC).date()
    async with temporal.build_worker(
        pile.client, task_queue, FakePublisher(), pile.engine, tmp_path
    ):
        for event in (
            contrat_enregistre(numero, debut=debut, event_id=f"{numero}/reg"),
            demande_deposee(numero, debut + timedelta(days=1)),
        ):
            assert (
                await deliver(pile.client, task_queue, Livrable(event, CATALOGUE[event.type]))
                is None
            )
        await pile.attendre(cle, lambda r: r.statut == "instruction")

        def decider(type_: str, auteur: str) -> "asyncio.Task[httpx.Response]":
            return asyncio.create_task(
                pile.http.post(
                    f"/dossiers/{cle}/decisions",
                    json={"type": type_, "motif": "instruit"},
                    headers=pile.entetes(auteur),
                )
            )

        acceptation = decider("accepter", "instructeur")
        await attendre(reservation.retenue.is_set, 30, "l'acceptation en cours d'application")
        rejet = decider("rejeter", "admin")
        await attendre(
            lambda: _mises_a_jour_acceptees(pile, cle),
            30,
            "le rejet accepté par le validateur (statut encore « instruction »)",
            jusqu_a=lambda n: n == 2,
        )
        reservation.liberee.set()

        accepte, refuse = await acceptation, await rejet
        assert accepte.status_code == 200, accepte.text
        assert accepte.json()["statut"] == "en_cours"
        assert refuse.status_code == 409, refuse.text
        assert "rejeter: le dossier n'est pas en instruction" in refuse.json()["detail"]

        # The next decision is applied and audited beside the first one.
        fraude = await pile.http.post(
            f"/dossiers/{cle}/decisions",
            json={"type": "signaler_fraude", "motif": "contrat fictif"},
            headers=pile.entetes("admin"),
        )
        assert fraude.status_code == 200, fraude.text
        await pile.attendre(cle, lambda r: r.statut == "rejete")
        vue = (await pile.http.get(f"/dossiers/{cle}", headers=pile.entetes("admin"))).json()
        assert [d["type"] for d in vue["etat"]["decisions"]] == ["accepter", "signaler_fraude"]

    lignes = (
        await pile.http.get(f"/dossiers/{cle}/timeline", headers=pile.entetes("admin"))
    ).json()
    decisions = [(d["type"], d["auteur"]) for d in lignes if d["nature"] == "decision"]
    assert decisions == [("accepter", "instructeur"), ("signaler_fraude", "admin")]
