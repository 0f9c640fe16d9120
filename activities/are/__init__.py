"""ARE activities: the side effects and rule evaluations of the three ARE workflows.

- the campaign: import the rectorats' enrolment file and the schools file, validated line by
  line (`importer_effectifs_are`); compute every school's allocation with `rules.are`
  (`calculer_dotations_are`); write the commission permanente's table as CSV and a readable
  report (`produire_table_commission_are`); after the vote, publish the notifications and
  payment orders of a batch of schools (`publier_lot_are`);
- every workflow: deliver an internal event to another ARE workflow, starting it if needed
  (`signaler_dossiers_are`);
- the complementary request: check the seed's conditions against the year's campaign (voted,
  an increase over its n-1 counts: `verifier_conditions_complement_are`), evaluate its lines
  against the year's eligibility (`evaluer_complement_are`) and find the next commission
  permanente session (`prochaine_session_are`, reference data
  `rules/data/are/sessions_commission.csv`);
- the spending report: check it with `rules.are.verifier_bilan` (`verifier_bilan_are`).

Files go to the directory given to `AreActivities` (one folder per campaign); the stages hand
over through JSON files named by version and checked by their SHA-256, so the workflow history
only carries summaries (one line per school, a few figures). Sources: seeds 000 and 001 (see
docs/are.md).

This module holds the activities and their side effects (files, Kafka, the Temporal client);
what they compute is side-effect free and lives beside it, over the workflow payloads of
`models.are`: `fichiers` (the two input files validated line by line), `dotations` (the
allocations, the commission's table and report, the notification text), `complement` and
`bilan` (a lint contract keeps those four free of Temporal, Kafka, databases and HTTP).
"""

import asyncio
import csv
import hashlib
import io
import os
import re
import tempfile
from collections.abc import Awaitable, Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

import structlog
from pydantic import BaseModel
from temporalio import activity
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from activities.are.bilan import verifier
from activities.are.complement import (
    conditions_complement,
    evaluer_complement,
    prochaine_session,
    sessions_commission,
)
from activities.are.dotations import (
    Calcul,
    _objet_notification,
    calculer,
    message_dotation,
    rapport,
    resume,
    table_csv,
)
from activities.are.fichiers import REGLE_FICHIER, Import, NomFichier, _erreur, importer
from events import topics
from events.publisher import Publisher, encode
from models.are import (
    WORKFLOW_CAMPAGNE,
    ConditionsComplement,
    EntreeCalcul,
    EntreeConditionsComplement,
    EntreeEvaluationComplement,
    EntreeImport,
    EntreeSession,
    EntreeTable,
    EntreeVerificationBilan,
    ErreurImport,
    EtatCampagne,
    EvaluationComplement,
    LotCampagne,
    RefusSignal,
    ResultatCalcul,
    ResultatImport,
    ResultatLot,
    ResultatSession,
    ResultatSignaux,
    SignalDossier,
    SignauxDossiers,
    TableCommission,
    VerificationBilan,
    cle_etablissement,
    id_notification_campagne,
    id_ordre_campagne,
)
from models.evenements import CloudEvent, EntreeDossier
from models.recherche import au_demarrage
from models.sortants import Notification, OrdrePaiementEmis
from rules.are import Enveloppe

__all__ = [
    "AreActivities",
    "Calcul",
    "Import",
    "calculer",
    "conditions_complement",
    "ecrire",
    "evaluer_complement",
    "evaluer_complement_are",
    "importer",
    "message_dotation",
    "prochaine_session",
    "prochaine_session_are",
    "rapport",
    "resume",
    "sessions_commission",
    "signaler_dossiers_are",
    "table_csv",
    "verifier",
    "verifier_bilan_are",
    "verifier_conditions_complement_are",
]

SOURCE = "/guichet"
ERREURS_DANS_LE_RESULTAT = 50
"""The workflow keeps the first errors; the error report has them all."""
PUBLICATIONS_SIMULTANEES = 50
SIGNAUX_SIMULTANES = 20

log = structlog.get_logger(__name__)

T = TypeVar("T")


# --- the activities -------------------------------------------------------------------------


def _sha256(contenu: bytes) -> str:
    return hashlib.sha256(contenu).hexdigest()


def ecrire(chemin: Path, contenu: bytes) -> str:
    """Write atomically (a retried activity rewrites the same bytes); returns the SHA-256."""
    chemin.parent.mkdir(parents=True, exist_ok=True)
    fd, temporaire = tempfile.mkstemp(dir=chemin.parent, prefix=f".{chemin.name}.")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(contenu)
        os.replace(temporaire, chemin)
    except BaseException:
        Path(temporaire).unlink(missing_ok=True)
        raise
    return _sha256(contenu)


def _lire_verifie(chemin: str, empreinte: str) -> bytes:
    contenu = Path(chemin).read_bytes()
    if _sha256(contenu) != empreinte:
        raise ApplicationError(
            f"{chemin} a changé depuis l'étape précédente (empreinte SHA-256 différente) : "
            "recalcul nécessaire",
            type="FichierModifie",
            non_retryable=True,
        )
    return contenu


async def _par_paquets(
    faire: Callable[[T], Awaitable[None]], elements: Sequence[T], taille: int
) -> None:
    """`faire` on every element, `taille` at a time."""
    for debut in range(0, len(elements), taille):
        await asyncio.gather(*(faire(e) for e in elements[debut : debut + taille]))


class AreActivities:
    """`repertoire`: where campaign files are written (one folder per campaign).
    `publisher`: Kafka, for the batched notifications and payment orders.
    `depot`: if given, relative file references of the events are read from it and a reference
    outside it is refused."""

    def __init__(self, repertoire: Path, publisher: Publisher, depot: Path | None = None) -> None:
        self._repertoire = repertoire
        self._publisher = publisher
        self._depot = depot.resolve() if depot else None

    def dossier(self, campagne: str) -> Path:
        """The campaign's output folder (`are-campagne:2023-2024` → `are-campagne_2023-2024`)."""
        return self._repertoire / re.sub(r"[^\w.-]", "_", campagne)

    def _source(self, reference: str) -> Path:
        chemin = Path(reference)
        if self._depot is None:
            return chemin
        chemin = (self._depot / chemin).resolve()
        if not chemin.is_relative_to(self._depot):
            raise ValueError(f"hors du dépôt {self._depot}")
        return chemin

    def _lire_source(self, fichier: NomFichier, reference: str) -> bytes | ErreurImport:
        try:
            return self._source(reference).read_bytes()
        except (OSError, ValueError) as exc:
            return _erreur(fichier, 0, "(fichier)", reference, REGLE_FICHIER, detail=str(exc))

    @activity.defn(name="importer_effectifs_are")
    async def importer_effectifs(self, entree: EntreeImport) -> ResultatImport:
        """Read and validate both files; write the normalized import (or the error report)."""
        return await asyncio.to_thread(self._importer, entree)

    def _importer(self, entree: EntreeImport) -> ResultatImport:
        dossier, v = self.dossier(entree.campagne), entree.version
        effectifs = self._lire_source("effectifs", entree.fichier_effectifs)
        etablissements = self._lire_source("etablissements", entree.fichier_etablissements)
        lu: Import | list[ErreurImport]
        if isinstance(effectifs, ErreurImport) or isinstance(etablissements, ErreurImport):
            lu = [e for e in (effectifs, etablissements) if isinstance(e, ErreurImport)]
        else:
            lu = importer(
                entree.annee_scolaire,
                entree.fichier_effectifs,
                effectifs,
                entree.fichier_etablissements,
                etablissements,
            )
        if isinstance(lu, list):
            chemin = dossier / f"erreurs-v{v}.csv"
            sortie = io.StringIO()
            ecrivain = csv.writer(sortie, delimiter=";", lineterminator="\n")
            ecrivain.writerow(["fichier", "ligne", "champ", "valeur", "regle", "message"])
            for e in lu:
                ecrivain.writerow([e.fichier, e.ligne, e.champ, e.valeur, e.regle, e.message])
            ecrire(chemin, sortie.getvalue().encode())
            log.info("import_are_refuse", campagne=entree.campagne, erreurs=len(lu))
            return ResultatImport(
                version=v,
                valide=False,
                nombre_erreurs=len(lu),
                erreurs=lu[:ERREURS_DANS_LE_RESULTAT],
                rapport_erreurs=str(chemin),
            )
        chemin = dossier / f"import-v{v}.json"
        empreinte = ecrire(chemin, lu.model_dump_json().encode())
        return ResultatImport(
            version=v,
            valide=True,
            nombre_etablissements=len(lu.etablissements),
            nombre_lignes=lu.nombre_lignes,
            donnees=str(chemin),
            empreinte=empreinte,
        )

    @activity.defn(name="calculer_dotations_are")
    async def calculer_dotations(self, entree: EntreeCalcul) -> ResultatCalcul:
        """Every school's allocation (rules.are), written in detail; a summary returned."""
        return await asyncio.to_thread(self._calculer, entree)

    def _calculer(self, entree: EntreeCalcul) -> ResultatCalcul:
        donnees = Import.model_validate_json(_lire_verifie(entree.donnees, entree.empreinte))
        detail = calculer(entree, donnees)
        chemin = self.dossier(entree.campagne) / f"calcul-v{entree.version}.json"
        empreinte = ecrire(chemin, detail.model_dump_json().encode())
        return resume(detail, str(chemin), empreinte)

    @activity.defn(name="produire_table_commission_are")
    async def produire_table_commission(self, entree: EntreeTable) -> TableCommission:
        """The commission permanente's table (CSV) and its readable report (Markdown)."""
        return await asyncio.to_thread(self._table, entree)

    def _table(self, entree: EntreeTable) -> TableCommission:
        calcul = Calcul.model_validate_json(_lire_verifie(entree.calcul, entree.empreinte))
        dossier, nom = self.dossier(entree.campagne), f"{entree.annee_scolaire}-v{entree.version}"
        chemin_csv = dossier / f"table-commission-{nom}.csv"
        chemin_rapport = dossier / f"rapport-commission-{nom}.md"
        empreinte = ecrire(chemin_csv, table_csv(calcul).encode())
        ecrire(chemin_rapport, rapport(calcul, str(chemin_csv)).encode())
        return TableCommission(
            version=entree.version,
            csv=str(chemin_csv),
            rapport=str(chemin_rapport),
            empreinte_csv=empreinte,
        )

    @activity.defn(name="publier_lot_are")
    async def publier_lot(self, lot: LotCampagne) -> ResultatLot:
        """Notify each school of the batch and order its payments (one order per school and
        envelope with a positive amount). Ids are derived from the campaign, the school and
        the envelope: a retried batch republishes the same ids (consumers deduplicate)."""
        records: list[tuple[str, CloudEvent]] = []
        ordres, montant = 0, Decimal("0.00")
        for d in lot.dotations:
            sujet = cle_etablissement(d.uai, lot.annee_scolaire)
            notification = Notification(
                dispositif=WORKFLOW_CAMPAGNE,
                destinataire="etablissement",
                objet=_objet_notification(d),
                message=message_dotation(lot, d),
            )
            records.append(
                (
                    topics.NOTIFICATIONS,
                    _sortant(
                        id_notification_campagne(lot.campagne, d.uai),
                        "guichet.notification.v1",
                        sujet,
                        lot,
                        notification,
                    ),
                )
            )
            for env in Enveloppe:
                somme = d.dotation.de(env)
                if somme <= 0:
                    continue
                ordre_id = id_ordre_campagne(lot.campagne, d.uai, env)
                ordre = OrdrePaiementEmis(
                    ordre_id=ordre_id,
                    dispositif=WORKFLOW_CAMPAGNE,
                    beneficiaire=d.uai,
                    montant=somme,
                    objet=(
                        f"ARE {lot.annee_scolaire} dotation initiale {env.value} "
                        f"({lot.deliberation})"
                    ),
                )
                records.append(
                    (
                        topics.PAIEMENTS,
                        _sortant(ordre_id, "guichet.paiement.ordre.v1", sujet, lot, ordre),
                    )
                )
                ordres += 1
                montant += somme

        async def publier(record: tuple[str, CloudEvent]) -> None:
            topic, event = record
            await self._publisher.publish(topic, event.subject, encode(event))

        await _par_paquets(publier, records, PUBLICATIONS_SIMULTANEES)
        log.info(
            "lot_are_publie",
            campagne=lot.campagne,
            etablissements=len(lot.dotations),
            ordres=ordres,
        )
        return ResultatLot(notifications=len(lot.dotations), ordres=ordres, montant=montant)


def _sortant(id_: str, type_: str, sujet: str, lot: LotCampagne, data: BaseModel) -> CloudEvent:
    return CloudEvent(
        id=id_,
        source=SOURCE,
        type=type_,
        subject=sujet,
        time=lot.horodatage,
        data=data.model_dump(mode="json"),
    )


@activity.defn(name="signaler_dossiers_are")
async def signaler_dossiers_are(entree: SignauxDossiers) -> ResultatSignaux:
    """Deliver each internal event to its workflow by signal-with-start (conflict policy
    USE_EXISTING), on this worker's task queue. A closed target is not restarted (policy
    REJECT_DUPLICATE): it is returned as a refusal for the sender to record."""
    client = activity.client()
    task_queue = activity.info().task_queue
    refus: list[RefusSignal] = []

    async def livrer(signal: SignalDossier) -> None:
        workflow_id = f"{signal.workflow}:{signal.cle}"
        try:
            await client.start_workflow(
                signal.workflow,
                EntreeDossier(cle=signal.cle),
                id=workflow_id,
                task_queue=task_queue,
                id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                start_signal="evenement",
                start_signal_args=[CloudEvent.model_validate(signal.evenement)],
                search_attributes=au_demarrage(signal.workflow),
            )
        except WorkflowAlreadyStartedError:
            refus.append(
                RefusSignal(
                    workflow_id=workflow_id,
                    motif=f"le dossier {workflow_id} est clos : l'événement n'y est pas appliqué",
                )
            )

    await _par_paquets(livrer, entree.signaux, SIGNAUX_SIMULTANES)
    return ResultatSignaux(refus=sorted(refus, key=lambda r: r.workflow_id))


@activity.defn(name="evaluer_complement_are")
async def evaluer_complement_are(entree: EntreeEvaluationComplement) -> EvaluationComplement:
    return evaluer_complement(entree.annee_scolaire, entree.lignes)


@activity.defn(name="verifier_conditions_complement_are")
async def verifier_conditions_complement_are(
    entree: EntreeConditionsComplement,
) -> ConditionsComplement:
    """The seed's conditions of a complement (`conditions_complement`): the state of the
    year's campaign is read by its `etat` query (an unknown campaign is not voted), and the
    n-1 counts from the import the vote adopted (its file, checked by its SHA-256; unreadable
    or changed: a reason, not a failure). Temporal unreachable: the activity is retried."""
    campagne = f"{WORKFLOW_CAMPAGNE}:{entree.annee_scolaire}"
    etat: EtatCampagne | None
    try:
        etat = (
            await activity.client()
            .get_workflow_handle(campagne)
            .query("etat", result_type=EtatCampagne)
        )
    except RPCError as exc:
        if exc.status is not RPCStatusCode.NOT_FOUND:
            raise
        etat = None
    donnees: Import | None = None
    if etat is not None and etat.import_ is not None and etat.import_.donnees:
        try:
            donnees = Import.model_validate_json(
                _lire_verifie(etat.import_.donnees, etat.import_.empreinte or "")
            )
        except (OSError, ApplicationError, ValueError) as exc:
            log.warning(
                "conditions_complement_import_illisible", campagne=campagne, erreur=str(exc)
            )
    return conditions_complement(campagne, etat, donnees, entree)


@activity.defn(name="prochaine_session_are")
async def prochaine_session_are(entree: EntreeSession) -> ResultatSession:
    """The next commission permanente session strictly after the given day, if any."""
    return ResultatSession(session=prochaine_session(sessions_commission(), entree.jour))


@activity.defn(name="verifier_bilan_are")
async def verifier_bilan_are(entree: EntreeVerificationBilan) -> VerificationBilan:
    return verifier(entree)
