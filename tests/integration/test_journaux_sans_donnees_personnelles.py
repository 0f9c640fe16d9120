"""No personal data in the logs (issue 11, item 3; DESIGN.md, "Personal data").

The real service (worker with every workflow and activity, consumer, Kafka publisher) runs a
scenario with every scheme's events: a contrat-pro dossier up to the instructor's decision, a
CAE-DOM convention (names, NIR, birth date and place, addresses, e-mail), ARE complementary
request and spending report, an EXAPRO file of candidates (names, INE, birth dates, addresses,
phones, e-mails), plus invalid events carrying personal values (dead-lettered with a reason).
Logging is configured as the service configures it (`configure_logging`, JSON lines), at DEBUG,
which emits every line INFO does and more. Everything written on the process's stdout and stderr
is captured at the file-descriptor level (structlog, the standard-library loggers of temporalio,
FastStream and aiokafka, and the Temporal core's native logs), and none of the personal values
of the test data may appear in it.
"""

import csv
import shutil
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from events import topics
from events.catalogue import CATALOGUE
from events.publisher import KafkaPublisher
from models.cae_dom import EtatCaeDom
from models.contrat_pro import Decision, EtatContratPro, Statut, TypeDecision
from models.evenements import CloudEvent
from models.exapro import TYPE_FICHIER_DEPOSE
from rules import cae_dom
from rules.calendrier import PARIS
from tests.attente import attendre, etat_quand
from tests.execution import en_suspens
from tests.factories import (
    BCP,
    NAISSANCE_CAE,
    NAISSANCE_CONTRAT_PRO,
    NIR,
    VALEURS_PERSONNELLES,
    contrat_enregistre,
    convention_enregistree,
    convention_personnelle,
    demande_deposee,
    numero_cae_dom,
)
from tests.integration.conftest import settings_for, start_services, stop_services
from tests.integration.kafka import read_until
from workers.runtime.logging import configure_logging
from workers.runtime.settings import LogFormat, Settings
from workers.runtime.temporal import client_for

pytestmark = pytest.mark.integration

NAISSANCE_INCOHERENTE = "1990-01-01"
"""The birth date of the CAE-DOM convention rejected because its NIR does not match it."""


def _candidats() -> list[str]:
    """The personal values of the EXAPRO file: names, INE, birth dates (as written and ISO),
    phones, e-mails, street addresses."""
    valeurs: list[str] = []
    with BCP.open(encoding="utf-8", newline="") as fichier:
        for ligne in csv.DictReader(fichier, delimiter=";"):
            jour, mois, annee = ligne["date_naissance"].split("/")
            valeurs += [
                ligne["nom_famille"],
                ligne["prenoms"],
                ligne["date_naissance"],
                f"{annee}-{mois}-{jour}",
                ligne["adresse_1"],
                ligne["adresse_mail"],
            ]
            valeurs += [ligne[c] for c in ("INE", "telephone", "telephone_mobile", "nom_usage")]
    return [v for v in valeurs if len(v) >= 4]


PERSONNEL = [*VALEURS_PERSONNELLES, NIR[:13], NAISSANCE_INCOHERENTE, *_candidats()]


def _cloud(type_: str, source: str, sujet: str, data: dict[str, Any]) -> CloudEvent:
    return CloudEvent(
        id=f"rgpd-{uuid.uuid4()}",
        source=source,
        type=type_,
        subject=sujet,
        time=datetime.now(PARIS),
        data=data,
    )


async def _scenario(settings: Settings, publisher: KafkaPublisher) -> list[str]:
    """Run the scenario; return the ids of the dossiers' workflows it checked."""
    client = await client_for(settings)
    kafka = settings.kafka_bootstrap_servers

    async def envoyer(topic: str, event: CloudEvent) -> None:
        assert event.subject is not None
        await publisher.publish(topic, event.subject, event.model_dump_json().encode())

    async def etat(workflow_id: str, type_: type[Any], ok: Any) -> Any:
        return await etat_quand(client.get_workflow_handle(workflow_id), type_, ok, 60)

    # contrat-pro: registration (employee's birth date), request, the instructor's decision
    numero = f"RGPD-{uuid.uuid4().hex[:8]}"
    today = datetime.now(PARIS).date()
    enregistre = contrat_enregistre(
        numero, debut=today - timedelta(days=45), date_naissance_salarie=NAISSANCE_CONTRAT_PRO
    )
    await envoyer(topics.OPCO, enregistre)
    await envoyer(topics.PORTAIL, demande_deposee(numero, today))
    await etat(f"contrat-pro:{numero}", EtatContratPro, lambda e: e.statut is Statut.INSTRUCTION)
    decision = Decision(type=TypeDecision.ACCEPTER, auteur="instructeur.rgpd")
    handle = client.get_workflow_handle(f"contrat-pro:{numero}")
    assert await handle.execute_update("decider", decision, result_type=Statut) is Statut.EN_COURS
    # an invalid contract: its birth date is in a wrong format (dead-lettered with a reason)
    invalide = contrat_enregistre(
        f"RGPD-{uuid.uuid4().hex[:8]}", date_naissance_salarie="14/03/1985x" + NIR
    )
    await envoyer(topics.OPCO, invalide)

    # CAE-DOM: a complete convention, and one whose NIR does not match the birth date
    fuseau = cae_dom.fuseau_horaire("971")
    embauche = datetime.now(fuseau).date() - timedelta(days=20)
    cles = [numero_cae_dom(embauche) for _ in "ab"]
    for cle, naissance in zip(cles, (NAISSANCE_CAE, NAISSANCE_INCOHERENTE), strict=True):
        donnees = convention_personnelle(cle, embauche, embauche + timedelta(days=364), naissance)
        await envoyer(topics.ASP, convention_enregistree(cle, donnees))
    await etat(f"cae-dom:{cles[0]}", EtatCaeDom, lambda e: e.evaluation is not None)

    # ARE: a complementary request and a spending report
    uai = f"075{uuid.uuid4().int % 10**4:04d}A"
    for nom, sujet in (
        ("etablissements.are.demande-complementaire.v1", f"DC-{uuid.uuid4().hex[:6]}"),
        ("etablissements.are.bilan-depose.v1", f"{uai}:2023-2024"),
    ):
        data = dict(CATALOGUE[nom].exemple, uai=uai)
        await envoyer(topics.ETABLISSEMENTS, _cloud(nom, "/etablissements/lycees", sujet, data))

    # EXAPRO: a file of candidates dropped by a school
    etablissement = f"{uuid.uuid4().int % 10**7:07d}B"
    chemin = f"{etablissement}/{BCP.name}"
    (settings.data_dir / "exapro" / "depots" / etablissement).mkdir(parents=True)
    shutil.copy(BCP, settings.data_dir / "exapro" / "depots" / chemin)
    depot = {"chemin": chemin, "nom_fichier": BCP.name, "etablissement": etablissement}
    await envoyer(
        topics.ETABLISSEMENTS,
        _cloud(TYPE_FICHIER_DEPOSE, "/etablissements/cyclades", chemin, depot),
    )

    rebuts: set[str] = set()

    def tous_rebutes(record: Any) -> bool:
        rebuts.add(record.key.decode())
        return {invalide.subject, cles[1]} <= rebuts

    await read_until(kafka, topics.REBUTS, tous_rebutes)
    await read_until(
        kafka,
        topics.DOSSIERS,
        lambda r: r.key == chemin.encode() and b'"accepte"' in r.value,
    )
    workflow_ids = [f"are-bilan:{uai}:2023-2024", f"cae-dom:{cles[0]}", f"contrat-pro:{numero}"]
    for workflow_id in workflow_ids:
        assert await client.get_workflow_handle(workflow_id).query("etat") is not None
    return workflow_ids


async def _au_repos(settings: Settings, attendus: list[str]) -> None:
    """Every workflow of the task queue (the `attendus` among them) has processed all it was
    sent and runs no activity: the last activities have written their log lines."""
    client = await client_for(settings)

    async def en_suspens_par_workflow() -> dict[str, list[str]]:
        requete = f'TaskQueue = "{settings.task_queue}"'
        ids = [w.id async for w in client.list_workflows(requete)]
        return {workflow_id: await en_suspens(client, workflow_id) for workflow_id in ids}

    await attendre(
        en_suspens_par_workflow,
        60,
        "les workflows du scénario au repos",
        jusqu_a=lambda suspens: set(attendus) <= set(suspens) and not any(suspens.values()),
    )


async def test_a_scenario_of_every_scheme_leaves_no_personal_data_in_the_logs(
    temporal_dev_server: str,
    fresh_kafka_broker: str,
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
) -> None:
    # The service's own configuration, set up while capfd captures (its handler keeps the
    # stream it was given); DEBUG emits every line INFO does, and more.
    configure_logging(Settings(_env_file=None, log_format=LogFormat.JSON, log_level="DEBUG"))
    settings = settings_for(
        temporal_dev_server, fresh_kafka_broker, f"sqlite:///{tmp_path / 'lecture.db'}"
    ).model_copy(update={"data_dir": tmp_path, "log_level": "DEBUG"})
    services = await start_services(settings)
    publisher = KafkaPublisher(settings.kafka_bootstrap_servers)
    await publisher.start()
    try:
        await _au_repos(settings, await _scenario(settings, publisher))
    finally:
        await publisher.stop()
        await stop_services(services)

    sortie = capfd.readouterr()
    journaux = sortie.out + sortie.err
    assert "evenement_livre" in journaux, "the service's lines were captured"
    assert "worker_demarre" in journaux
    fuites = sorted({v for v in PERSONNEL if v in journaux})
    lignes = [ligne for ligne in journaux.splitlines() if any(v in ligne for v in fuites)]
    assert fuites == [], "\n".join(lignes[:20])


def test_the_test_data_holds_every_kind_of_personal_value() -> None:
    """The scan above could not fail if the data had no NIR, INE, phone, e-mail or date."""
    assert NIR in PERSONNEL
    assert "070512345HJ" in PERSONNEL  # an INE
    assert "0612457812" in PERSONNEL  # a phone
    assert "lucas.martin@laposte.net" in PERSONNEL
    assert "2007-05-14" in PERSONNEL
    assert "MARTIN" in PERSONNEL
    assert date.fromisoformat(NAISSANCE_CAE).year == 1985
