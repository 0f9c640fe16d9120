"""`guichet audit verifier|condenser|cle` on SQLite and PostgreSQL, and the signing key from the
settings: generated once in development, required in production (docs/audit.md)."""

import asyncio
import base64
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import Session

from models import depot
from models.chaine_audit import Signataire
from models.dossier import EntreeAudit, Nature
from workers.cli import build_parser, main
from workers.runtime.cle_audit import DEV_KEY_FILE, signataire_pour
from workers.runtime.codec import CleInvalide, nouvelle_cle
from workers.runtime.database import engine_for, upgrade
from workers.runtime.services import run_worker
from workers.runtime.settings import Environnement, Settings

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
DOSSIERS = ("contrat-pro:OPCO-2026-1", "cae-dom:971-2026-7")
CLE = Signataire.nouveau()


@pytest.fixture
def reglages(tmp_path: Path, database_url: str) -> Settings:
    settings = Settings(
        _env_file=None,
        data_dir=tmp_path,
        database_url=database_url,
        audit_signing_key=CLE.en_base64(),
    )
    engine = engine_for(database_url)
    upgrade(engine)
    with Session(engine) as session:
        for dossier in DOSSIERS:
            for n in range(1, 4):
                depot.ajouter_audit(
                    session=session,
                    entree=EntreeAudit(
                        dossier=dossier,
                        cle_unique=f"evt-{n}",
                        horodatage=T0 + timedelta(minutes=n),
                        nature=Nature.EVENEMENT,
                        type="t",
                        auteur="/opco/akto",
                        detail={"motif": f"ligne {n}"},
                    ),
                )
        session.commit()
    engine.dispose()
    return settings


def guichet(
    reglages: Settings, capsys: pytest.CaptureFixture[str], *argv: str
) -> tuple[int, str, str]:
    args = build_parser().parse_args(["audit", *argv])
    resultat = args.run(reglages, args)
    sortie, erreurs = capsys.readouterr()
    return int(resultat or 0), sortie, erreurs


def sql(reglages: Settings, requete: str) -> None:
    engine = engine_for(reglages.effective_database_url)
    with engine.begin() as connexion:
        connexion.execute(text(requete))
    engine.dispose()


def test_an_intact_log_verifies_with_exit_code_0(
    reglages: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    code, sortie, _ = guichet(reglages, capsys, "condenser", "--jour", "2026-03-02")
    assert code == 0
    assert "condensat du 2026-03-02: 2 chaîne(s)" in sortie
    code, sortie, erreurs = guichet(reglages, capsys, "verifier")
    assert (code, erreurs) == (0, "")
    assert "journal d'audit: 2 chaîne(s), 6 ligne(s), 1 condensat(s) vérifiés" in sortie
    assert sortie.rstrip().endswith("intact")


def test_a_deleted_line_exits_1_naming_the_dossier_and_the_line_in_french(
    reglages: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    sql(reglages, f"DELETE FROM audit WHERE dossier = '{DOSSIERS[0]}' AND cle_unique = 'evt-2'")
    code, _, erreurs = guichet(reglages, capsys, "verifier")
    assert code == 1
    assert (
        f"dossier {DOSSIERS[0]} ligne 3 (evt-3): ligne 2 absente(s) de la chaîne: supprimée(s)"
        in erreurs
    )
    assert "2 anomalie(s), le journal a été altéré" in erreurs
    code, sortie, _ = guichet(reglages, capsys, "verifier", "--dossier", DOSSIERS[1])
    assert code == 0
    assert f"dossier {DOSSIERS[1]}: 1 chaîne(s), 3 ligne(s)" in sortie


def test_a_digest_signature_is_checked_with_the_public_key_alone(
    reglages: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    guichet(reglages, capsys, "condenser", "--jour", "2026-03-02")
    publique = base64.b64encode(CLE.verificateur.publique.public_bytes_raw()).decode()
    code, _, _ = guichet(reglages, capsys, "verifier", "--cle-publique", publique)
    assert code == 0
    autre = base64.b64encode(Signataire.nouveau().verificateur.publique.public_bytes_raw())
    code, _, erreurs = guichet(reglages, capsys, "verifier", "--cle-publique", autre.decode())
    assert code == 1
    assert "condensat du 2026-03-02: signé par la clé" in erreurs


def test_an_unknown_dossier_is_not_reported_intact(
    reglages: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, erreurs = guichet(reglages, capsys, "verifier", "--dossier", "inconnu")
    assert code == 1
    assert "aucune ligne d'audit pour ce dossier" in erreurs


def test_cle_prints_a_key_the_settings_accept(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", "cle"]) == 0
    sortie, erreurs = capsys.readouterr()
    signataire = Signataire.depuis_base64(sortie.strip())
    assert f"id {signataire.cle_id}" in erreurs
    assert "GUICHET_AUDIT_SIGNING_KEY" in erreurs


def test_in_development_an_empty_key_is_generated_once_in_data_dir(tmp_path: Path) -> None:
    reglages = Settings(_env_file=None, data_dir=tmp_path)
    premiere = signataire_pour(reglages)
    assert (tmp_path / DEV_KEY_FILE).stat().st_mode & 0o777 == 0o600
    assert signataire_pour(reglages).cle_id == premiere.cle_id


def test_in_production_a_missing_signing_key_stops_the_worker_at_start(tmp_path: Path) -> None:
    production = Settings(
        _env_file=None,
        data_dir=tmp_path,
        environnement=Environnement.PRODUCTION,
        payload_keys=f"k1:{nouvelle_cle()}",
        temporal_address="127.0.0.1:1",
    )
    with pytest.raises(CleInvalide, match="GUICHET_AUDIT_SIGNING_KEY est obligatoire"):
        asyncio.run(run_worker(production))
    assert not (tmp_path / DEV_KEY_FILE).exists(), "no key generated"


def test_a_malformed_key_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    reglages = Settings(_env_file=None, data_dir=tmp_path, audit_signing_key="pas une clé")
    with pytest.raises(CleInvalide, match=r"GUICHET_AUDIT_SIGNING_KEY: .*base64"):
        signataire_pour(reglages)
    courte = base64.b64encode(b"x" * 16).decode()
    with pytest.raises(CleInvalide, match="16 octets, Ed25519 en demande 32"):
        signataire_pour(Settings(_env_file=None, data_dir=tmp_path, audit_signing_key=courte))
