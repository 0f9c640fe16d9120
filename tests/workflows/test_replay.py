"""Replay safety: the workflow histories recorded from the scenario library (tests/replay, see
docs/scenarios.md to refresh them) replay against the current workflow code. A change that
would break running dossiers (a new activity call or timer without `workflow.patched()`) makes
the replay fail, as the last tests show."""

from collections.abc import AsyncIterator
from pathlib import Path

from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from tests.workflows.contrat_pro_modifie import (
    ContratProAvecUnMinuteurDePlus,
    ContratProAvecUnMinuteurPatche,
)
from workers.runtime.temporal import WORKFLOWS
from workers.scenarios.historique import lire_historique, lire_historiques

FIXTURES = Path(__file__).parent.parent / "replay"
CONTRAT_PRO = sorted(FIXTURES.glob("*--contrat-pro_*--1.json"))
"""The first run of each contrat-pro dossier: every one writes to the read model (a later run
of a long wait may only sleep and continue-as-new, which the changes below do not touch)."""


async def _flux(historiques: list[WorkflowHistory]) -> AsyncIterator[WorkflowHistory]:
    for historique in historiques:
        yield historique


def _replayer(*workflows: type) -> Replayer:
    return Replayer(workflows=list(workflows), data_converter=pydantic_data_converter)


def test_the_fixtures_cover_every_workflow_type() -> None:
    types = {
        h.events[0].workflow_execution_started_event_attributes.workflow_type.name
        for h in lire_historiques(FIXTURES)
    }
    assert types == {
        "contrat-pro",
        "contrat-pro-cumul",
        "cae-dom",
        "are-campagne",
        "are-complement",
        "are-bilan",
        "exapro-import",
    }


async def test_every_recorded_history_replays_against_the_current_workflows() -> None:
    historiques = lire_historiques(FIXTURES)

    resultats = await _replayer(*WORKFLOWS).replay_workflows(
        _flux(historiques), raise_on_replay_failure=False
    )

    echecs = {run_id: str(erreur) for run_id, erreur in resultats.replay_failures.items()}
    assert len(historiques) >= 10
    assert echecs == {}


async def test_a_workflow_changed_without_patched_fails_the_replay() -> None:
    historiques = [h for chemin in CONTRAT_PRO for h in [lire_historique(chemin)]]

    resultats = await _replayer(ContratProAvecUnMinuteurDePlus).replay_workflows(
        _flux(historiques), raise_on_replay_failure=False
    )

    assert historiques
    assert set(resultats.replay_failures) == {h.run_id for h in historiques}
    assert all(
        "nondeterminism" in str(erreur).lower().replace("-", "").replace(" ", "")
        for erreur in resultats.replay_failures.values()
    )


async def test_the_same_change_behind_workflow_patched_replays() -> None:
    historiques = [h for chemin in CONTRAT_PRO for h in [lire_historique(chemin)]]

    resultats = await _replayer(ContratProAvecUnMinuteurPatche).replay_workflows(
        _flux(historiques), raise_on_replay_failure=False
    )

    assert historiques
    assert resultats.replay_failures == {}
