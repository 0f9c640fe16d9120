"""`guichet rebuts list|show|rejouer|ignorer` on a SQLite read model (no Temporal: a replay the
intake refuses never connects; the accepted path is tested through the API, tests/api)."""

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import Session

from events import topics
from events.registre import CodeRejet, RebutRecu, origine_kafka
from tests.factories import NIR, contrat_enregistre
from workers.cli import build_parser
from workers.runtime.database import engine_for, upgrade
from workers.runtime.settings import Settings
from workers.services.rebuts import RegistreRebutsSql
from workers.services.utilisateurs import creer_utilisateur


@pytest.fixture
def reglages(tmp_path: Path) -> Settings:
    settings = Settings(
        _env_file=None,
        data_dir=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'lecture.db'}",
        temporal_address="127.0.0.1:1",
    )
    engine = engine_for(settings.effective_database_url)
    upgrade(engine)
    with Session(engine) as session:
        creer_utilisateur(session=session, nom="sup", role="superviseur", dispositifs=["*"])
        creer_utilisateur(session=session, nom="ins", role="instructeur", dispositifs=["*"])
        session.commit()
    event = json.loads(contrat_enregistre().model_dump_json())
    del event["data"]["date_fin"]
    event["data"]["nir_salarie"] = NIR
    registre = RegistreRebutsSql.pour(settings, engine)
    for offset, valeur in enumerate([json.dumps(event).encode(), b"pas du JSON"]):
        asyncio.run(
            registre.consigner(
                RebutRecu(
                    origine=origine_kafka(topics.OPCO, 0, offset),
                    topic=topics.OPCO,
                    partition=0,
                    offset=offset,
                    cle="OPCO-2024-000123",
                    code=CodeRejet.CONTRAT if offset == 0 else CodeRejet.JSON_INVALIDE,
                    motif="données non conformes au contrat: date_fin: champ obligatoire",
                    type="opco.contrat-pro.enregistre.v1" if offset == 0 else None,
                    recu_le=datetime(2026, 3, 2, 9, offset, tzinfo=UTC),
                    valeur=valeur,
                )
            )
        )
    engine.dispose()
    return settings


def guichet(
    reglages: Settings, capsys: pytest.CaptureFixture[str], *argv: str
) -> tuple[int, str, str]:
    args = build_parser().parse_args(["rebuts", *argv])
    resultat = args.run(reglages, args)
    if asyncio.iscoroutine(resultat):
        resultat = asyncio.run(resultat)
    sortie, erreurs = capsys.readouterr()
    return int(resultat or 0), sortie, erreurs


def test_the_list_is_filtered_and_needs_a_supervisor(
    reglages: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    code, sortie, _ = guichet(reglages, capsys, "list", "--utilisateur", "sup")
    assert code == 0
    assert "2 rebut(s) sur 2" in sortie
    code, sortie, _ = guichet(
        reglages, capsys, "list", "--utilisateur", "sup", "--code", "json_invalide", "--json"
    )
    assert [r["offset"] for r in json.loads(sortie)["rebuts"]] == [1]
    code, sortie, _ = guichet(
        reglages, capsys, "list", "--utilisateur", "sup", "--depuis", "2026-03-03"
    )
    assert "0 rebut(s) sur 0" in sortie
    code, sortie, _ = guichet(
        reglages, capsys, "list", "--utilisateur", "sup", "--jusqu-a", "2026-03-02"
    )
    assert "2 rebut(s) sur 2" in sortie
    code, _, erreurs = guichet(reglages, capsys, "list", "--utilisateur", "ins")
    assert code == 1
    assert "rôle" in erreurs


def test_show_masks_personal_values_unless_asked_in_clear(
    reglages: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    code, masque, _ = guichet(reglages, capsys, "show", "1", "--utilisateur", "sup")
    _, clair, _ = guichet(reglages, capsys, "show", "1", "--utilisateur", "sup", "--clair")

    assert code == 0
    assert "date_fin: champ obligatoire" in masque
    assert NIR not in masque
    assert '"nir_salarie": "[masqué]"' in masque
    assert NIR in clair
    assert "consultation tracée" in clair


def test_a_replay_refused_by_the_intake_exits_2_and_ignore_needs_a_motive(
    reglages: Settings, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, erreurs = guichet(reglages, capsys, "rejouer", "1", "--utilisateur", "sup")
    assert code == 2
    assert "date_fin" in erreurs
    mauvais = tmp_path / "corrige.json"
    mauvais.write_text("{")
    code, _, erreurs = guichet(
        reglages, capsys, "rejouer", "1", "--utilisateur", "sup", "--corrige", str(mauvais)
    )
    assert code == 2
    assert "json_invalide" in erreurs

    code, _, erreurs = guichet(
        reglages, capsys, "ignorer", "1", "--utilisateur", "sup", "--motif", " "
    )
    assert code == 2
    code, sortie, _ = guichet(
        reglages, capsys, "ignorer", "1", "--utilisateur", "sup", "--motif", "doublon"
    )
    assert code == 0
    assert "ignoré par sup" in sortie
    code, _, erreurs = guichet(reglages, capsys, "rejouer", "1", "--utilisateur", "sup")
    assert code == 3
    assert "déjà traité" in erreurs
