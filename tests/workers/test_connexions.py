"""The Kafka and Temporal connections' security from the settings (issue 19): SASL_SSL with
SCRAM, mutual TLS, Temporal mTLS or an API key; plaintext only on the embedded stack."""

import datetime
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from faststream.kafka.security import parse_security
from faststream.security import BaseSecurity, SASLScram512
from pydantic import SecretStr
from temporalio.service import TLSConfig

from workers.runtime.connexions import (
    cle_api_temporal,
    options_kafka,
    securite_kafka,
    tls_temporal,
)
from workers.runtime.settings import Settings


@pytest.fixture(scope="module")
def certificat(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate and its key (the CA and the client at once)."""
    dossier = tmp_path_factory.mktemp("pki")
    cle = ec.generate_private_key(ec.SECP256R1())
    nom = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "guichet-consume")])
    maintenant = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(nom)
        .issuer_name(nom)
        .public_key(cle.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(maintenant)
        .not_valid_after(maintenant + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(cle, hashes.SHA256())
    )
    (dossier / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (dossier / "cle.pem").write_bytes(
        cle.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return dossier / "cert.pem", dossier / "cle.pem"


def test_the_embedded_stack_stays_plaintext() -> None:
    settings = Settings(_env_file=None)

    assert options_kafka(settings) == {
        "bootstrap_servers": "127.0.0.1:9092",
        "security_protocol": "PLAINTEXT",
    }
    assert securite_kafka(settings) is None
    assert tls_temporal(settings) is False
    assert cle_api_temporal(settings) is None


def test_kafka_sasl_ssl_with_scram_gives_the_same_connection_to_aiokafka_and_faststream(
    certificat: tuple[Path, Path],
) -> None:
    settings = Settings(
        _env_file=None,
        kafka_bootstrap_servers="kafka-1:9093",
        kafka_security_protocol="SASL_SSL",
        kafka_sasl_username="guichet-consume",
        kafka_sasl_password=SecretStr("secret"),
        kafka_ssl_cafile=certificat[0],
    )

    options = options_kafka(settings)
    securite = securite_kafka(settings)

    assert isinstance(securite, SASLScram512)
    assert {k: v for k, v in options.items() if k != "ssl_context"} == {
        "bootstrap_servers": "kafka-1:9093",
        "security_protocol": "SASL_SSL",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": "guichet-consume",
        "sasl_plain_password": "secret",
    }
    faststream = parse_security(securite)
    assert faststream["security_protocol"] == "SASL_SSL"
    assert faststream["sasl_mechanism"] == "SCRAM-SHA-512"
    assert options["ssl_context"].verify_mode.name == "CERT_REQUIRED"


def test_kafka_mutual_tls_loads_the_client_certificate(certificat: tuple[Path, Path]) -> None:
    cert, cle = certificat
    settings = Settings(
        _env_file=None,
        kafka_security_protocol="SSL",
        kafka_ssl_cafile=cert,
        kafka_ssl_certfile=cert,
        kafka_ssl_keyfile=cle,
    )

    securite = securite_kafka(settings)

    assert isinstance(securite, BaseSecurity)
    assert securite.use_ssl
    assert options_kafka(settings)["security_protocol"] == "SSL"


def test_a_missing_certificate_file_is_an_error_at_start(tmp_path: Path) -> None:
    settings = Settings(
        _env_file=None, kafka_security_protocol="SSL", kafka_ssl_cafile=tmp_path / "absent.pem"
    )
    with pytest.raises((FileNotFoundError, OSError)):
        options_kafka(settings)


def test_temporal_mtls_and_api_key(certificat: tuple[Path, Path]) -> None:
    cert, cle = certificat
    mtls = tls_temporal(
        Settings(
            _env_file=None,
            temporal_tls_cafile=cert,
            temporal_tls_certfile=cert,
            temporal_tls_keyfile=cle,
        )
    )
    cloud = Settings(_env_file=None, temporal_api_key=SecretStr("cle-api"))

    assert isinstance(mtls, TLSConfig)
    assert mtls.client_cert == cert.read_bytes()
    assert mtls.client_private_key == cle.read_bytes()
    assert tls_temporal(cloud) is True, "an API key travels over TLS only"
    assert cle_api_temporal(cloud) == "cle-api"
