"""Values quoted by error messages (dead-letter reasons) are masked in log lines, and a log
line that fails to format never prints its raw message."""

import io
import logging
import sys

from workers.runtime.logging import configure_logging
from workers.runtime.redaction import MASK, redact_text
from workers.runtime.settings import LogFormat, Settings

MOTIF_CAE_DOM = (
    "données non conformes au contrat 'asp.cae-dom.convention-enregistree.v1': salarie: "
    "Value error, nir « 185069711234533 » : l'année de naissance du NIR (85) ne correspond "
    "pas à la date de naissance (1990-01-01) (valeur: {'nom': 'Kerbrat', 'prenoms': 'Anne', "
    "'nir': '185069711234533', 'adresse': {'voie': '17 rue (bis) des Lilas'}, "
    "'departement_naissance': '971'})"
)


def test_a_rejected_convention_reason_keeps_its_shape_but_not_the_person() -> None:
    redacted = redact_text(MOTIF_CAE_DOM)
    for personal in ("Kerbrat", "Anne", "185069711234533", "1990-01-01", "Lilas"):
        assert personal not in redacted
    assert "'departement_naissance': '971'" not in redacted, "a birth place (issue 19)"
    assert "'departement_naissance': " in redacted, "the shape is kept"
    assert "convention-enregistree" in redacted


def test_a_quoted_text_value_is_masked_and_a_quoted_number_kept() -> None:
    redacted = redact_text(
        "date_naissance_salarie: Input should be a valid date (valeur: '14/03/1985'); "
        "effectif: Input should be greater than 0 (valeur: -2)"
    )
    assert "14/03/1985" not in redacted
    assert f"(valeur: {MASK})" in redacted
    assert "(valeur: -2)" in redacted


def test_a_value_quoted_after_a_personal_field_name_is_masked_others_are_kept() -> None:
    redacted = redact_text("salarie.nom « Dupont » trop long; code_diplome « 1234 » invalide")
    assert "Dupont" not in redacted
    assert "code_diplome « 1234 »" in redacted


def test_a_birth_date_named_as_such_is_masked_other_dates_are_kept() -> None:
    redacted = redact_text("date de naissance (1990-01-01), échéance 2025-01-01")
    assert "1990-01-01" not in redacted
    assert "2025-01-01" in redacted


def test_a_nir_glued_to_other_characters_is_still_masked() -> None:
    assert "185069711234533" not in redact_text("ref:x185069711234533")


def test_a_log_line_that_fails_to_write_does_not_print_its_message() -> None:
    """(The logging configuration is restored after each test: tests/conftest.py.)"""
    stderr = io.StringIO()
    configure_logging(Settings(_env_file=None, log_format=LogFormat.JSON))
    logging.getLogger().handlers[0].setStream(_Casse())  # type: ignore[attr-defined]
    real_stderr, sys.stderr = sys.stderr, stderr
    try:
        logging.getLogger("essai").warning("refus pour %s", "Kerbrat-Quéméner")
    finally:
        sys.stderr = real_stderr
    assert "Kerbrat" not in stderr.getvalue()
    assert "journalisation en échec (OSError) pour essai" in stderr.getvalue()


class _Casse(io.StringIO):
    """A stream whose every write fails (a full disk, a broken pipe)."""

    def write(self, _texte: str) -> int:
        raise OSError("disque plein")


def test_a_stream_closed_since_logging_was_configured_is_replaced_by_the_current_stderr() -> None:
    stderr = io.StringIO()
    configure_logging(Settings(_env_file=None, log_format=LogFormat.JSON))
    ferme = io.StringIO()
    logging.getLogger().handlers[0].setStream(ferme)  # type: ignore[attr-defined]
    ferme.close()  # as pytest closes the stderr it captured for an earlier test
    real_stderr, sys.stderr = sys.stderr, stderr
    try:
        logging.getLogger("essai").warning("dossier %s ouvert", "OPCO-1")
    finally:
        sys.stderr = real_stderr
    assert "dossier OPCO-1 ouvert" in stderr.getvalue()
    assert "journalisation en échec" not in stderr.getvalue()
