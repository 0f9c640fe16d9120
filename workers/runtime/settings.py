"""The one settings class of the service, read from the environment and a `.env` file.

Every variable is prefixed `GUICHET_` (e.g. `GUICHET_TEMPORAL_ADDRESS`). The defaults are the
embedded stack that `guichet dev` (and `make run`) starts on this machine.
"""

from enum import StrEnum
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from activities.retention import CONSERVATION_REBUTS_JOURS


class LogFormat(StrEnum):
    AUTO = "auto"  # console on a terminal, JSON otherwise
    JSON = "json"
    CONSOLE = "console"


class Environnement(StrEnum):
    DEVELOPPEMENT = "developpement"
    """`guichet dev`, tests: a missing payload key is generated in data_dir."""
    PRODUCTION = "production"
    """A missing payload key stops the process at start (fail closed)."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="GUICHET_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    temporal_address: str = Field(
        default="127.0.0.1:7233", description="Temporal front-end, host:port"
    )
    temporal_namespace: str = "default"
    task_queue: str = "guichet"
    worker_cached_workflows: int = Field(
        default=1000,
        ge=1,
        description="Workflows a worker keeps in memory between their tasks (the SDK's sticky "
        "cache, about 200 KB each); a dossier not in it is replayed from its history when it "
        "wakes, at 1.6 times the CPU (docs/capacity.md)",
    )
    temporal_tls: bool = Field(
        default=False, description="TLS to the Temporal front-end (implied by the files below)"
    )
    temporal_tls_cafile: Path | None = Field(
        default=None, description="CA of the Temporal front-end's certificate (default: system)"
    )
    temporal_tls_certfile: Path | None = Field(
        default=None, description="Client certificate, for Temporal mTLS"
    )
    temporal_tls_keyfile: Path | None = Field(default=None, description="Its private key")
    temporal_api_key: SecretStr = Field(
        default=SecretStr(""), description="Temporal API key (Temporal Cloud), sent over TLS"
    )
    temporal_ui_port: int = Field(
        default=8233, description="Web UI port of the embedded Temporal dev server"
    )

    kafka_bootstrap_servers: str = Field(
        default="127.0.0.1:9092", description="Kafka bootstrap servers, comma-separated"
    )
    kafka_group_id: str = "guichet"
    kafka_security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = Field(
        default="PLAINTEXT",
        description="Kafka security: SASL_SSL (SCRAM) or SSL (mutual TLS) in production",
    )
    kafka_sasl_mechanism: Literal["SCRAM-SHA-256", "SCRAM-SHA-512", "PLAIN"] = "SCRAM-SHA-512"
    kafka_sasl_username: str = Field(default="", description="SASL user (the ACLs' principal)")
    kafka_sasl_password: SecretStr = SecretStr("")
    kafka_ssl_cafile: Path | None = Field(
        default=None, description="CA certificate(s) the Kafka brokers' certificates chain to"
    )
    kafka_ssl_certfile: Path | None = Field(
        default=None, description="Client certificate, for mutual TLS (the ACLs' principal)"
    )
    kafka_ssl_keyfile: Path | None = Field(default=None, description="Client certificate's key")

    intake_max_record_bytes: int = Field(
        default=1_048_576,
        gt=0,
        description="Partner record at most (value and headers, bytes); larger goes to the "
        "dead letters (Temporal warns over 512 KB and refuses over 2 MB)",
    )
    intake_sources: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Per partner topic, the prefixes its events' CloudEvent source must start "
        'with, as JSON: {"partenaires.opco": ["/opco/"]}; a topic absent admits any source',
    )
    intake_poison_attempts: int = Field(
        default=5,
        ge=1,
        description="A record whose handling fails this many times for a reason that is not an "
        "outage (Temporal, database, Kafka) goes to the dead letters",
    )
    rebuts_conservation_jours: int = Field(
        default=CONSERVATION_REBUTS_JOURS,
        ge=1,
        description="Days a dead letter (and its payload, personal data included) is kept "
        "before the retention schedule purges it",
    )

    data_dir: Path = Field(
        default=Path("data"), description="Where the embedded stack keeps its files"
    )
    database_url: str = Field(
        default="", description="Read model database URL; empty means a SQLite file in data_dir"
    )

    log_format: LogFormat = LogFormat.AUTO
    log_level: str = "INFO"

    api_host: str = Field(default="127.0.0.1", description="HTTP API and console: listen address")
    api_port: int = Field(default=8000, description="HTTP API and console: listen port")
    proxy_trusted_ips: str = Field(
        default="127.0.0.1",
        description="Addresses or networks (comma-separated, CIDR allowed) of the TLS proxy whose "
        "X-Forwarded-Proto/For the API trusts: behind it the console's cookies get Secure",
    )
    documents_dir: Path | None = Field(
        default=None,
        description="Supporting documents on disk; empty means data_dir/documents",
    )
    environnement: Environnement = Field(
        default=Environnement.DEVELOPPEMENT,
        description="production: GUICHET_PAYLOAD_KEYS is required (no generated key)",
    )
    payload_keys: SecretStr = Field(
        default=SecretStr(""),
        description="Temporal payload encryption keys 'id:base64-32-bytes,...'; the first one "
        "encrypts, all decrypt. Empty means a key generated once in data_dir (development "
        "only; refused in production)",
    )
    audit_signing_key: SecretStr = Field(
        default=SecretStr(""),
        description="Ed25519 private key (32 bytes, base64) that signs the audit log's daily "
        "digest (`guichet audit cle`). Empty means a key generated once in data_dir "
        "(development only; refused in production)",
    )
    payload_plaintext_allowed: bool = Field(
        default=False,
        description="Decode a Temporal payload that is not encrypted (histories written before "
        "the codec, during a migration only); otherwise it is refused",
    )
    codec_cors_origins: str = Field(
        default="http://127.0.0.1:8233,http://localhost:8233",
        description="Origins (comma-separated) allowed to call the codec server: the Temporal UI",
    )

    @property
    def effective_documents_dir(self) -> Path:
        return self.documents_dir or self.data_dir / "documents"

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'guichet.db'}"
