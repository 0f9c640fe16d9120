"""The data subject's rights on a CAE-DOM convention, on the time-skipping test server
(workflows/cae_dom/ with workflows/rgpd.py): a restriction holds the quarter ends, the
reminders and the ASP's events, survives continue-as-new, and once lifted opens the quarter
that ended meanwhile before applying the held statement; a rectification of the employee's
identity is validated by the Cerfa's rules and audited without the value; a corrected birth
date re-evaluates the maximum duration.

The GDPR events are signalled as `guichet rgpd` sends them (workers/services/rgpd.py): they are not
partner events, so they do not go through the partner catalogue.
"""

import itertools
import json
from datetime import date, datetime, timedelta
from typing import Any

from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from models import rgpd
from models.cae_dom import StatutTrimestre
from models.evenements import CloudEvent
from tests.attente import attendre
from tests.execution import execution, longueur_historique
from tests.workflows.test_cae_dom import CLE, GUADELOUPE, Convention
from workers.demo.cae_dom import convention as donnees_convention
from workflows.cae_dom import CaeDomWorkflow
from workflows.cae_dom.workflow import HISTORIQUE_MAX_CAE_DOM
from workflows.rgpd import LIBELLE_LIMITE

ADMIN = "dpo.admin"
NIR_1980 = "180069711234584"
"""A valid NIR of a man born in June 1980 (the demo convention's is born in June 1985)."""
REFUS = 300
"""Refused requests enough to pass the 500 history events after which the workflow continues
as new (`HISTORIQUE_MAX_CAE_DOM`): sent in a burst, each costs about two (its signal and the
marker of its step's local write), plus the workflow tasks that apply them. The workflow
continues as new at its next workflow task once its history is over the limit: the last
request comes after the others have taken it there."""
_ids = itertools.count(1)


async def _rgpd(c: Convention, type_: str, **data: Any) -> CloudEvent:
    """A GDPR request as `guichet rgpd` sends it, applied before returning."""
    event = CloudEvent(
        id=f"rgpd/{next(_ids)}",
        source=f"{rgpd.SOURCE}/{ADMIN}",
        type=type_,
        subject=CLE,
        time=datetime(2030, 1, 1, tzinfo=GUADELOUPE),
        data={"auteur": ADMIN, "motif": "demande de la personne", **data},
    )
    await c.handle.signal("evenement", event)
    await c.env.sleep(timedelta(seconds=1))
    return event


async def _etat_rgpd(c: Convention) -> rgpd.EtatRgpd:
    etat: rgpd.EtatRgpd = await c.handle.query("rgpd", result_type=rgpd.EtatRgpd)
    return etat


async def _apres_continue_as_new(c: Convention, premiere: str) -> rgpd.EtatRgpd:
    """The GDPR state once the workflow has continued as new and applied every request."""

    async def suivi_de_la_suite() -> rgpd.EtatRgpd | None:
        if (await execution(c.env.client, c.handle.id))[1] == premiere:
            return None  # not continued as new yet
        return await _etat_rgpd(c)

    suivi = await attendre(
        suivi_de_la_suite,
        30,
        f"la suite du workflow avec ses {REFUS} refus",
        jusqu_a=lambda s: s is not None and len(s.refus) == REFUS,
    )
    assert suivi is not None
    return suivi


def _objets(c: Convention) -> list[str]:
    return [objet for objet, _, _ in c.notifications()]


async def test_a_restriction_holds_the_quarter_end_and_the_statement_across_continue_as_new(
    convention: Convention,
) -> None:
    c = convention
    await c.at(date(2030, 1, 14))
    await c.register(date(2030, 1, 15), date(2032, 1, 14))
    await c.at(date(2030, 3, 20))
    await _rgpd(c, rgpd.LIMITATION)
    limitation = (await _etat_rgpd(c)).limitation
    assert limitation is not None
    assert (limitation.auteur, limitation.motif) == (ADMIN, "demande de la personne")
    projection = c.captured.last_projection(CLE)
    assert (projection.prochaine_echeance, projection.libelle_echeance) == (None, LIBELLE_LIMITE)

    # Refused requests (already restricted) grow the history until the workflow continues as
    # new: the restriction and the refusals go with it.
    premiere = (await execution(c.env.client, c.handle.id))[1]
    for n in range(REFUS):
        if n == REFUS - 1:
            await attendre(
                lambda: longueur_historique(c.env.client, c.handle.id),
                30,
                "l'historique au-delà de sa limite",
                jusqu_a=lambda longueur: longueur > HISTORIQUE_MAX_CAE_DOM,
            )
        await c.handle.signal(
            "evenement",
            CloudEvent(
                id=f"rgpd/{next(_ids)}",
                source=f"{rgpd.SOURCE}/{ADMIN}",
                type=rgpd.LIMITATION,
                subject=CLE,
                time=datetime(2030, 1, 1, tzinfo=GUADELOUPE),
                data={"auteur": ADMIN, "motif": "encore"},
            ),
        )
    suivi = await _apres_continue_as_new(c, premiere)
    assert suivi.limitation == limitation
    assert all(
        m.startswith("limitation: le traitement est déjà limité") for m in suivi.refus.values()
    )

    # The first quarter ends on 31 March; its statement arrives on 3 April: held. Its
    # reminders (15 and 30 days after) would fall meanwhile: held too.
    notifications = len(c.notifications())
    await c.at(date(2030, 4, 3))
    await c.asp("etat-presence", trimestre="2030-T1")
    await c.at(date(2030, 5, 15))
    etat = await c.state()
    assert (etat.trimestres[0].statut, etat.ordres) == (StatutTrimestre.A_VENIR, [])
    assert len(c.notifications()) == notifications

    await _rgpd(c, rgpd.LEVEE_LIMITATION, motif="données vérifiées")
    assert (await _etat_rgpd(c)).limitation is None
    etat = await c.state()
    assert etat.trimestres[0].statut is StatutTrimestre.ORDONNE, "the held statement, applied"
    assert [o[0] for o in c.orders()] == ["2030-T1"]
    # The quarter's end is announced late, its reminders past due are not sent.
    assert _objets(c)[notifications:] == ["ETAT_PRESENCE_ATTENDU"]
    lignes = [(e.type, e.auteur) for e in c.captured.audit if e.type.startswith("rgpd")]
    assert ("rgpd_limitation", ADMIN) in lignes
    assert ("rgpd_levee_limitation", ADMIN) in lignes

    # Timers run again: the second quarter's end on 30 June is due on 1 July.
    await c.at(date(2030, 7, 2))
    assert (await c.state()).trimestres[1].statut is StatutTrimestre.ATTENTE_ETAT
    await Replayer(
        workflows=[CaeDomWorkflow], data_converter=pydantic_data_converter
    ).replay_workflow(await c.handle.fetch_history())


async def test_rectifying_the_employee_is_checked_by_the_cerfa_and_audited_without_the_value(
    convention: Convention,
) -> None:
    c = convention
    await c.at(date(2030, 1, 14))
    await c.register(date(2030, 1, 15), date(2032, 1, 14))
    nom = await _rgpd(c, rgpd.RECTIFICATION, champ="nom_salarie", valeur="Dupont-Lebrun")
    adresse = await _rgpd(
        c, rgpd.RECTIFICATION, champ="adresse_salarie", valeur={"voie": "chemin des Alizés"}
    )
    postal = await _rgpd(c, rgpd.RECTIFICATION, champ="code_postal_salarie", valeur="97233")
    cle_fausse = await _rgpd(c, rgpd.RECTIFICATION, champ="nir_salarie", valeur="185069711234599")
    annee = await _rgpd(c, rgpd.RECTIFICATION, champ="date_naissance_salarie", valeur="1984-06-10")
    inconnu = await _rgpd(c, rgpd.RECTIFICATION, champ="siret", valeur="73282932000074")

    etat = await c.state()
    assert etat.convention is not None
    salarie = etat.convention.salarie
    assert (salarie.nom, salarie.adresse.voie, salarie.adresse.code_postal) == (
        "Dupont-Lebrun",
        "chemin des Alizés",
        "97233",
    )
    assert salarie.adresse.commune == "Pointe-à-Pitre", "the other address fields stay"
    assert (salarie.nir, salarie.date_naissance) == ("185069711234533", date(1985, 6, 10))
    suivi = await _etat_rgpd(c)
    assert suivi.rectifications == [nom.id, adresse.id, postal.id]
    assert suivi.refus[cle_fausse.id].startswith("rectification de nir_salarie: valeur refusée")
    assert "clé de contrôle fausse" in suivi.refus[cle_fausse.id]
    assert suivi.refus[annee.id] == (
        "rectification de date_naissance_salarie: valeur refusée (nir : l'année de naissance "
        "du NIR ne correspond pas à la date de naissance)"
    )
    assert "'siret' n'est pas rectifiable" in suivi.refus[inconnu.id]
    assert "nir_salarie, nom_patronymique_salarie" in suivi.refus[inconnu.id]

    rectifications = [e for e in c.captured.audit if e.type == "rgpd_rectification"]
    assert [(e.auteur, e.detail["champ"]) for e in rectifications] == [
        (ADMIN, "nom_salarie"),
        (ADMIN, "adresse_salarie"),
        (ADMIN, "code_postal_salarie"),
    ]
    assert rectifications[1].detail["sous_champs"] == "voie"
    traces = json.dumps(
        [e.model_dump(mode="json") for e in c.captured.audit]
        + [e.model_dump(mode="json") for e in c.captured.published]
        + [suivi.model_dump(mode="json")]
    )
    for valeur in ("Dupont-Lebrun", "Alizés", "97233", "185069711234599", "1984-06-10"):
        assert valeur not in traces
    assert c.statuses() == [], "no anomaly, no status change"


async def test_a_corrected_birth_date_shortens_the_maximum_duration_and_warns_the_instructor(
    convention: Convention,
) -> None:
    c = convention
    await c.at(date(2030, 1, 14))
    donnees = donnees_convention(
        CLE,
        date(2030, 1, 15),
        date(2033, 1, 14),
        beneficiaire_ass=True,
        minima_sociaux_depuis="24_mois_et_plus",
    )
    donnees["salarie"] |= {"nir": NIR_1980, "date_naissance": "1980-06-10"}
    await c.send(c.event("convention-enregistree", donnees))
    etat = await c.state()
    assert etat.evaluation is not None
    assert etat.evaluation.duree_maximale_mois == 60, "minimum benefits, 50 within 24 months"

    # Registered with the wrong birth year, in the NIR too: each alone is refused, both at once
    # are corrected.
    seule = await _rgpd(c, rgpd.RECTIFICATION, champ="nir_salarie", valeur="185069711234533")
    await _rgpd(
        c,
        rgpd.RECTIFICATION,
        champ="salarie",
        valeur={"nir": "185069711234533", "date_naissance": "1985-06-10"},
    )
    assert seule.id in (await _etat_rgpd(c)).refus
    etat = await c.state()
    assert etat.convention is not None
    assert etat.convention.salarie.date_naissance == date(1985, 6, 10)
    assert etat.evaluation is not None
    assert (etat.evaluation.duree_maximale_mois, etat.evaluation.date_fin_maximale) == (
        24,
        date(2032, 1, 14),
    )
    assert etat.date_fin == date(2033, 1, 14), "the coverage is not cut by guichet"
    assert [(o, d) for o, d, _ in c.notifications()][-1] == (
        "DUREE_MAXIMALE_A_REVOIR",
        "instructeur",
    )
    reevaluation = next(e for e in c.captured.audit if e.type == "rgpd_reevaluation")
    assert (
        reevaluation.detail["duree_maximale_mois_avant"],
        reevaluation.detail["duree_maximale_mois"],
    ) == ("60", "24")
    assert "1985-06-10" not in json.dumps([e.model_dump(mode="json") for e in c.captured.audit])
