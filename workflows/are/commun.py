"""What the three ARE workflows share besides the dossier base: constants, dates, and the
internal events they send one another (seeds 000 and 001; the choices in docs/are.md)."""

from datetime import date, datetime, time, timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from pydantic import BaseModel

    from activities.are import (
        signaler_dossiers_are,
    )
    from models.are import (
        RefusSignal,
        SignalDossier,
        SignauxDossiers,
    )
    from models.evenements import CloudEvent
    from rules.calendrier import PARIS
    from workflows.dossier import DossierWorkflow, EtatT
    from workflows.suivi import ACTIVITE_TIMEOUT


LOT = 100
"""Schools per publication batch (one activity call: notifications and payment orders)."""
CALCUL_TIMEOUT = timedelta(minutes=10)
"""Import, computation and table for a whole region: seconds for 700 schools, with margin."""
DELAI_BILAN_MOIS = 3
"""The spending report is due 3 months after it is asked (our reading: the texts only say
« à l'issue de l'année scolaire »)."""
RAPPELS_JOURS = (30, 7)
RELANCES_JOURS = (30, 60)
"""Late notices after the deadline, in days; then the report is awaited without timer."""
SOURCE_GUICHET = "/guichet"
ETABLISSEMENT = "etablissement"
INSTRUCTEUR = "instructeur"


def a_neuf_heures(jour: date) -> datetime:
    return datetime.combine(jour, time(9), tzinfo=PARIS)


def aujourdhui() -> date:
    return workflow.now().astimezone(PARIS).date()


class DossierAre(DossierWorkflow[EtatT]):
    """An ARE workflow: internal events to the other ARE workflows, on top of the base."""

    async def _signaler(self, signaux: list[SignalDossier]) -> list[RefusSignal]:
        """Deliver internal events to other ARE workflows (starting them if needed)."""
        resultat = await workflow.execute_activity(
            signaler_dossiers_are,
            SignauxDossiers(signaux=signaux),
            start_to_close_timeout=ACTIVITE_TIMEOUT,
        )
        return resultat.refus

    def _interne(self, type_: str, cle_cible: str, suffixe: str, contenu: BaseModel) -> CloudEvent:
        """An internal event; its id is derived from this workflow, so a resend is deduplicated."""
        return CloudEvent(
            id=f"{self._suivi.workflow_id}/{suffixe}",
            source=SOURCE_GUICHET,
            type=type_,
            subject=cle_cible,
            time=workflow.now(),
            data=contenu.model_dump(mode="json"),
        )
