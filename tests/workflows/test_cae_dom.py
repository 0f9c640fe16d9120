"""The CAE-DOM workflow on the time-skipping test server: a 60-month convention from its
registration to its closing, refusals, duplicates, anomalies. Activities that touch Kafka and
the database are fakes that record; the rules run for real (activities/regles_cae_dom.py).

Each test has a test server of its own, so it starts at dates of its choosing (the server's
clock only moves forward) and asserts exact amounts and dates. Guadeloupe is UTC-4 all year.
"""

import itertools
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from pydantic import ValidationError
from temporalio.client import WorkflowExecutionStatus, WorkflowHandle
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Replayer

from activities.regles_cae_dom import (
    calculer_echeancier_cae_dom,
    echeancier,
    evaluer_convention_cae_dom,
    liquider,
    liquider_trimestres_cae_dom,
)
from events import topics
from events.catalogue_cae_dom import RECUS
from events.delivery import Livrable, deliver
from models.cae_dom import (
    ConventionCaeDom,
    EntreeEcheancier,
    EtatCaeDom,
    EtatPresenceCaeDom,
    ParametresPeriode,
    Statut,
    StatutTrimestre,
    TrimestreCaeDom,
)
from models.evenements import CloudEvent
from rules import cae_dom
from tests.execution import execution
from tests.fakes import FakeActivities
from workers.demo.cae_dom import convention as donnees_convention
from workers.demo.cae_dom import demo
from workflows.cae_dom import CaeDomWorkflow

Handle = WorkflowHandle[Any, Any]

GUADELOUPE = cae_dom.fuseau_horaire("971")
TYPES = {t.nom: t for t in RECUS}
ACTIVITES: list[Callable[..., Any]] = [
    evaluer_convention_cae_dom,
    calculer_echeancier_cae_dom,
    liquider_trimestres_cae_dom,
]
CLE = "971-30-00042"
SIRET = "73282932000074"
_ids = itertools.count(1)


class Convention:
    """One convention's dossier in a test: ASP events, the state, what was published."""

    def __init__(self, env: WorkflowEnvironment, task_queue: str, captured: FakeActivities):
        self.env, self.task_queue, self.captured = env, task_queue, captured
        self.handle: Handle = env.client.get_workflow_handle(f"cae-dom:{CLE}")

    def event(self, quoi: str, data: dict[str, Any], cle: str = CLE) -> CloudEvent:
        return CloudEvent(
            id=f"asp-{next(_ids)}",
            source="/asp",
            type=f"asp.cae-dom.{quoi}.v1",
            subject=cle,
            time=datetime(2030, 1, 1, tzinfo=GUADELOUPE),
            data=data,
        )

    async def send(self, event: CloudEvent) -> None:
        livrable = Livrable(event, TYPES[event.type])
        assert await deliver(self.env.client, self.task_queue, livrable) is None
        await self.env.sleep(timedelta(seconds=1))

    async def asp(self, quoi: str, **data: Any) -> CloudEvent:
        event = self.event(quoi, data)
        await self.send(event)
        return event

    async def at(self, day: date, hour: int = 12) -> None:
        """Skip time to `day` at `hour`, Guadeloupe time."""
        target = datetime.combine(day, time(hour), tzinfo=GUADELOUPE)
        await self.env.sleep(target - await self.env.get_current_time())

    async def register(self, embauche: date, fin: date, **situation: Any) -> CloudEvent:
        return await self.asp(
            "convention-enregistree", **donnees_convention(CLE, embauche, fin, **situation)
        )

    async def quarter(self, libelle: str, **statement: Any) -> None:
        """The statement on the 2nd day after the quarter's end, paid 10 days later."""
        jour = cae_dom.Trimestre.depuis_libelle(libelle).date_paiement + timedelta(days=1)
        await self.at(jour)
        await self.asp("etat-presence", trimestre=libelle, **statement)
        ordre = self.published("guichet.paiement.ordre.v1")[-1]
        await self.at(jour + timedelta(days=10))
        execution = (jour + timedelta(days=10)).isoformat()
        await self.asp("paiement-execute", ordre_id=ordre["ordre_id"], date_execution=execution)

    async def state(self) -> EtatCaeDom:
        state: EtatCaeDom = await self.handle.query("etat", result_type=EtatCaeDom)
        return state

    def published(self, type_: str) -> list[dict[str, Any]]:
        return [e.data for e in self.captured.about(CLE) if e.type == type_]

    def notifications(self) -> list[tuple[str, str, str]]:
        """(objet, destinataire, local time of publication)."""
        return [
            (e.data["objet"], e.data["destinataire"], _local(e.time))
            for e in self.captured.about(CLE)
            if e.topic == topics.NOTIFICATIONS
        ]

    def orders(self) -> list[tuple[str, str, str | None, str]]:
        """(order id after `/paiement/`, amount, bank details, local day of publication)."""
        return [
            (
                e.data["ordre_id"].removeprefix(f"cae-dom:{CLE}/paiement/"),
                e.data["montant"],
                e.data["rib_reference"],
                _local(e.time)[:10],
            )
            for e in self.captured.about(CLE)
            if e.type == "guichet.paiement.ordre.v1"
        ]

    def statuses(self) -> list[tuple[str, str, str | None]]:
        return [
            (s["statut"], s["precedent"], s["motif"])
            for s in self.published("guichet.dossier.statut.v1")
        ]


def _local(moment: datetime) -> str:
    return moment.astimezone(GUADELOUPE).strftime("%Y-%m-%d %H:%M")


def _trimestres(premier: str, dernier: str) -> list[str]:
    trimestre, fin = (
        cae_dom.Trimestre.depuis_libelle(premier),
        cae_dom.Trimestre.depuis_libelle(dernier),
    )
    libelles = []
    while trimestre <= fin:
        libelles.append(trimestre.libelle)
        trimestre = trimestre.suivant()
    return libelles


# --- the whole life of a 60-month convention ------------------------------------------------


async def test_a_60_month_convention_with_renewal_missing_statement_rejected_payment_and_break(
    convention: Convention,
) -> None:
    c = convention
    registration = await _registered_for_24_months_renewable_to_60(c)
    first_run = (await execution(c.env.client, c.handle.id))[1]
    await _first_quarters_a_missing_statement_and_a_rejected_payment(c)
    for libelle in _trimestres("2030-T4", "2031-T4"):
        await c.quarter(libelle)
    await _renewal_beyond_60_months_is_an_anomaly_within_is_applied(c)
    for libelle in _trimestres("2032-T1", "2034-T1"):
        await c.quarter(libelle)
    assert (await execution(c.env.client, c.handle.id))[1] != first_run, (
        "continued as new on the way"
    )
    await _break_reported_after_payment_recovered_in_two_instalments(c)

    state = await c.state()
    assert state.statut is Statut.CLOS
    assert (await execution(c.env.client, c.handle.id))[0] == WorkflowExecutionStatus.COMPLETED
    assert state.registre.evenements_appliques[0] == registration.id, "state carried over"
    assert [t.statut for t in state.trimestres[:3]] == [StatutTrimestre.PAYE] * 3
    assert (state.montant_verse, state.montant_recouvre, state.montant_a_recuperer) == (
        Decimal("40464.53"),
        Decimal("1408.16"),
        Decimal("0.00"),
    )
    assert state.montant_accorde == Decimal("39056.37")  # paid - recovered
    assert c.statuses() == [
        ("rompu", "en_cours", "RUPTURE : démission du salarié"),
        ("recouvrement", "rompu", "ORDRE_DE_REVERSEMENT"),
        ("rompu", "recouvrement", "REVERSEMENT_SOLDE"),
        ("clos", "rompu", "CONVENTION_SOLDEE"),
    ]
    _every_order_and_notification_at_its_date(c)
    projection = c.captured.last_projection(CLE)
    assert (projection.statut, projection.beneficiaire, projection.montant_verse) == (
        "clos",
        SIRET,
        Decimal("40464.53"),
    )
    await Replayer(
        workflows=[CaeDomWorkflow], data_converter=pydantic_data_converter
    ).replay_workflow(await c.handle.fetch_history())


async def _registered_for_24_months_renewable_to_60(c: Convention) -> CloudEvent:
    await c.at(date(2030, 1, 14))
    registration = await c.register(
        date(2030, 1, 15), date(2032, 1, 14), travailleur_handicape=True
    )
    state = await c.state()
    assert state.statut is Statut.EN_COURS
    assert state.evaluation is not None
    assert (state.evaluation.duree_maximale_mois, state.evaluation.date_fin_maximale) == (
        60,
        date(2035, 1, 14),
    )
    assert state.evaluation.fuseau_horaire == "America/Guadeloupe"
    assert [t.trimestre for t in state.trimestres] == _trimestres("2030-T1", "2032-T1")
    assert (state.trimestres[0].du, state.trimestres[0].montant_prevu) == (
        date(2030, 1, 15),
        Decimal("1893.09"),
    )
    assert (state.trimestres[-1].au, state.trimestres[-1].montant_prevu) == (
        date(2032, 1, 14),
        Decimal("335.48"),
    )
    assert state.montant_accorde == Decimal("17828.56")  # 1893.09 + 7 x 2228.57 + 335.48
    assert c.published("guichet.dossier.ouvert.v1") == [
        {"dispositif": "cae-dom", "statut": "en_cours", "date_limite_demande": None}
    ]
    return registration


async def _first_quarters_a_missing_statement_and_a_rejected_payment(c: Convention) -> None:
    # 2030-T1: the statement comes the day after the demand, the ASP pays it.
    await c.quarter("2030-T1")
    assert c.captured.last_projection(CLE).montant_verse == Decimal("1893.09")

    # 2030-T2: no statement; the demand at the quarter's end, reminders 15 and 30 days after;
    # past its deadline (31 July) the quarter goes to an instructor (issue 18).
    await c.at(date(2030, 8, 4))
    trimestre = _q(await c.state(), "2030-T2")
    assert trimestre.statut is StatutTrimestre.EN_INSTRUCTION
    assert trimestre.date_limite_etat == date(2030, 7, 31)
    assert c.notifications()[-5:] == [
        ("ETAT_PRESENCE_ATTENDU", "employeur", "2030-07-01 00:00"),
        ("RAPPEL_ETAT_PRESENCE", "employeur", "2030-07-15 09:00"),
        ("RAPPEL_ETAT_PRESENCE", "employeur", "2030-07-30 09:00"),
        ("ETAT_PRESENCE_NON_RECU", "instructeur", "2030-07-30 09:00"),
        ("ETAT_PRESENCE_DELAI_DEPASSE", "instructeur", "2030-08-01 00:00"),
    ]
    assert [n["echeance"] for n in c.published("guichet.notification.v1")[-5:]] == [
        "2030-07-15",
        "2030-07-30",
        None,
        None,
        None,
    ]
    # A late statement is still liquidated as usual.
    # Five days of unpaid absence in May: 742.857... x (3 - 5/31) = 2108.76.
    await c.asp(
        "etat-presence",
        trimestre="2030-T2",
        absences_non_remunerees=[{"du": "2030-05-13", "au": "2030-05-17"}],
    )
    liquidation = _q(await c.state(), "2030-T2").liquidation
    assert liquidation is not None
    assert (liquidation.jours_non_travailles, liquidation.montant) == (5, Decimal("2108.76"))
    await c.at(date(2030, 8, 14))
    await c.asp(
        "paiement-execute",
        ordre_id=f"cae-dom:{CLE}/paiement/2030-T2",
        date_execution="2030-08-14",
        montant="2108.76",
    )

    # 2030-T3: the payment is rejected; new bank details give a new order for the quarter.
    await c.at(date(2030, 10, 2))
    await c.asp("etat-presence", trimestre="2030-T3")
    await c.at(date(2030, 10, 12))
    await c.asp("paiement-rejete", ordre_id=f"cae-dom:{CLE}/paiement/2030-T3", motif="compte clos")
    assert _q(await c.state(), "2030-T3").statut is StatutTrimestre.REJETE
    await c.at(date(2030, 10, 20))
    await c.asp("coordonnees-bancaires-corrigees", rib_reference="RIB-GP-2")
    await c.at(date(2030, 10, 30))
    await c.asp(
        "paiement-execute",
        ordre_id=f"cae-dom:{CLE}/paiement/2030-T3-2",
        date_execution="2030-10-30",
    )


async def _renewal_beyond_60_months_is_an_anomaly_within_is_applied(c: Convention) -> None:
    await c.at(date(2031, 12, 10))
    renewal = {"numero_convention": f"{CLE}-01-00", "date_signature": "2031-12-09"}
    too_long = await c.asp("avenant-renouvellement", **renewal, date_fin="2035-01-15")
    (anomalie,) = (await c.state()).anomalies
    assert anomalie.evenement_id == too_long.id
    assert anomalie.motif.startswith(
        "DUREE_MAXIMALE_DEPASSEE : avenant 971-30-00042-01-00, prise en charge jusqu'au "
        "2035-01-15 au-delà du 2035-01-14 (60 mois depuis le 2030-01-15"
    )
    await c.asp(
        "avenant-renouvellement",
        **renewal,
        date_fin="2035-01-14",
        duree_hebdomadaire={"heures": 30, "minutes": 0},
    )
    state = await c.state()
    assert state.avenants == ["971-30-00042-01-00"]
    assert [t.trimestre for t in state.trimestres] == _trimestres("2030-T1", "2035-T1")
    # 14 days of January at 26 h, 17 at 30 h, then February and March at 30 h.
    assert _q(state, "2032-T1").montant_prevu == Decimal("2519.82")


async def _break_reported_after_payment_recovered_in_two_instalments(c: Convention) -> None:
    # The employee left on 10/02/2034; the ASP learns it after paying 2034-T1 in full.
    await c.at(date(2034, 5, 5))
    await c.asp("rupture", date_fin_effective="2034-02-10", motif="démission du salarié")
    state = await c.state()
    assert state.statut is Statut.RECOUVREMENT
    assert [(t.trimestre, t.statut) for t in state.trimestres[-5:]] == [
        ("2034-T1", StatutTrimestre.PAYE),
        ("2034-T2", StatutTrimestre.ANNULE),
        ("2034-T3", StatutTrimestre.ANNULE),
        ("2034-T4", StatutTrimestre.ANNULE),
        ("2035-T1", StatutTrimestre.ANNULE),
    ]
    # Due for 2034-T1: January + 10/28 of February at 30 h = 1163.27; paid 2571.43.
    assert _q(state, "2034-T1").montant_du == Decimal("1163.27")
    assert c.published("guichet.paiement.titre-executoire.v1") == [
        {
            "ordre_id": f"cae-dom:{CLE}/reversement/1",
            "dispositif": "cae-dom",
            "debiteur": SIRET,
            "montant": "1408.16",
            "motif": "ordre de reversement : aide versée au-delà de la fin effective du "
            f"contrat le 10/02/2034 (convention {CLE})",
        }
    ]
    assert c.captured.last_projection(CLE).montant_a_recuperer == Decimal("1408.16")

    await c.at(date(2034, 6, 1))
    await c.asp(
        "reversement-recu",
        ordre_id=f"cae-dom:{CLE}/reversement/1",
        montant="408.16",
        date_encaissement="2034-06-01",
    )
    assert (await c.state()).montant_a_recuperer == Decimal("1000.00")
    await c.at(date(2034, 7, 1))
    await c.asp(
        "reversement-recu",
        ordre_id=f"cae-dom:{CLE}/reversement/1",
        montant="1000.00",
        date_encaissement="2034-07-01",
    )


def _every_order_and_notification_at_its_date(c: Convention) -> None:
    plein_26, plein_30 = "2228.57", "2571.43"
    assert c.orders() == [
        ("2030-T1", "1893.09", None, "2030-04-02"),
        ("2030-T2", "2108.76", None, "2030-08-04"),
        ("2030-T3", plein_26, None, "2030-10-02"),
        ("2030-T3-2", plein_26, "RIB-GP-2", "2030-10-20"),
        *[
            (t, plein_26, "RIB-GP-2", (_fin(t) + timedelta(days=2)).isoformat())
            for t in _trimestres("2030-T4", "2031-T4")
        ],
        ("2032-T1", "2519.82", "RIB-GP-2", "2032-04-02"),
        *[
            (t, plein_30, "RIB-GP-2", (_fin(t) + timedelta(days=2)).isoformat())
            for t in _trimestres("2032-T2", "2034-T1")
        ],
    ]
    demandes = [
        ("ETAT_PRESENCE_ATTENDU", "employeur", f"{_fin(t) + timedelta(days=1)} 00:00")
        for t in _trimestres("2030-T1", "2034-T1")
    ]
    assert c.notifications() == [
        *demandes[:2],
        ("RAPPEL_ETAT_PRESENCE", "employeur", "2030-07-15 09:00"),
        ("RAPPEL_ETAT_PRESENCE", "employeur", "2030-07-30 09:00"),
        ("ETAT_PRESENCE_NON_RECU", "instructeur", "2030-07-30 09:00"),
        ("ETAT_PRESENCE_DELAI_DEPASSE", "instructeur", "2030-08-01 00:00"),
        demandes[2],
        ("PAIEMENT_REJETE", "employeur", "2030-10-12 12:00"),
        *demandes[3:],
        ("ORDRE_REVERSEMENT", "employeur", "2034-05-05 12:00"),
    ]


def _fin(libelle: str) -> date:
    return cae_dom.Trimestre.depuis_libelle(libelle).dernier_jour


def _q(state: EtatCaeDom, libelle: str) -> TrimestreCaeDom:
    trimestre = state.trimestre(libelle)
    assert trimestre is not None, libelle
    return trimestre


# --- refusals ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fin", "signature_etat", "motif"),
    [
        (date(2031, 1, 14), date(2030, 1, 16), "CONVENTION_APRES_EMBAUCHE"),
        (date(2032, 1, 15), None, "DUREE_MAXIMALE_DEPASSEE"),
        (
            date(2032, 1, 15),
            date(2030, 1, 16),
            "CONVENTION_APRES_EMBAUCHE, DUREE_MAXIMALE_DEPASSEE",
        ),
    ],
)
async def test_a_refused_convention_gets_its_reasons_and_the_dossier_closes(
    convention: Convention, fin: date, signature_etat: date | None, motif: str
) -> None:
    c = convention
    await c.at(date(2030, 1, 20))
    await c.asp(
        "convention-enregistree",
        **donnees_convention(CLE, date(2030, 1, 15), fin, signature_etat=signature_etat),
    )

    state = await c.state()
    assert (state.statut, state.motifs_refus, state.trimestres) == (
        Statut.REFUSE,
        motif.split(", "),
        [],
    )
    assert c.statuses() == [("refuse", "nouveau", motif)]
    ((objet, destinataire, _),) = c.notifications()
    assert (objet, destinataire) == ("CONVENTION_REFUSEE", "employeur")
    assert (await execution(c.env.client, c.handle.id))[0] == WorkflowExecutionStatus.COMPLETED
    assert c.captured.last_projection(CLE).statut == "refuse"
    assert c.published("guichet.paiement.ordre.v1") == []


async def test_the_refusal_message_names_the_dates_and_the_rule(convention: Convention) -> None:
    c = convention
    await c.at(date(2030, 1, 20))
    await c.asp(
        "convention-enregistree",
        **donnees_convention(
            CLE, date(2030, 1, 15), date(2032, 1, 15), signature_etat=date(2030, 1, 16)
        ),
    )

    (notification,) = c.published("guichet.notification.v1")
    assert notification["message"] == (
        "La convention 971-30-00042-00-00 ne peut être prise en charge : la convention, "
        "conclue le 16/01/2030, doit précéder l'embauche du 15/01/2030 (circulaire DGEFP "
        "n° 2011-02, annexe II, question 1) ; la prise en charge jusqu'au 15/01/2032 dépasse "
        "la durée maximale de 24 mois (fin au plus tard le 14/01/2032, circulaire DGEFP "
        "n° 2011-02, annexe II, question 3)."
    )


# --- duplicates and anomalies -----------------------------------------------------------------


async def test_duplicates_are_applied_once_and_a_second_statement_gives_no_second_order(
    convention: Convention,
) -> None:
    c = convention
    await c.at(date(2030, 1, 14))
    registration = await c.register(date(2030, 1, 15), date(2031, 1, 14))
    await c.send(registration)  # redelivered by Kafka: the same id
    await c.at(date(2030, 4, 2))
    statement = c.event("etat-presence", {"trimestre": "2030-T1"})
    await c.send(statement)
    await c.send(statement)
    corrected = await c.asp(
        "etat-presence",
        trimestre="2030-T1",
        absences_non_remunerees=[{"du": "2030-02-03", "au": "2030-02-04"}],
    )
    execution = c.event(
        "paiement-execute",
        {"ordre_id": f"cae-dom:{CLE}/paiement/2030-T1", "date_execution": "2030-04-12"},
    )
    await c.send(execution)
    await c.send(execution)
    second_execution = await c.asp(
        "paiement-execute", ordre_id=f"cae-dom:{CLE}/paiement/2030-T1", date_execution="2030-04-13"
    )
    second_registration = await c.register(date(2030, 1, 15), date(2031, 1, 14))

    state = await c.state()
    assert c.orders() == [("2030-T1", "1893.09", None, "2030-04-02")]
    assert state.montant_verse == Decimal("1893.09")
    assert state.registre.evenements_appliques == [
        registration.id,
        statement.id,
        corrected.id,
        execution.id,
        second_execution.id,
        second_registration.id,
    ]
    assert [(a.evenement_id, a.motif) for a in state.anomalies] == [
        (corrected.id, "état de présence du trimestre 2030-T1 déjà reçu (trimestre ordonné)"),
        (
            second_execution.id,
            f"paiement exécuté pour l'ordre cae-dom:{CLE}/paiement/2030-T1 déjà exécuté",
        ),
        (
            second_registration.id,
            "événement asp.cae-dom.convention-enregistree.v1 inattendu au statut en_cours",
        ),
    ]
    assert [a["evenement_id"] for a in c.published("guichet.dossier.anomalie.v1")] == [
        corrected.id,
        second_execution.id,
        second_registration.id,
    ]
    assert c.captured.last_projection(CLE).anomalies == 3
    assert len(c.published("guichet.dossier.ouvert.v1")) == 1


async def test_events_that_make_no_sense_in_the_state_are_anomalies(
    convention: Convention,
) -> None:
    c = convention
    await c.at(date(2030, 1, 14))
    before = await c.asp("etat-presence", trimestre="2029-T4")
    assert [a.motif for a in (await c.state()).anomalies] == [
        "événement asp.cae-dom.etat-presence.v1 pour une convention que l'ASP n'a pas enregistrée"
    ]
    await c.register(date(2030, 1, 15), date(2031, 1, 14))
    await c.at(date(2030, 4, 2))
    sans_motif = [
        await c.asp("etat-presence", trimestre="2030-T2"),
        await c.asp("etat-presence", trimestre="2029-T4"),
        await c.asp("paiement-execute", ordre_id="cae-dom:inconnu/1", date_execution="2030-04-02"),
        await c.asp("paiement-rejete", ordre_id="cae-dom:inconnu/1", motif="compte clos"),
        await c.asp(
            "reversement-recu",
            ordre_id=f"cae-dom:{CLE}/reversement/1",
            montant="10.00",
            date_encaissement="2030-04-02",
        ),
        await c.asp("rupture", date_fin_effective="2031-01-14", motif="fin normale"),
        await c.asp(
            "avenant-renouvellement",
            numero_convention="971-30-00043-01-00",
            date_signature="2030-04-01",
            date_fin="2031-06-30",
        ),
        await c.asp("etat-presence", trimestre="2030-T5"),  # a signal that bypassed the consumer
    ]

    state = await c.state()
    assert [a.evenement_id for a in state.anomalies] == [before.id, *(e.id for e in sans_motif)]
    assert [a.motif for a in state.anomalies[1:]] == [
        "état de présence du trimestre 2030-T2 reçu avant la fin du trimestre (le 30/06/2030)",
        "état de présence du trimestre 2029-T4 : aucun jour de ce trimestre n'est pris en charge",
        "paiement exécuté pour un ordre inconnu : cae-dom:inconnu/1",
        "paiement rejeté pour un ordre inconnu : cae-dom:inconnu/1",
        f"reversement reçu pour un ordre inconnu : cae-dom:{CLE}/reversement/1",
        "rupture au 2031-01-14 : la prise en charge finit le 2031-01-14, ce n'est pas une fin "
        "anticipée",
        "avenant 971-30-00043-01-00 : sa clé 971-30-00043 n'est pas celle du dossier",
        "données non conformes au contrat asp.cae-dom.etat-presence.v1 (champs : trimestre)",
    ]
    assert state.statut is Statut.EN_COURS
    assert state.date_fin_effective is None
    assert c.published("guichet.paiement.ordre.v1") == []


async def test_an_amendment_in_a_liquidated_quarter_is_refused_a_later_one_reshapes_the_schedule(
    convention: Convention,
) -> None:
    c = convention
    await c.at(date(2030, 1, 14))
    await c.register(date(2030, 1, 15), date(2031, 1, 14))
    await c.quarter("2030-T1")
    amendment = {"date_signature": "2030-04-20", "duree_hebdomadaire": {"heures": 35}}

    too_late = await c.asp(
        "avenant-modification",
        numero_convention=f"{CLE}-00-01",
        date_effet="2030-03-01",
        **amendment,
    )
    await c.asp(
        "avenant-modification",
        numero_convention=f"{CLE}-00-01",
        date_effet="2030-05-01",
        **amendment,
    )
    older = await c.asp(
        "avenant-modification",
        numero_convention=f"{CLE}-00-01",
        date_effet="2030-06-01",
        **amendment,
    )

    state = await c.state()
    assert [(a.evenement_id, a.motif) for a in state.anomalies] == [
        (
            too_late.id,
            f"avenant {CLE}-00-01 : prend effet le 2030-03-01, dans le trimestre 2030-T1 "
            "déjà liquidé",
        ),
        (
            older.id,
            f"avenant {CLE}-00-01 déjà appliqué ou antérieur au dernier avenant appliqué "
            "(indices 00-01)",
        ),
    ]
    # April at 26 h out of 35 (742.86), May and June full time (1 000.00 each).
    assert [(t.trimestre, t.montant_prevu) for t in state.trimestres] == [
        ("2030-T1", Decimal("1893.09")),
        ("2030-T2", Decimal("2742.86")),
        ("2030-T3", Decimal("3000.00")),
        ("2030-T4", Decimal("3000.00")),
        ("2031-T1", Decimal("451.61")),
    ]


async def test_a_convention_registered_late_asks_for_each_ended_quarter_without_stale_reminders(
    convention: Convention,
) -> None:
    c = convention
    await c.at(date(2030, 7, 20))
    await c.register(date(2030, 1, 15), date(2031, 1, 14))
    await c.at(date(2030, 8, 1))

    assert c.notifications() == [
        ("ETAT_PRESENCE_ATTENDU", "employeur", "2030-07-20 12:00"),
        ("ETAT_PRESENCE_ATTENDU", "employeur", "2030-07-20 12:00"),
        ("RAPPEL_ETAT_PRESENCE", "employeur", "2030-07-30 09:00"),
        ("ETAT_PRESENCE_NON_RECU", "instructeur", "2030-07-30 09:00"),
    ]
    assert [n["message"][:25] for n in c.published("guichet.notification.v1")[:2]] == [
        "Le trimestre 2030-T1 est ",
        "Le trimestre 2030-T2 est ",
    ]
    # Each statement asked for late gets a month (issue 18): due by 19 August, not by the
    # rule's 30 April and 31 July.
    state = await c.state()
    assert [t.date_limite_etat for t in state.trimestres[:2]] == [date(2030, 8, 19)] * 2
    projection = c.captured.last_projection(CLE)
    assert (projection.prochaine_echeance, projection.libelle_echeance) == (
        date(2030, 8, 19),
        "date limite de l'état de présence du trimestre 2030-T1",
    )


async def test_a_convention_never_executed_recovers_everything_paid(
    convention: Convention,
) -> None:
    c = convention
    await c.at(date(2030, 1, 14))
    await c.register(date(2030, 1, 15), date(2031, 1, 14))
    await c.quarter("2030-T1")

    await c.asp("rupture", date_fin_effective="2030-01-14", motif="non exécution")

    state = await c.state()
    assert all(t.statut is not StatutTrimestre.A_VENIR for t in state.trimestres)
    (titre,) = c.published("guichet.paiement.titre-executoire.v1")
    assert titre["montant"] == "1893.09"
    assert state.statut is Statut.RECOUVREMENT
    assert state.montant_accorde == Decimal("0.00")


async def _break_while_the_first_order_is_in_flight(c: Convention) -> None:
    await c.at(date(2030, 1, 14))
    await c.register(date(2030, 1, 15), date(2031, 1, 14))
    await c.at(date(2030, 4, 2))
    await c.asp("etat-presence", trimestre="2030-T1")
    await c.at(date(2030, 4, 5))
    await c.asp("rupture", date_fin_effective="2030-01-31", motif="fin de période d'essai")
    # Only 17 days of January are due: 742.857... x 17/31 = 407.37.
    assert _q(await c.state(), "2030-T1").montant_du == Decimal("407.37")
    assert c.published("guichet.paiement.titre-executoire.v1") == []


async def test_an_order_in_flight_at_a_break_is_recovered_beyond_what_is_due_once_executed(
    convention: Convention,
) -> None:
    c = convention
    await _break_while_the_first_order_is_in_flight(c)

    await c.at(date(2030, 4, 12))
    await c.asp(
        "paiement-execute", ordre_id=f"cae-dom:{CLE}/paiement/2030-T1", date_execution="2030-04-12"
    )

    (titre,) = c.published("guichet.paiement.titre-executoire.v1")
    assert (titre["ordre_id"], titre["montant"]) == (f"cae-dom:{CLE}/reversement/1", "1485.72")
    state = await c.state()
    assert (state.statut, state.montant_verse, state.montant_a_recuperer) == (
        Statut.RECOUVREMENT,
        Decimal("1893.09"),
        Decimal("1485.72"),
    )


async def test_after_a_break_a_rejected_quarter_is_ordered_again_for_what_is_still_due(
    convention: Convention,
) -> None:
    c = convention
    await _break_while_the_first_order_is_in_flight(c)

    await c.asp("paiement-rejete", ordre_id=f"cae-dom:{CLE}/paiement/2030-T1", motif="RIB faux")
    await c.asp("coordonnees-bancaires-corrigees", rib_reference="RIB-GP-9")
    await c.asp(
        "paiement-execute",
        ordre_id=f"cae-dom:{CLE}/paiement/2030-T1-2",
        date_execution="2030-04-20",
    )

    assert c.orders() == [
        ("2030-T1", "1893.09", None, "2030-04-02"),
        ("2030-T1-2", "407.37", "RIB-GP-9", "2030-04-05"),
    ]
    state = await c.state()
    assert (state.statut, state.montant_verse) == (Statut.CLOS, Decimal("407.37"))
    assert c.published("guichet.paiement.titre-executoire.v1") == []


# --- the rules as the activities apply them ---------------------------------------------------

_PERIODE_26H = ParametresPeriode(
    a_partir_du=date(2030, 1, 15),
    niveau_prime_mensuel=Decimal("1000.00"),
    duree_hebdomadaire_minutes=26 * 60,
    duree_collective_minutes=35 * 60,
)


def test_with_a_single_period_the_schedule_is_the_rules_schedule() -> None:
    entree = EntreeEcheancier(
        periodes=[_PERIODE_26H], fin=date(2035, 1, 14), date_fin_effective=date(2033, 8, 9)
    )
    parametres = cae_dom.ParametresAide(
        debut=date(2030, 1, 15),
        fin=date(2035, 1, 14),
        niveau_prime_mensuel=Decimal("1000.00"),
        duree_hebdomadaire=Fraction(26),
        duree_collective=Fraction(35),
    )

    assert echeancier(entree) == cae_dom.echeancier(parametres, date(2033, 8, 9))


def test_a_month_not_worked_and_unpaid_absences_are_taken_out_of_the_covered_days() -> None:
    entree = EntreeEcheancier(periodes=[_PERIODE_26H], fin=date(2031, 1, 14))
    etat = EtatPresenceCaeDom.model_validate(
        {
            "trimestre": "2030-T2",
            "mois_non_travailles": ["2030-05"],
            "absences_non_remunerees": [
                {"du": "2030-06-03", "au": "2030-06-04"},
                {"du": "2030-06-04", "au": "2030-06-04"},  # overlaps: counted once
                {"du": "2030-05-20", "au": "2030-05-21"},  # inside the month not worked
            ],
        }
    )

    liquidation = liquider(entree, etat)

    # April full (742.857...), May nothing, June 28/30: 742.857... x (1 + 28/30) = 1436.19.
    assert (liquidation.jours_couverts, liquidation.jours_non_travailles) == (91, 33)
    assert (liquidation.montant_sans_absence, liquidation.montant) == (
        Decimal("2228.57"),
        Decimal("1436.19"),
    )


def test_after_an_early_end_a_statement_pays_only_the_days_up_to_the_end() -> None:
    entree = EntreeEcheancier(
        periodes=[_PERIODE_26H], fin=date(2031, 1, 14), date_fin_effective=date(2030, 5, 15)
    )

    liquidation = liquider(entree, EtatPresenceCaeDom(trimestre="2030-T2"))

    # April full, May 15/31: 742.857... x (1 + 15/31) = 1102.30.
    assert (liquidation.du, liquidation.au, liquidation.montant) == (
        date(2030, 4, 1),
        date(2030, 5, 15),
        Decimal("1102.30"),
    )


@pytest.mark.parametrize(
    ("data", "champ"),
    [
        ({"trimestre": "2030-T5"}, "trimestre"),
        ({"trimestre": "2030-T2", "mois_non_travailles": ["2030-07"]}, "mois_non_travailles"),
        ({"trimestre": "2030-T2", "mois_non_travailles": ["2030-4"]}, "mois_non_travailles"),
        (
            {
                "trimestre": "2030-T2",
                "absences_non_remunerees": [{"du": "2030-06-30", "au": "2030-07-01"}],
            },
            "absences_non_remunerees",
        ),
    ],
)
def test_a_statement_outside_its_quarter_is_refused_naming_the_field(
    data: dict[str, Any], champ: str
) -> None:
    with pytest.raises(ValidationError) as erreur:
        EtatPresenceCaeDom.model_validate(data)
    assert erreur.value.errors()[0]["loc"][0] == champ


# --- catalogue and demo -----------------------------------------------------------------------


@pytest.mark.parametrize("nom", sorted(TYPES))
def test_each_catalogue_example_satisfies_its_contract(nom: str) -> None:
    TYPES[nom].contrat.model_validate(TYPES[nom].exemple)
    assert nom.startswith("asp.cae-dom.")
    assert TYPES[nom].topic == topics.ASP


def test_the_registration_example_is_a_convention_of_its_own_dossier() -> None:
    convention = ConventionCaeDom.model_validate(
        TYPES["asp.cae-dom.convention-enregistree.v1"].exemple
    )
    assert convention.numero_convention.cle_dossier == "971-24-00123"
    assert convention.motifs_refus() == []


def test_the_demo_sends_valid_events_except_the_one_meant_for_the_dead_letter_topic() -> None:
    events = [e for _, e in demo(date(2026, 11, 23))]
    invalid = []
    for event in events:
        assert isinstance(event, CloudEvent)
        try:
            TYPES[event.type].contrat.model_validate(event.data)
        except ValidationError:
            invalid.append(event.id)
    assert invalid == ["demo-cae-0010"]
    assert len({e.id for e in events if isinstance(e, CloudEvent)}) == len(events) - 1


async def test_the_demo_leaves_each_convention_in_the_state_it_announces(
    convention: Convention,
) -> None:
    c = convention
    today = (await c.env.get_current_time()).date()
    valid = [
        e
        for _, e in demo(today)
        if isinstance(e, CloudEvent) and e.id != "demo-cae-0010"  # dead-lettered by the consumer
    ]
    for event in valid:
        await c.send(event)

    async def state(departement: str) -> EtatCaeDom:
        (subject,) = {e.subject for e in valid if e.subject.startswith(departement)}
        handle = c.env.client.get_workflow_handle(f"cae-dom:{subject}")
        etat: EtatCaeDom = await handle.query("etat", result_type=EtatCaeDom)
        return etat

    recent, paid, refused, broken = [await state(d) for d in ("971", "972", "974", "973")]
    assert (recent.statut, len(recent.registre.evenements_appliques)) == (Statut.EN_COURS, 1)
    assert [t.statut for t in paid.trimestres[:2]] == [
        StatutTrimestre.PAYE,
        StatutTrimestre.ATTENTE_ETAT,
    ]
    assert paid.trimestres[0].liquidation is not None
    assert paid.trimestres[0].liquidation.jours_non_travailles == 5
    assert (refused.statut, refused.motifs_refus) == (Statut.REFUSE, ["CONVENTION_APRES_EMBAUCHE"])
    assert broken.statut is Statut.RECOUVREMENT
    assert broken.montant_a_recuperer > 0
    assert [a for s in (recent, paid, refused, broken) for a in s.anomalies] == []
