"""How the processes reach Kafka and Temporal: addresses, TLS and authentication, from the
settings, in one place (docs/deployment.md, "Securing Kafka and Temporal").

- Kafka: `GUICHET_KAFKA_SECURITY_PROTOCOL` `SASL_SSL` with SCRAM (user and password, the
  server's CA) or `SSL` with a client certificate (mutual TLS); each principal gets the ACLs of
  its process. `options_kafka` gives aiokafka's keyword arguments, `securite_kafka` the same as
  a FastStream security object (the consumer's broker).
- Temporal: TLS with the system's CAs or `GUICHET_TEMPORAL_TLS_CAFILE`, a client certificate
  for mTLS, or an API key (Temporal Cloud).
"""

import ssl
from pathlib import Path
from typing import Any

from aiokafka.helpers import create_ssl_context
from faststream.security import BaseSecurity, SASLPlaintext, SASLScram256, SASLScram512
from temporalio.service import TLSConfig

from workers.runtime.settings import Settings


def _contexte_ssl(settings: Settings) -> ssl.SSLContext | None:
    if settings.kafka_security_protocol not in ("SSL", "SASL_SSL"):
        return None
    contexte: ssl.SSLContext = create_ssl_context(
        cafile=_chemin(settings.kafka_ssl_cafile),
        certfile=_chemin(settings.kafka_ssl_certfile),
        keyfile=_chemin(settings.kafka_ssl_keyfile),
    )
    return contexte


def _chemin(chemin: Path | None) -> str | None:
    return None if chemin is None else str(chemin)


def options_kafka(settings: Settings) -> dict[str, Any]:
    """aiokafka's connection arguments (producer, consumer, admin client, bare client)."""
    options: dict[str, Any] = {
        "bootstrap_servers": settings.kafka_bootstrap_servers,
        "security_protocol": settings.kafka_security_protocol,
    }
    contexte = _contexte_ssl(settings)
    if contexte is not None:
        options["ssl_context"] = contexte
    if settings.kafka_security_protocol.startswith("SASL_"):
        options |= {
            "sasl_mechanism": settings.kafka_sasl_mechanism,
            "sasl_plain_username": settings.kafka_sasl_username,
            "sasl_plain_password": settings.kafka_sasl_password.get_secret_value(),
        }
    return options


def securite_kafka(settings: Settings) -> BaseSecurity | None:
    """The same, for FastStream's broker (None: plaintext)."""
    contexte = _contexte_ssl(settings)
    if not settings.kafka_security_protocol.startswith("SASL_"):
        return None if contexte is None else BaseSecurity(ssl_context=contexte)
    classe = {
        "SCRAM-SHA-256": SASLScram256,
        "SCRAM-SHA-512": SASLScram512,
        "PLAIN": SASLPlaintext,
    }[settings.kafka_sasl_mechanism]
    return classe(
        settings.kafka_sasl_username,
        settings.kafka_sasl_password.get_secret_value(),
        ssl_context=contexte,
        use_ssl=settings.kafka_security_protocol == "SASL_SSL",
    )


def tls_temporal(settings: Settings) -> TLSConfig | bool:
    """Temporal's TLS: False (plaintext, the embedded dev server), True (system CAs), or a
    configuration with the files given."""
    fichiers = (
        settings.temporal_tls_cafile,
        settings.temporal_tls_certfile,
        settings.temporal_tls_keyfile,
    )
    if not any(fichiers):
        return settings.temporal_tls or bool(settings.temporal_api_key.get_secret_value())
    ca, certificat, cle = (None if f is None else f.read_bytes() for f in fichiers)
    return TLSConfig(server_root_ca_cert=ca, client_cert=certificat, client_private_key=cle)


def cle_api_temporal(settings: Settings) -> str | None:
    return settings.temporal_api_key.get_secret_value() or None
