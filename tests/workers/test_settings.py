from pathlib import Path

import pytest

from workers.runtime.settings import LogFormat, Settings


def test_defaults_are_the_embedded_stack() -> None:
    settings = Settings(_env_file=None)
    assert settings.temporal_address == "127.0.0.1:7233"
    assert settings.kafka_bootstrap_servers == "127.0.0.1:9092"
    assert settings.effective_database_url == "sqlite:///data/guichet.db"


def test_environment_variables_override_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GUICHET_TEMPORAL_ADDRESS", "temporal:7233")
    monkeypatch.setenv("GUICHET_DATABASE_URL", "postgresql+psycopg://guichet@db/guichet")
    monkeypatch.setenv("GUICHET_LOG_FORMAT", "json")
    settings = Settings(_env_file=None)
    assert settings.temporal_address == "temporal:7233"
    assert settings.effective_database_url == "postgresql+psycopg://guichet@db/guichet"
    assert settings.log_format is LogFormat.JSON


def test_a_dotenv_file_is_read(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("GUICHET_TASK_QUEUE=autre-file\nGUICHET_DATA_DIR=/srv/guichet\n")
    settings = Settings(_env_file=env_file)
    assert settings.task_queue == "autre-file"
    assert settings.effective_database_url == "sqlite:////srv/guichet/guichet.db"
