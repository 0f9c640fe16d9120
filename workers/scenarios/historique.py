"""Workflow histories: fetch a dossier's whole chain of runs (continue-as-new), keep them as JSON
fixtures, read them back for the `Replayer`."""

import json
import re
from pathlib import Path

from temporalio.client import Client, WorkflowHistory
from temporalio.service import RPCError, RPCStatusCode

MAX_RUNS = 1_000
"""A chain longer than this is a bug (a dossier continues-as-new about once a year)."""


async def historiques(client: Client, workflow_id: str) -> list[WorkflowHistory]:
    """Every run of `workflow_id`, oldest first, following `continued_execution_run_id`."""
    chaine: list[WorkflowHistory] = []
    run_id: str | None = None
    for _ in range(MAX_RUNS):
        historique = await client.get_workflow_handle(workflow_id, run_id=run_id).fetch_history()
        chaine.append(historique)
        debut = historique.events[0].workflow_execution_started_event_attributes
        run_id = debut.continued_execution_run_id or None
        if run_id is None:
            break
    chaine.reverse()
    return chaine


def _nom_fichier(texte: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", texte)


async def enregistrer_historiques(
    client: Client, workflow_ids: list[str], dossier: Path, prefixe: str = ""
) -> list[Path]:
    """Write each run's history as `<prefixe>--<workflow id>--<n>.json` in `dossier`."""
    chaines = {}
    for workflow_id in workflow_ids:
        try:
            chaines[workflow_id] = await historiques(client, workflow_id)
        except RPCError as exc:
            if exc.status is not RPCStatusCode.NOT_FOUND:
                raise  # a dossier declared but never started has no history: skipped
    return ecrire_historiques(chaines, dossier, prefixe)


def ecrire_historiques(
    chaines: dict[str, list[WorkflowHistory]], dossier: Path, prefixe: str = ""
) -> list[Path]:
    dossier.mkdir(parents=True, exist_ok=True)
    ecrits = []
    for workflow_id, chaine in chaines.items():
        for rang, historique in enumerate(chaine, start=1):
            nom = "--".join(_nom_fichier(x) for x in (prefixe, workflow_id, str(rang)) if x)
            chemin = dossier / f"{nom}.json"
            contenu = {
                "workflow_id": workflow_id,
                "run": rang,
                "history": historique.to_json_dict(),
            }
            chemin.write_text(json.dumps(contenu, indent=1, sort_keys=True) + "\n")
            ecrits.append(chemin)
    return ecrits


def lire_historique(chemin: Path) -> WorkflowHistory:
    contenu = json.loads(chemin.read_text())
    return WorkflowHistory.from_json(contenu["workflow_id"], contenu["history"])


def lire_historiques(dossier: Path) -> list[WorkflowHistory]:
    return [lire_historique(chemin) for chemin in sorted(dossier.glob("*.json"))]
