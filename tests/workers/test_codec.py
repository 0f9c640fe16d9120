"""The payload codec: AES-256-GCM with a key ring, on Temporal payloads (no server)."""

import argparse
import base64
import stat
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import SecretStr
from temporalio.api.common.v1 import Payload
from temporalio.contrib.pydantic import pydantic_data_converter

from workers.cli import cles as cli_cles
from workers.runtime.codec import (
    DEV_KEY_FILE,
    ChargeUtileEnClair,
    ChargeUtileIllisible,
    CleInconnue,
    CleInvalide,
    CodecChiffrement,
    chiffrer,
    cle_de_developpement,
    codec_pour,
    dechiffrer,
    lire_trousseau,
    nouvelle_cle,
    trousseau_pour,
)
from workers.runtime.settings import Environnement, Settings
from workers.runtime.temporal import data_converter_for

NIR = "185069711234533"
CLE_A = nouvelle_cle()
CLE_B = nouvelle_cle()


def _payload(texte: str) -> Payload:
    return pydantic_data_converter.payload_converter.to_payloads([{"nir": texte}])[0]


async def test_an_encrypted_payload_decodes_to_the_original_and_hides_the_nir() -> None:
    codec = CodecChiffrement(lire_trousseau(f"k1:{CLE_A}"))
    original = _payload(NIR)
    [chiffre] = await codec.encode([original])
    assert NIR.encode() not in chiffre.SerializeToString()
    assert chiffre.metadata["encoding"] == b"binary/encrypted"
    assert chiffre.metadata["encryption-key-id"] == b"k1"
    assert await codec.decode([chiffre]) == [original]


async def test_the_same_payload_encrypts_differently_each_time() -> None:
    codec = CodecChiffrement(lire_trousseau(f"k1:{CLE_A}"))
    premier, second = await codec.encode([_payload(NIR), _payload(NIR)])
    assert premier.data[:12] != second.data[:12]
    assert premier.data != second.data


async def test_after_rotation_the_new_key_encrypts_and_the_old_key_still_decrypts() -> None:
    avant = CodecChiffrement(lire_trousseau(f"2024:{CLE_A}"))
    apres = CodecChiffrement(lire_trousseau(f"2025:{CLE_B}, 2024:{CLE_A}"))
    [ancien] = await avant.encode([_payload(NIR)])
    [nouveau] = await apres.encode([_payload(NIR)])
    assert nouveau.metadata["encryption-key-id"] == b"2025"
    assert await apres.decode([ancien, nouveau]) == [_payload(NIR), _payload(NIR)]


async def test_a_payload_in_clear_is_refused_on_decode() -> None:
    """Whoever can write to Temporal could inject a clear payload: refused, naming the setting
    that admits one for a migration."""
    codec = CodecChiffrement(lire_trousseau(f"k1:{CLE_A}"))
    with pytest.raises(ChargeUtileEnClair, match="GUICHET_PAYLOAD_PLAINTEXT_ALLOWED"):
        await codec.decode([_payload(NIR)])


async def test_a_payload_written_before_the_codec_passes_through_during_a_migration() -> None:
    codec = codec_pour(
        Settings(_env_file=None, payload_keys=f"k1:{CLE_A}", payload_plaintext_allowed=True)
    )
    clair = _payload(NIR)
    assert await codec.decode([clair]) == [clair]


async def test_a_payload_under_a_key_no_longer_configured_names_the_missing_key() -> None:
    [ancien] = await CodecChiffrement(lire_trousseau(f"retiree:{CLE_A}")).encode([_payload(NIR)])
    codec = CodecChiffrement(lire_trousseau(f"k2:{CLE_B}"))
    with pytest.raises(CleInconnue, match=r"'retiree', absente de GUICHET_PAYLOAD_KEYS.*k2"):
        await codec.decode([ancien])


async def test_a_different_key_under_the_same_id_is_refused_not_garbled() -> None:
    [chiffre] = await CodecChiffrement(lire_trousseau(f"k1:{CLE_A}")).encode([_payload(NIR)])
    with pytest.raises(ChargeUtileIllisible, match="'k1'"):
        await CodecChiffrement(lire_trousseau(f"k1:{CLE_B}")).decode([chiffre])


async def test_a_tampered_ciphertext_is_refused() -> None:
    codec = CodecChiffrement(lire_trousseau(f"k1:{CLE_A}"))
    [chiffre] = await codec.encode([_payload(NIR)])
    altere = bytearray(chiffre.data)
    altere[20] ^= 0x01
    chiffre.data = bytes(altere)
    with pytest.raises(ChargeUtileIllisible, match="altérée"):
        await codec.decode([chiffre])


async def test_a_truncated_ciphertext_is_refused() -> None:
    codec = CodecChiffrement(lire_trousseau(f"k1:{CLE_A}"))
    [chiffre] = await codec.encode([_payload(NIR)])
    chiffre.data = chiffre.data[:10]
    with pytest.raises(ChargeUtileIllisible):
        await codec.decode([chiffre])


def test_the_first_key_of_the_ring_encrypts_and_every_key_decrypts() -> None:
    trousseau = lire_trousseau(f" a:{CLE_A} ,, b:{CLE_B} ")
    assert trousseau.courante == "a"
    assert set(trousseau.cles) == {"a", "b"}
    assert trousseau.cles["b"] == base64.b64decode(CLE_B)


@pytest.mark.parametrize(
    ("texte", "message"),
    [
        ("", "aucune clé"),
        (CLE_A, "deux-points manquant"),
        (f"une clé:{CLE_A}", "identifiant de clé 'une clé'"),
        (f"k1:{CLE_A},k1:{CLE_B}", "'k1' figure deux fois"),
        ("k1:pas du base64!", "'k1' n'est pas du base64"),
        (f"k1:{base64.b64encode(b'trop court').decode()}", "'k1' fait 10 octets"),
    ],
)
def test_a_malformed_ring_is_refused_with_the_rule_and_never_the_key(
    texte: str, message: str
) -> None:
    with pytest.raises(CleInvalide, match=message) as erreur:
        lire_trousseau(texte)
    assert CLE_A not in str(erreur.value)
    assert CLE_B not in str(erreur.value)


def test_the_ring_never_shows_its_keys_when_printed() -> None:
    trousseau = lire_trousseau(f"k1:{CLE_A}")
    assert CLE_A not in repr(trousseau)
    assert CLE_A not in str(trousseau)


def test_without_configured_keys_a_dev_key_is_generated_once_private_and_reused(
    tmp_path: Path,
) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path / "donnees")
    premier = trousseau_pour(settings)
    fichier = tmp_path / "donnees" / DEV_KEY_FILE
    assert stat.S_IMODE(fichier.stat().st_mode) == 0o600
    assert trousseau_pour(settings) == premier
    assert len(premier.cles[premier.courante]) == 32
    assert [p.name for p in fichier.parent.iterdir()] == [DEV_KEY_FILE]


def test_two_processes_racing_for_the_dev_key_end_up_with_the_same_one(tmp_path: Path) -> None:
    (tmp_path / DEV_KEY_FILE).write_text(f"gagnant:{CLE_A}\n")
    assert cle_de_developpement(tmp_path) == f"gagnant:{CLE_A}"


def test_configured_keys_take_precedence_over_the_dev_key(tmp_path: Path) -> None:
    settings = Settings(
        _env_file=None, data_dir=tmp_path, payload_keys=SecretStr(f"prod-1:{CLE_A}")
    )
    assert trousseau_pour(settings).courante == "prod-1"
    assert not (tmp_path / DEV_KEY_FILE).exists()


async def test_the_service_converter_round_trips_dates_and_decimals_through_the_codec(
    tmp_path: Path,
) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path, payload_keys=SecretStr(f"k:{CLE_A}"))
    converter = data_converter_for(settings)
    valeur = {"date_naissance": date(1985, 6, 10), "montant": Decimal("1000.00"), "nir": NIR}
    payloads = await converter.encode([valeur])
    assert all(NIR.encode() not in p.SerializeToString() for p in payloads)
    assert await converter.decode(payloads, [dict[str, object]]) == [
        {"date_naissance": "1985-06-10", "montant": "1000.00", "nir": NIR}
    ]


def _guichet_keys(argv: list[str], settings: Settings) -> int:
    """`guichet keys ...` through the command module's own parser (as `workers.cli` runs it)."""
    parser = argparse.ArgumentParser(prog="guichet")
    cli_cles.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    code: int = args.run(settings, args)
    return code


def test_keys_generate_prints_one_usable_ring_entry(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path)
    assert _guichet_keys(["keys", "generate", "--id", "2025-01"], settings) == 0
    entree = capsys.readouterr().out.strip()
    assert lire_trousseau(entree).courante == "2025-01"
    assert not list(tmp_path.iterdir())


def test_keys_check_shows_the_key_ids_and_never_the_keys(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(
        _env_file=None, data_dir=tmp_path, payload_keys=SecretStr(f"neuve:{CLE_B},vieille:{CLE_A}")
    )
    assert _guichet_keys(["keys", "check"], settings) == 0
    sortie = capsys.readouterr().out
    assert "neuve" in sortie
    assert "vieille" in sortie
    assert CLE_A not in sortie
    assert CLE_B not in sortie


def test_keys_check_names_the_rule_a_bad_key_breaks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path, payload_keys=SecretStr("k1:AAAA"))
    assert _guichet_keys(["keys", "check"], settings) == 1
    assert "la clé 'k1' fait 3 octets, AES-256 en demande 32" in capsys.readouterr().err


def test_bytes_encrypted_at_rest_decrypt_to_the_original_and_hide_the_nir() -> None:
    trousseau = lire_trousseau(f"k1:{CLE_A}")
    clair = f'{{"nir": "{NIR}"}}'.encode()

    donnees = chiffrer(trousseau, clair, b"kafka:t/0/1")

    assert NIR.encode() not in donnees
    assert donnees[:3] == b"\x02k1"  # the key id's length and the key id, for rotation
    assert dechiffrer(trousseau, donnees, b"kafka:t/0/1") == clair
    assert chiffrer(trousseau, clair) != chiffrer(trousseau, clair)  # a fresh nonce each time


def test_bytes_encrypted_with_an_old_key_still_decrypt_after_rotation() -> None:
    ancien = lire_trousseau(f"k1:{CLE_A}")
    donnees = chiffrer(ancien, b"secret")
    tourne = lire_trousseau(f"k2:{CLE_B},k1:{CLE_A}")

    assert dechiffrer(tourne, donnees) == b"secret"
    assert chiffrer(tourne, b"x")[1:3] == b"k2"
    with pytest.raises(CleInconnue, match="k1"):
        dechiffrer(lire_trousseau(f"k2:{CLE_B}"), donnees)


def test_bytes_altered_truncated_or_bound_to_another_row_do_not_decrypt() -> None:
    trousseau = lire_trousseau(f"k1:{CLE_A}")
    donnees = chiffrer(trousseau, b"secret", b"ligne-1")
    altere = donnees[:-1] + bytes([donnees[-1] ^ 1])

    for illisible, associe in [(altere, b"ligne-1"), (donnees, b"ligne-2"), (donnees[:10], b"")]:
        with pytest.raises(ChargeUtileIllisible):
            dechiffrer(trousseau, illisible, associe)
    with pytest.raises(ChargeUtileIllisible):
        dechiffrer(trousseau, b"")


def test_in_production_a_missing_key_ring_stops_the_start(tmp_path: Path) -> None:
    production = Settings(_env_file=None, data_dir=tmp_path, environnement=Environnement.PRODUCTION)
    with pytest.raises(CleInvalide, match="obligatoire en production"):
        trousseau_pour(production)
    assert not (tmp_path / DEV_KEY_FILE).exists(), "no key generated"
    developpement = Settings(_env_file=None, data_dir=tmp_path)
    assert trousseau_pour(developpement).courante.startswith("dev-")
