"""`GET /metrics`: Prometheus metrics, counted from the read model at each scrape.

A custom collector reads the audit log, the payment ledger and the dead-letter store, so the
figures are true across every worker, consumer and API process (a per-process counter would
only see its own). What is counted:

- `guichet_evenements_appliques_total{type}`: partner events applied (audit `evenement`);
- `guichet_anomalies_total{type}`: events recorded as anomalies;
- `guichet_decisions_total{type}`: instructor decisions applied (audit `decision`; a refused
  decision is not recorded; `type="decision_refusee"` only counts those of dossiers from
  before that rule, see docs/architecture.md);
- `guichet_echeances_total{type}`: timers fired (deadlines, reminders);
- `guichet_publications_total{type}`: events published, payment orders included;
- `guichet_ordres_paiement{statut}`: the payment ledger, counted (no amount: the route needs no
  token, so it exposes counts only; amounts are on the dashboard, within each user's schemes);
- `guichet_dossiers{dispositif,statut}`: dossiers in the read model;
- `guichet_rebuts_conserves{code,statut}`: dead letters in the store (`rebut` table), by
  rejection code and status (`nouveau` ones wait for review);
- `guichet_rebuts_total{code}`: dead letters ever consigned, those kept plus those the
  retention purged (each purge's audit line counts them by code), so it never goes down: the
  alert `increase(guichet_rebuts_total[15m]) > 0` keeps working. Before the store it was the
  end offsets of the `guichet.rebuts` topic, without the `code` label.

Nothing here asks Kafka any more: the scrape no longer waits on the broker (`GET /ready` says
whether Kafka answers).
"""

import asyncio
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import structlog
from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector, CollectorRegistry
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from activities.retention import DOSSIER_REBUTS, NATURE_REBUT
from models.dossier import Nature
from models.tables import Audit, Dossier, OrdrePaiement
from workers.api.deps import ContexteDep
from workers.services import rebuts

routeur = APIRouter(tags=["santé"])
log = structlog.get_logger(__name__)

NATURES = frozenset(n.value for n in Nature)

COMPTEURS = {
    Nature.EVENEMENT: ("guichet_evenements_appliques", "Événements partenaires appliqués"),
    Nature.ANOMALIE: ("guichet_anomalies", "Événements enregistrés comme anomalies"),
    Nature.DECISION: ("guichet_decisions", "Décisions d'instructeurs appliquées"),
    Nature.ECHEANCE: ("guichet_echeances", "Échéances et rappels déclenchés (minuteurs)"),
    Nature.PUBLICATION: ("guichet_publications", "Événements publiés par guichet"),
}


class CollecteurLecture(Collector):
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def collect(self) -> Iterator[CounterMetricFamily | GaugeMetricFamily]:
        with Session(self.engine) as session:
            audit = session.exec(
                select(Audit.nature, Audit.type, func.count()).group_by(
                    col(Audit.nature), col(Audit.type)
                )
            ).all()
            ordres = session.exec(
                select(OrdrePaiement.statut, func.count()).group_by(col(OrdrePaiement.statut))
            ).all()
            dossiers = session.exec(
                select(Dossier.dispositif, Dossier.statut, func.count()).group_by(
                    col(Dossier.dispositif), col(Dossier.statut)
                )
            ).all()
            conserves = rebuts.comptes(session)
            purges = session.exec(
                select(Audit.detail).where(
                    Audit.dossier == DOSSIER_REBUTS,
                    Audit.nature == NATURE_REBUT,
                    Audit.type == "purge",
                )
            ).all()
        familles = {
            nature: CounterMetricFamily(nom, aide, labels=["type"])
            for nature, (nom, aide) in COMPTEURS.items()
        }
        for nature, type_, nombre in audit:
            famille = familles.get(Nature(nature)) if nature in NATURES else None
            if famille is not None:
                famille.add_metric([type_], nombre)
        yield from familles.values()
        nombre_ordres = GaugeMetricFamily(
            "guichet_ordres_paiement", "Ordres de paiement par statut", labels=["statut"]
        )
        for statut, nombre in ordres:
            nombre_ordres.add_metric([statut], nombre)
        yield nombre_ordres
        par_statut = GaugeMetricFamily(
            "guichet_dossiers", "Dossiers par dispositif et statut", labels=["dispositif", "statut"]
        )
        for dispositif, statut, nombre in dossiers:
            par_statut.add_metric([dispositif, statut], nombre)
        yield par_statut
        yield from _rebuts(conserves, purges)


def _rebuts(
    conserves: list[rebuts.CompteRebuts], purges: Sequence[Mapping[str, Any]]
) -> Iterator[CounterMetricFamily | GaugeMetricFamily]:
    par_statut = GaugeMetricFamily(
        "guichet_rebuts_conserves",
        "Rebuts conservés dans le registre, par code de rejet et statut",
        labels=["code", "statut"],
    )
    jamais: Counter[str] = Counter()
    for compte in conserves:
        par_statut.add_metric([compte.code, compte.statut], compte.nombre)
        jamais[compte.code] += compte.nombre
    for detail in purges:
        for code, nombre in dict((detail or {}).get("par_code") or {}).items():
            jamais[str(code)] += int(nombre)
    yield par_statut
    total = CounterMetricFamily(
        "guichet_rebuts",
        "Rebuts consignés depuis toujours (conservés et purgés), par code de rejet",
        labels=["code"],
    )
    for code, nombre in sorted(jamais.items()):
        total.add_metric([code], nombre)
    yield total


@routeur.get(
    "/metrics",
    summary="Métriques Prometheus (base de lecture, registre des rebuts)",
    response_class=Response,
)
async def metrics(ctx: ContexteDep) -> Response:
    registre = CollectorRegistry(auto_describe=False)
    registre.register(CollecteurLecture(ctx.engine))
    corps = await asyncio.to_thread(generate_latest, registre)
    return Response(corps, media_type=CONTENT_TYPE_LATEST)
