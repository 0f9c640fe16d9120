"""`GET /metrics`: Prometheus metrics, counted from the read model (and Kafka, for the dead
letters) at each scrape.

A custom collector reads the audit log and the payment ledger, so the figures are true across
every worker, consumer and API process (a per-process counter would only see its own). What
is counted:

- `guichet_evenements_appliques_total{type}`: partner events applied (audit `evenement`);
- `guichet_anomalies_total{type}`: events recorded as anomalies;
- `guichet_decisions_total{type}`: instructor decisions applied (audit `decision`; a refused
  decision is not recorded; `type="decision_refusee"` only counts those of dossiers from
  before that rule, see docs/architecture.md);
- `guichet_echeances_total{type}`: timers fired (deadlines, reminders);
- `guichet_publications_total{type}`: events published, payment orders included;
- `guichet_ordres_paiement{statut}` and `guichet_ordres_paiement_montant_euros{statut}`:
  the payment ledger;
- `guichet_dossiers{dispositif,statut}`: dossiers in the read model.

Dead letters are not in the read model: they go to the `guichet.rebuts` topic. Kafka is asked
at each scrape (`events.rebuts.lire_rebuts`, the reader the console's dashboard shares, within
`DELAI_KAFKA_S`):

- `guichet_kafka_joignable`: 1 when Kafka answered in time, else 0;
- `guichet_rebuts_total`: dead letters ever published, the sum of the end offsets of the
  topic's partitions (the broker's count, true across every consumer process; retention does
  not lower it). Absent when Kafka did not answer, never a false 0. The total only: the source
  topic of a dead letter is in its headers, and counting per source would mean reading every
  record at each scrape.
"""

import asyncio
from collections.abc import Iterator

import structlog
from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector, CollectorRegistry
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from events.rebuts import Rebuts, lire_rebuts
from models.dossier import Nature
from models.tables import Audit, Dossier, OrdrePaiement
from workers.api.deps import ContexteDep

routeur = APIRouter(tags=["santé"])
log = structlog.get_logger(__name__)

DELAI_KAFKA_S = 2.0
"""Seconds Kafka gets to answer at each scrape (Prometheus's default scrape timeout is 10 s)."""

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
                select(
                    OrdrePaiement.statut, func.count(), func.sum(OrdrePaiement.montant)
                ).group_by(col(OrdrePaiement.statut))
            ).all()
            dossiers = session.exec(
                select(Dossier.dispositif, Dossier.statut, func.count()).group_by(
                    col(Dossier.dispositif), col(Dossier.statut)
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
        montant_ordres = GaugeMetricFamily(
            "guichet_ordres_paiement_montant_euros",
            "Montant des ordres de paiement par statut (EUR)",
            labels=["statut"],
        )
        for statut, nombre, montant in ordres:
            nombre_ordres.add_metric([statut], nombre)
            montant_ordres.add_metric([statut], float(montant or 0))
        yield nombre_ordres
        yield montant_ordres
        par_statut = GaugeMetricFamily(
            "guichet_dossiers", "Dossiers par dispositif et statut", labels=["dispositif", "statut"]
        )
        for dispositif, statut, nombre in dossiers:
            par_statut.add_metric([dispositif, statut], nombre)
        yield par_statut


class CollecteurRebuts(Collector):
    """What Kafka said about `guichet.rebuts` for this scrape."""

    def __init__(self, rebuts: Rebuts) -> None:
        self.rebuts = rebuts

    def collect(self) -> Iterator[CounterMetricFamily | GaugeMetricFamily]:
        joignable = GaugeMetricFamily(
            "guichet_kafka_joignable",
            "Kafka a répondu à temps pour compter les rebuts (1) ou non (0)",
        )
        joignable.add_metric([], 1 if self.rebuts.disponible else 0)
        yield joignable
        if self.rebuts.disponible and self.rebuts.publies is not None:
            rebuts = CounterMetricFamily(
                "guichet_rebuts",
                "Événements partenaires rejetés, publiés sur guichet.rebuts "
                "(somme des offsets de fin)",
            )
            rebuts.add_metric([], self.rebuts.publies)
            yield rebuts


@routeur.get(
    "/metrics",
    summary="Métriques Prometheus (base de lecture, et rebuts comptés dans Kafka)",
    response_class=Response,
)
async def metrics(ctx: ContexteDep) -> Response:
    rebuts = await lire_rebuts(ctx.settings.kafka_bootstrap_servers, delai_s=DELAI_KAFKA_S)
    if not rebuts.disponible:
        log.warning("metriques_kafka_injoignable", erreur=rebuts.erreur)
    registre = CollectorRegistry(auto_describe=False)
    registre.register(CollecteurLecture(ctx.engine))
    registre.register(CollecteurRebuts(rebuts))
    corps = await asyncio.to_thread(generate_latest, registre)
    return Response(corps, media_type=CONTENT_TYPE_LATEST)
