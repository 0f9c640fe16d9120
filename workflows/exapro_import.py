"""One workflow per imported EXAPRO candidate file (`exapro-import`), keyed by
`<etablissement>/<nom_fichier>` (the CloudEvent subject of the file-dropped event).

Orchestration only: the file is read, validated (seed 002 through `rules/exapro/`), published
and reported by the activities of `activities/exapro.py`; the history holds counts, paths and
the file's SHA-256, never the rows. The life of an import (docs/exapro.md, « Workflow and
export »):

file dropped -> validation in lots (heartbeats, resumable) -> decision (`models.exapro.decider`:
accepted, accepted partially, rejected) -> valid candidates published one event each
(id `exapro:<sha256>:<ligne>`; a content already published by another import is not published
again) -> report stored -> status on `guichet.dossiers`, report notice to the school on
`guichet.notifications` -> read model -> done.

A drop event for an import already done is recorded as an anomaly (the file is not imported
twice); once the workflow is closed, a new drop under the same key is dead-lettered by the
consumer (« le dossier ... est clos »): a corrected file gets a new name (new extraction date).
"""

from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from pydantic import ValidationError

    from activities.exapro import ExaproActivities
    from events import topics
    from models.dossier import Anomalie, Nature
    from models.evenements import CloudEvent, EntreeDossier
    from models.exapro import (
        DESTINATAIRE,
        STATUTS_TERMINAUX,
        TYPE_FICHIER_DEPOSE,
        WORKFLOW,
        EntreePublication,
        EntreeRapport,
        EntreeValidation,
        EtatImportExapro,
        FichierDepose,
        Motif,
        ResultatValidation,
        Statut,
        decider,
    )
    from models.sortants import Notification, StatutDossier
    from workflows.suivi import Suivi

DUREE_MAX_LECTURE = timedelta(hours=2)
"""Longest validation or publication of a file (200 000 rows validate in seconds to minutes)."""
HEARTBEAT = timedelta(minutes=2)
"""A lot (1 000 rows) takes well under a second; no heartbeat for this long means a lost
worker: the activity is retried and resumes from the last heartbeat."""
DUREE_MAX_RAPPORT = timedelta(minutes=10)


def _pluriel(n: int, mot: str) -> str:
    return f"{n} {mot}{'s' if n > 1 else ''}"


@workflow.defn(name=WORKFLOW)
class ExaproImportWorkflow:
    @workflow.init
    def __init__(self, entree: EntreeDossier) -> None:
        self._etat = (
            EtatImportExapro.model_validate(entree.reprise)
            if entree.reprise
            else EtatImportExapro(cle=entree.cle)
        )
        self._suivi = Suivi(WORKFLOW, entree.cle, self._etat.registre)

    @workflow.signal(name="evenement")
    def evenement(self, event: CloudEvent) -> None:
        self._suivi.recevoir(event)

    @workflow.query(name="etat")
    def etat(self) -> EtatImportExapro:
        return self._etat

    @workflow.run
    async def run(self, entree: EntreeDossier) -> EtatImportExapro:
        while self._etat.statut not in STATUTS_TERMINAUX:
            await workflow.wait_condition(lambda: bool(self._suivi.a_appliquer))
            event = self._suivi.prochain()
            if event is not None:
                await self._appliquer(event)
        # Drops received while importing: recorded, never silently ignored.
        tardifs = 0
        while (event := self._suivi.prochain()) is not None:
            tardifs += 1
            await self._anomalie(
                event,
                f"l'import {self._etat.cle} est terminé (statut {self._etat.statut}) : le fichier "
                "n'est pas importé une seconde fois ; déposez un fichier corrigé sous un nouveau "
                "nom",
            )
        if tardifs:
            await self._enregistrer()
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self._etat

    async def _appliquer(self, event: CloudEvent) -> None:
        if event.type != TYPE_FICHIER_DEPOSE:
            await self._anomalie(event, f"événement {event.type} inconnu du dispositif {WORKFLOW}")
            await self._enregistrer()
            return
        try:
            depot = FichierDepose.model_validate(event.data)
        except ValidationError as exc:  # the consumer checks the contract; a direct signal may not
            await self._anomalie(event, f"données non conformes au contrat {event.type} : {exc}")
            await self._enregistrer()
            return
        self._suivi.noter(self._suivi.entree_evenement(event, statut_avant=self._etat.statut))
        await self._importer(depot)

    async def _anomalie(self, event: CloudEvent, motif: str) -> None:
        self._etat.anomalies.append(Anomalie(evenement_id=event.id, type=event.type, motif=motif))
        await self._suivi.signaler_anomalie(event, motif)

    # --- the import ----------------------------------------------------------------------------

    async def _importer(self, depot: FichierDepose) -> None:
        etat = self._etat
        etat.depot = depot
        etat.statut = Statut.EN_VALIDATION
        await self._enregistrer()
        validation = await workflow.execute_activity_method(
            ExaproActivities.valider_fichier_exapro,
            EntreeValidation(cle=etat.cle, depot=depot),
            start_to_close_timeout=DUREE_MAX_LECTURE,
            heartbeat_timeout=HEARTBEAT,
        )
        etat.validation = validation
        statut, motif = decider(depot.si_erreurs, validation)
        if statut in (Statut.ACCEPTE, Statut.ACCEPTE_PARTIELLEMENT) and validation.lignes_valides:
            statut, motif = await self._publier_candidats(validation, statut, motif)
        etat.rapport = await workflow.execute_activity_method(
            ExaproActivities.stocker_rapport_exapro,
            EntreeRapport(
                cle=etat.cle,
                depot=depot,
                validation=validation,
                statut=statut,
                motif=motif,
                publies=etat.publies,
                deja_publie_par=etat.deja_publie_par,
            ),
            start_to_close_timeout=DUREE_MAX_RAPPORT,
        )
        await self._conclure(statut, motif)

    async def _publier_candidats(
        self, validation: ResultatValidation, statut: Statut, motif: Motif
    ) -> tuple[Statut, Motif]:
        etat = self._etat
        assert etat.depot is not None
        assert validation.sha256 is not None
        assert validation.examen is not None
        etat.statut = Statut.EN_PUBLICATION
        await self._enregistrer()
        publication = await workflow.execute_activity_method(
            ExaproActivities.publier_candidats_exapro,
            EntreePublication(
                cle=etat.cle,
                sha256=validation.sha256,
                fichier=etat.depot.nom_fichier,
                etablissement=etat.depot.etablissement,
                examen=validation.examen,
                horodatage=workflow.now(),
            ),
            start_to_close_timeout=DUREE_MAX_LECTURE,
            heartbeat_timeout=HEARTBEAT,
        )
        etat.publies = publication.publies
        etat.deja_publie_par = publication.deja_publie_par
        if publication.deja_publie_par:
            return Statut.DEJA_IMPORTE, Motif.CONTENU_DEJA_IMPORTE
        return statut, motif

    async def _conclure(self, statut: Statut, motif: Motif) -> None:
        etat = self._etat
        validation = etat.validation
        assert validation is not None
        precedent = etat.statut
        etat.statut, etat.motif = statut, motif
        self._suivi.noter(
            self._suivi.entree(
                Nature.DECISION,
                "import_exapro",
                "import/resultat",
                statut=statut,
                motif=motif,
                examen=validation.examen,
                lignes=validation.lignes,
                lignes_valides=validation.lignes_valides,
                erreurs=validation.erreurs,
                erreurs_fichier=validation.erreurs_fichier,
                candidats_publies=etat.publies,
                deja_publie_par=etat.deja_publie_par,
                sha256=validation.sha256,
                raison=validation.raison,
                rapport=etat.rapport,
            )
        )
        await self._suivi.publier(
            topics.DOSSIERS,
            "guichet.dossier.statut.v1",
            StatutDossier(dispositif=WORKFLOW, statut=statut, precedent=precedent, motif=motif),
        )
        await self._suivi.publier(
            topics.NOTIFICATIONS,
            "guichet.notification.v1",
            Notification(
                dispositif=WORKFLOW,
                destinataire=DESTINATAIRE,
                objet=f"IMPORT_{statut.upper()}",
                message=self._message(motif),
            ),
        )
        await self._enregistrer()

    def _message(self, motif: Motif) -> str:
        """The report notice for the school: counts and where the report is, no personal data
        (the report itself, in the storage directory, shows the offending values)."""
        etat, v = self._etat, self._etat.validation
        assert v is not None
        assert etat.depot is not None
        fichier = f"Fichier « {etat.depot.nom_fichier} »"
        en_erreur = v.lignes - v.lignes_valides
        erreurs = _pluriel(v.erreurs, "erreur")
        texte = {
            Motif.FICHIER_CONFORME: f"{fichier} accepté : {_pluriel(etat.publies, 'candidat')} "
            "transmis.",
            Motif.LIGNES_EN_ERREUR_ECARTEES: f"{fichier} accepté en partie : "
            f"{_pluriel(etat.publies, 'candidat')} transmis sur {v.lignes} lus ; "
            f"{_pluriel(en_erreur, 'ligne')} en erreur écartée{'s' if en_erreur > 1 else ''} "
            f"({erreurs}).",
            Motif.LIGNES_EN_ERREUR: f"{fichier} rejeté : {_pluriel(en_erreur, 'ligne')} sur "
            f"{v.lignes} en erreur ({erreurs}) ; aucun candidat transmis. Corrigez le fichier "
            "et déposez-le sous un nouveau nom (nouvelle date d'extraction).",
            Motif.ERREURS_SUR_LE_FICHIER: f"{fichier} rejeté : "
            f"{_pluriel(v.erreurs_fichier, 'erreur')} sur le fichier lui-même (nom, en-tête) "
            f"et {_pluriel(v.erreurs - v.erreurs_fichier, 'erreur')} sur les lignes ; aucun "
            "candidat transmis.",
            Motif.AUCUN_CANDIDAT_VALIDE: f"{fichier} rejeté : aucune des {v.lignes} lignes "
            f"n'est sans erreur ({erreurs}).",
            Motif.FICHIER_ILLISIBLE: f"{fichier} illisible : {v.raison}. Aucun candidat transmis.",
            Motif.CONTENU_DEJA_IMPORTE: f"{fichier} : contenu identique à celui de l'import "
            f"{etat.deja_publie_par}, déjà transmis ; rien n'est transmis une seconde fois.",
        }[motif]
        return f"{texte} Rapport : {etat.rapport}."

    async def _enregistrer(self) -> None:
        etat = self._etat
        await self._suivi.enregistrer(
            statut=etat.statut,
            beneficiaire=etat.depot.etablissement if etat.depot else None,
            anomalies=len(etat.anomalies),
        )
