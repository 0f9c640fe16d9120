import pytest

from workers.redaction import MASK, redact_personal_data, redact_text, redact_value


@pytest.mark.parametrize(
    "personal",
    [
        "1 85 03 44 109 234 57",
        "185034410923457",
        "285032A123456",
        "123456789AB",
        "jeanne.martin@example.fr",
        "+33612345678",
        "06 12 34 56 78",
        "FR76 3000 6000 0112 3456 7890 189",
    ],
)
def test_personal_values_are_masked_wherever_they_appear_in_a_text(personal: str) -> None:
    redacted = redact_text(f"refus pour {personal} ce jour")
    assert personal not in redacted
    assert MASK in redacted


@pytest.mark.parametrize(
    "harmless",
    ["73282932000074", "OPCO-2024-000123", "2024-09-02", "44000", "500.00", "35510"],
)
def test_business_identifiers_amounts_and_dates_are_kept(harmless: str) -> None:
    assert redact_text(f"dossier {harmless}") == f"dossier {harmless}"


def test_fields_named_as_personal_are_masked_whatever_their_value() -> None:
    event = {
        "event": "demande_recue",
        "nom": "Martin",
        "date_naissance_salarie": "1985-03-14",
        "dossier": "OPCO-2024-000123",
    }
    redacted = redact_personal_data(None, "info", event)
    assert redacted == {
        "event": "demande_recue",
        "nom": MASK,
        "date_naissance_salarie": MASK,
        "dossier": "OPCO-2024-000123",
    }


def test_nested_payloads_are_redacted() -> None:
    payload = {"salarie": {"prenom": "Jeanne", "contact": ["jeanne@example.fr"]}, "heures": 35}
    assert redact_value(payload) == {"salarie": {"prenom": MASK, "contact": [MASK]}, "heures": 35}
