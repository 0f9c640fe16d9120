"""Two changes of the contrat-pro workflow, for the replay tests (a module of its own: the
workflow sandbox re-imports the module that defines a workflow, so it imports only what a
workflow module may)."""

from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from models.contrat_pro import EtatContratPro
    from models.evenements import EntreeDossier
    from workflows.contrat_pro import ContratProWorkflow


@workflow.defn(name="contrat-pro")
class ContratProAvecUnMinuteurDePlus(ContratProWorkflow):
    """A careless change: one more timer before each read-model write, not behind a patch."""

    @workflow.run
    async def run(self, entree: EntreeDossier) -> EtatContratPro:
        return await super().run(entree)

    async def _enregistrer(self) -> None:
        await workflow.sleep(timedelta(seconds=1))
        await super()._enregistrer()


@workflow.defn(name="contrat-pro")
class ContratProAvecUnMinuteurPatche(ContratProWorkflow):
    """The same change done right: running dossiers keep the old path."""

    @workflow.run
    async def run(self, entree: EntreeDossier) -> EtatContratPro:
        return await super().run(entree)

    async def _enregistrer(self) -> None:
        if workflow.patched("minuteur-avant-enregistrement"):
            await workflow.sleep(timedelta(seconds=1))
        await super()._enregistrer()
