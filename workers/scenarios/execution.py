"""Running a scenario: `executer` plays one file on its own time-skipping test server
(`serveur.py`), with the real workflows and activities (`workers.runtime.temporal.build_worker`),
an in-memory publisher that captures outbound events, and a temporary SQLite read model, then
checks the expectations (`resultats.py`). The format of the files is `format.py`; see
docs/scenarios.md.
"""

import asyncio
import re
import shutil
import tempfile
import time as horloge
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from sqlmodel import Session
from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.workflowservice.v1 import DescribeWorkflowExecutionRequest
from temporalio.client import Client, WorkflowQueryFailedError, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from events.catalogue import CATALOGUE
from events.delivery import Rejet, deliver, parse
from models.depot import lire_dossier, lire_ordres
from models.evenements import CloudEvent
from models.tables import OrdrePaiement
from rules.calendrier import PARIS
from workers.runtime import database
from workers.runtime.temporal import build_worker
from workers.scenarios.format import (
    Attendu,
    DossierScenario,
    ErreurScenario,
    Etape,
    NotificationAttendue,
    OrdreAttendu,
    Scenario,
    charger,
)
from workers.scenarios.historique import enregistrer_historiques
from workers.scenarios.resultats import Ligne, Resultat
from workers.scenarios.serveur import RUNNING, PublicateurMemoire, demarrer_serveur, en_cours

DOCUMENTS = {"contrat-pro": "portail.contrat-pro.document-ajoute.v1"}
"""The scheme's partner event that carries a document (`document:` steps)."""
CALME_MAX_S = 30.0
ESSAIS_REQUETE = 3
"""How many times the `etat` query is asked when the workflow task answering it was cut short
as too slow (see `Execution._etat`)."""


AppelApres = Callable[["Execution"], Awaitable[None]]
"""Called with the running `Execution` once every step is done (tests, `record`)."""


# --- running ---------------------------------------------------------------------------------


def _json(valeur: Any) -> Any:
    """YAML values (dates, times) as JSON values, for event data and decisions."""
    if isinstance(valeur, dict):
        return {str(k): _json(v) for k, v in valeur.items()}
    if isinstance(valeur, list):
        return [_json(v) for v in valeur]
    if isinstance(valeur, datetime | date | time):
        return valeur.isoformat()
    if isinstance(valeur, Decimal):
        return str(valeur)
    return valeur


def _stockage(valeur: Any, stockage: Path) -> Any:
    """`{stockage}` in a text of the step's data: the run's storage directory (where the
    scenario's `fichiers` were copied)."""
    if isinstance(valeur, dict):
        return {k: _stockage(v, stockage) for k, v in valeur.items()}
    if isinstance(valeur, list):
        return [_stockage(v, stockage) for v in valeur]
    if isinstance(valeur, str):
        return valeur.replace("{stockage}", str(stockage))
    return valeur


def _fusion(exemple: dict[str, Any], modifie: dict[str, Any]) -> dict[str, Any]:
    """The catalogue example with the step's fields: mappings are merged key by key, any other
    value (lists included) replaces the example's."""
    resultat = dict(exemple)
    for cle, valeur in modifie.items():
        ancien = resultat.get(cle)
        if isinstance(ancien, dict) and isinstance(valeur, dict):
            resultat[cle] = _fusion(ancien, valeur)
        else:
            resultat[cle] = valeur
    return resultat


def _norme(valeur: Any) -> str:
    """A comparable text: numbers as normalized decimals, dates in ISO, None as « aucun »."""
    if valeur is None or isinstance(valeur, bool):
        return "aucun" if valeur is None else str(valeur).lower()
    if isinstance(valeur, Decimal):
        return str(valeur)
    if isinstance(valeur, int | float) or (
        isinstance(valeur, str) and re.fullmatch(r"-?\d+(\.\d+)?", valeur)
    ):
        try:
            nombre = Decimal(str(valeur))
        except InvalidOperation:
            return str(valeur)
        return str(int(nombre)) if nombre == nombre.to_integral_value() else f"{nombre.normalize()}"
    if isinstance(valeur, date | time | list | dict):
        return str(_json(valeur))
    return str(valeur)


def _chemin(etat: Any, chemin: str) -> Any:
    courant = etat
    for morceau in chemin.split("."):
        if isinstance(courant, dict) and morceau in courant:
            courant = courant[morceau]
        elif isinstance(courant, list) and morceau.lstrip("-").isdigit():
            indice = int(morceau)
            if not -len(courant) <= indice < len(courant):
                return f"<absent: {chemin}>"
            courant = courant[indice]
        else:
            return f"<absent: {chemin}>"
    return courant


@dataclass(frozen=True)
class Ou:
    """Where an expectation is checked: the scenario's date and the dossier's name."""

    le: date
    dossier: str


class Execution:
    """One scenario being run: the server, the worker's capture, the read model."""

    def __init__(
        self,
        scenario: Scenario,
        env: WorkflowEnvironment,
        task_queue: str,
        db_url: str,
        stockage: Path,
    ) -> None:
        self.scenario, self.env, self.task_queue = scenario, env, task_queue
        self.stockage = stockage
        self.engine = database.engine_for(db_url)
        self.publicateur = PublicateurMemoire()
        self.lignes: list[Ligne] = []
        self.evenements = 0
        self._calmes: dict[str, tuple[str, int]] = {}
        """Per workflow: (run id, history length) last seen with nothing under way."""

    @property
    def client(self) -> Client:
        return self.env.client

    async def aller_a(self, instant: datetime) -> None:
        maintenant = await self.env.get_current_time()
        if instant > maintenant:
            await self.env.sleep(instant - maintenant)

    def noter(self, ou: Ou, quoi: str, attendu: Any, obtenu: Any, ok: bool | None = None) -> None:
        """One line; `ok` defaults to the equality of the normalized texts."""
        texte_a, texte_o = _norme(attendu), _norme(obtenu)
        verdict = texte_a == texte_o if ok is None else ok
        self.lignes.append(Ligne(verdict, ou.le, ou.dossier, quoi, texte_a, texte_o))

    async def etape(self, rang: int, etape: Etape) -> None:
        nom, dossier = self.scenario.dossier(etape)
        ou = Ou(etape.le, nom)
        await self.aller_a(etape.instant())
        action = etape.action()
        if action == "evenement":
            assert etape.evenement is not None
            await self.evenement(f"étape {rang}", etape, ou, etape.evenement)
        elif action == "document":
            type_ = DOCUMENTS.get(dossier.workflow)
            if type_ is None:
                raise ErreurScenario(
                    f"étape {rang}: le dispositif {dossier.workflow} n'a pas d'événement "
                    "de pièce (document:); envoyez l'événement du catalogue qui convient"
                )
            document = etape.model_copy(update={"donnees": {"document": etape.document}})
            await self.evenement(f"étape {rang}", document, ou, type_)
        elif action == "decision":
            await self.decision(etape, ou)
        await self.calme()
        if etape.verifier is not None:
            await self.verifier(ou, dossier, etape.verifier)

    async def calme(self) -> None:
        """Wait (real time) until no declared dossier has a workflow task, an activity or a
        signal to another workflow under way. The test server does not report pending workflow
        tasks, and on a loaded machine its clock can move on while the worker is still applying
        the last event: the history tells (every task scheduled has its outcome). A history as
        long as when it was last seen calm is not read again. One workflow may set another to
        work (a convention passes a line to a dossier): the round is made again until a whole
        round finds every history unchanged."""
        limite = horloge.monotonic() + CALME_MAX_S
        while horloge.monotonic() < limite:
            avant = dict(self._calmes)
            await self._un_tour_calme(limite)
            if self._calmes == avant:
                return

    async def _un_tour_calme(self, limite: float) -> None:
        for dossier in self.scenario.dossiers.values():
            handle = self.client.get_workflow_handle(dossier.workflow_id)
            while horloge.monotonic() < limite:
                try:
                    info = (
                        await self.client.workflow_service.describe_workflow_execution(
                            DescribeWorkflowExecutionRequest(
                                namespace=self.client.namespace,
                                execution=WorkflowExecution(workflow_id=dossier.workflow_id),
                            )
                        )
                    ).workflow_execution_info
                    if info.status != RUNNING or self._calmes.get(dossier.workflow_id) == (
                        info.execution.run_id,
                        info.history_length,
                    ):
                        break
                    if not await en_cours(handle):
                        self._calmes[dossier.workflow_id] = (
                            info.execution.run_id,
                            info.history_length,
                        )
                        break
                except RPCError:
                    break  # no such workflow (yet): nothing under way
                await asyncio.sleep(0.02)

    async def evenement(self, ici: str, etape: Etape, ou: Ou, type_: str) -> None:
        dossier = self.scenario.dossiers[ou.dossier]
        spec = CATALOGUE[type_]
        if spec.workflow != dossier.workflow:
            raise ErreurScenario(
                f"{ici}: l'événement {type_} va aux dossiers {spec.workflow}, "
                f"pas au dossier {ou.dossier} ({dossier.workflow})"
            )
        self.evenements += 1
        event = CloudEvent(
            id=etape.id or f"scenario-{uuid.uuid4().hex[:8]}-{self.evenements}",
            source=etape.source or "/scenario",
            type=type_,
            subject=etape.sujet or dossier.cle,
            time=await self.env.get_current_time(),
            data=_fusion(_json(dict(spec.exemple)), _stockage(_json(etape.donnees), self.stockage)),
        )
        livrable = parse(spec.topic, event.model_dump_json().encode())
        if isinstance(livrable, Rejet):
            raise ErreurScenario(f"{ici} ({type_}): {livrable.motif}")
        rejet = await deliver(self.client, self.task_queue, livrable)
        obtenu = "livré" if rejet is None else f"refusé: {rejet.motif}"
        quoi = f"événement {type_}"
        if etape.refus is not None:
            ok = rejet is not None and etape.refus in rejet.motif
            self.noter(ou, quoi, f"refusé: {etape.refus}", obtenu, ok)
        elif rejet is not None:
            self.noter(ou, quoi, "livré", obtenu, ok=False)

    async def decision(self, etape: Etape, ou: Ou) -> None:
        """The step's decision; with `ensemble`, sent at the same instant to each dossier
        named there too (concurrent updates), each refusal a FAIL line."""
        if etape.ensemble:
            await asyncio.gather(
                *(
                    self.decision(etape.model_copy(update={"ensemble": []}), Ou(ou.le, nom))
                    for nom in (ou.dossier, *etape.ensemble)
                )
            )
            return
        assert etape.decision is not None
        dossier = self.scenario.dossiers[ou.dossier]
        decision = {"auteur": "scenario", **_json(etape.decision)}
        handle = self.client.get_workflow_handle(dossier.workflow_id)
        refusee: str | None = None
        try:
            statut = await handle.execute_update("decider", decision)
            obtenu = f"appliquée (statut {_norme(statut)})"
        except WorkflowUpdateFailedError as exc:
            cause = exc.cause
            refusee = cause.message if isinstance(cause, ApplicationError) else str(cause)
            obtenu = f"refusée: {refusee}"
        except RPCError as exc:
            refusee = f"Temporal refuse la décision ({exc.status.name}): {exc.message}"
            obtenu = f"refusée: {refusee}"
        quoi = f"décision {decision.get('type')}"
        if etape.refus is not None:
            ok = refusee is not None and etape.refus in refusee
            self.noter(ou, quoi, f"refusée: {etape.refus}", obtenu, ok)
        elif refusee is not None:
            self.noter(ou, quoi, "appliquée", obtenu, ok=False)

    async def verifier(self, ou: Ou, dossier: DossierScenario, attendu: Attendu) -> None:
        with Session(self.engine) as session:
            ligne = lire_dossier(session=session, cle=dossier.workflow_id)
            ordres = list(lire_ordres(session=session, dossier=dossier.workflow_id))
        projection: dict[str, Any] = {} if ligne is None else ligne.model_dump()
        projection["echeance"] = projection.get("prochaine_echeance", "aucun dossier")
        for champ in (c for c in Attendu.model_fields if c in attendu.model_fields_set):
            valeur = getattr(attendu, champ)
            if champ in MONTANTS:
                obtenu = projection.get(champ, "aucun dossier")
                self.noter(ou, champ, _montant(valeur), _montant(obtenu))
            elif champ in {"statut", "anomalies", "libelle_echeance", "echeance"}:
                self.noter(ou, champ, valeur, projection.get(champ, "aucun dossier"))
            elif champ == "ordres":
                self._ordres(ou, attendu.ordres or [], ordres)
            elif champ == "notifications":
                self._notifications(ou, dossier, attendu.notifications or [])
            elif champ == "anomalies_contiennent":
                self._anomalies(ou, dossier, attendu.anomalies_contiennent or [])
            elif champ == "publies":
                for type_, nombre in (attendu.publies or {}).items():
                    self.noter(
                        ou,
                        f"publiés {type_}",
                        nombre,
                        len(self.publicateur.sur(dossier.cle, type_)),
                    )
            elif champ == "etat":
                etat = await self._etat(dossier)
                for chemin, attendue in (attendu.etat or {}).items():
                    self.noter(ou, f"etat.{chemin}", attendue, _chemin(etat, chemin))

    async def _etat(self, dossier: DossierScenario) -> Any:
        """The workflow's `etat` query; once it has completed (the test server answers no query
        then), its result: every dossier workflow returns its state. A query answered by a
        workflow task the SDK cut short as too slow (« Potential deadlock », a new instance's
        first activation on a loaded machine; the worker retries its task) is asked again, up
        to `ESSAIS_REQUETE` times."""
        handle = self.client.get_workflow_handle(dossier.workflow_id)
        try:
            essai = 1
            while True:
                try:
                    return await handle.query("etat")
                except WorkflowQueryFailedError as echec:
                    if "deadlock" not in str(echec).lower() or essai >= ESSAIS_REQUETE:
                        raise
                essai += 1
                await asyncio.sleep(0.5)
        except RPCError as requete:
            try:
                return await handle.result()
            except Exception:
                return f"<état illisible: {requete.message}>"

    def _listes(self, ou: Ou, quoi: str, attendus: list[str], obtenus: list[str]) -> None:
        texte_a = "[" + "; ".join(attendus) + "]"
        texte_o = "[" + "; ".join(obtenus) + "]"
        self.lignes.append(Ligne(attendus == obtenus, ou.le, ou.dossier, quoi, texte_a, texte_o))

    def _ordres(self, ou: Ou, attendus: list[OrdreAttendu], reels: list[OrdrePaiement]) -> None:
        """Orders in the ledger, in issue order; a field left out of an expected order is not
        compared (nor shown) for the order at the same rank."""
        reels = sorted(reels, key=lambda o: _cle_naturelle(o.id))
        obtenus = []
        for rang, ordre in enumerate(reels):
            modele = attendus[rang] if rang < len(attendus) else None
            obtenus.append(
                _texte_ordre(
                    ordre.montant,
                    ordre.periode if modele is None or modele.periode else None,
                    ordre.statut if modele is None or modele.statut else None,
                )
            )
        textes_a = [_texte_ordre(a.montant, a.periode, a.statut) for a in attendus]
        self._listes(ou, "ordres", textes_a, obtenus)

    def _notifications(
        self, ou: Ou, dossier: DossierScenario, attendues: list[NotificationAttendue]
    ) -> None:
        reelles = self.publicateur.sur(dossier.cle, "guichet.notification.v1")
        textes_a = [_texte_notification(a.objet, a.le, a.destinataire) for a in attendues]
        textes_o = []
        for rang, event in enumerate(reelles):
            modele = attendues[rang] if rang < len(attendues) else None
            jour = event.time.astimezone(PARIS).date()
            destinataire = str(event.data.get("destinataire"))
            textes_o.append(
                _texte_notification(
                    str(event.data.get("objet")),
                    jour if modele is None or modele.le else None,
                    destinataire if modele is None or modele.destinataire else None,
                )
            )
        self._listes(ou, "notifications", textes_a, textes_o)

    def _anomalies(self, ou: Ou, dossier: DossierScenario, textes: list[str]) -> None:
        motifs = [
            str(e.data.get("motif", ""))
            for e in self.publicateur.sur(dossier.cle, "guichet.dossier.anomalie.v1")
        ]
        for texte in textes:
            trouve = next((m for m in motifs if texte in m), None)
            obtenu = trouve or (" | ".join(motifs) or "aucune anomalie")
            self.noter(
                ou, "anomalie", f"un motif contenant « {texte} »", obtenu, trouve is not None
            )


MONTANTS = ("montant_accorde", "montant_verse", "montant_a_recuperer")


def _montant(valeur: Any) -> Any:
    """Money with two decimals (a value that is not an amount is left as it is)."""
    try:
        return Decimal(str(valeur)).quantize(Decimal("0.01"))
    except InvalidOperation:
        return valeur


def _cle_naturelle(texte: str) -> list[Any]:
    return [int(m) if m.isdigit() else m for m in re.split(r"(\d+)", texte)]


def _texte_ordre(montant: Decimal, periode: str | None, statut: str | None) -> str:
    return " ".join(x for x in (periode, str(_montant(montant)), statut) if x)


def _texte_notification(objet: str, le: date | None, destinataire: str | None) -> str:
    texte = objet
    if destinataire:
        texte += f" à {destinataire}"
    if le:
        texte += f" le {le}"
    return texte


async def executer(
    chemin: Path,
    *,
    historiques: Path | None = None,
    apres: "AppelApres | None" = None,
    prefixe_historiques: str = "",
) -> Resultat:
    """Run one scenario file on its own time-skipping server; never raises for a bad file."""
    debut = horloge.monotonic()
    try:
        scenario = charger(chemin)
    except ErreurScenario as exc:
        return Resultat(str(chemin), chemin.stem, erreur=str(exc))
    resultat = Resultat(str(chemin), scenario.titre)
    try:
        resultat.lignes = await _executer(
            chemin,
            scenario,
            historiques,
            apres,
            prefixe_historiques or f"{chemin.parent.name}-{chemin.stem}",
        )
    except ErreurScenario as exc:
        resultat.erreur = str(exc)
    resultat.duree_s = horloge.monotonic() - debut
    return resultat


async def _executer(
    chemin: Path,
    scenario: Scenario,
    historiques: Path | None,
    apres: "AppelApres | None",
    prefixe: str,
) -> list[Ligne]:
    depart = scenario.etapes[0].instant() - timedelta(hours=1)
    with tempfile.TemporaryDirectory(prefix="guichet-scenario-") as dossier_tmp:
        tmp = Path(dossier_tmp)
        stockage = tmp / "stockage"
        for destination, source in scenario.fichiers.items():
            origine = (chemin.parent / source).resolve()
            if not origine.is_file():
                raise ErreurScenario(f"fichiers: {source} introuvable (à côté de {chemin})")
            cible = stockage / destination
            cible.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(origine, cible)
        db_url = f"sqlite:///{tmp / 'lecture.db'}"
        database.upgrade(database.engine_for(db_url))
        env = await demarrer_serveur(depart)
        try:
            execution = Execution(
                scenario, env, f"scenario-{uuid.uuid4().hex[:8]}", db_url, stockage
            )
            worker = build_worker(
                env.client, execution.task_queue, execution.publicateur, execution.engine, stockage
            )
            async with worker:
                for rang, etape in enumerate(scenario.etapes, start=1):
                    await execution.etape(rang, etape)
                if apres is not None:
                    await apres(execution)
                if historiques is not None:
                    await enregistrer_historiques(
                        env.client,
                        [d.workflow_id for d in scenario.dossiers.values()],
                        historiques,
                        prefixe,
                    )
            execution.engine.dispose()
            return execution.lignes
        finally:
            await env.shutdown()
