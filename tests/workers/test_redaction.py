import pytest

from workers.runtime.redaction import MASK, redact_personal_data, redact_text, redact_value


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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '{"nom_salarie": "Dupont", "siret": "73282932000074"}',
            '{"nom_salarie": "[masqué]", "siret": "73282932000074"}',
        ),
        ("{'prenoms': 'Jean Pierre', 'heures': 35}", "{'prenoms': \"[masqué]\", 'heures': 35}"),
        (
            '{"data": {"nom": "Dupont", "code": "44000"}}',
            '{"data": {"nom": "[masqué]", "code": "44000"}}',
        ),
        ('extrait coupé {"adresse": "12 rue des Ormea', 'extrait coupé {"adresse": "[masqué]"'),
        ("rendez-vous à 12:30, ratio 3:4", "rendez-vous à 12:30, ratio 3:4"),
    ],
)
def test_a_personal_key_quoted_in_text_has_its_value_masked(text: str, expected: str) -> None:
    """Dead-letter extracts and error texts quote JSON or Python reprs, sometimes cut."""
    assert redact_text(text) == expected
