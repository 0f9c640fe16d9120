"""The applied-event ids a dossier keeps stay bounded (issue 16, item 2; docs/architecture.md,
step 6): the most recent `EVENEMENTS_RETENUS`, in order, whatever the dossier's life."""

from datetime import UTC, datetime

from models.dossier import EVENEMENTS_RETENUS, Registre
from models.evenements import CloudEvent
from workflows.suivi import Suivi


def _evenement(n: int) -> CloudEvent:
    return CloudEvent(
        id=f"evt-{n}",
        source="/test",
        type="opco.contrat-pro.suspendu.v1",
        subject="C-1",
        time=datetime(2024, 9, 2, tzinfo=UTC),
        data={},
    )


def test_only_the_most_recent_applied_event_ids_are_kept() -> None:
    suivi = Suivi("contrat-pro", "C-1", Registre())
    total = EVENEMENTS_RETENUS + 250
    for n in range(total):
        suivi.recevoir(_evenement(n))
        assert suivi.prochain() is not None

    appliques = suivi.registre.evenements_appliques
    assert len(appliques) == EVENEMENTS_RETENUS
    assert appliques == [f"evt-{n}" for n in range(250, total)]
