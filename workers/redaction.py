"""Redaction of personal data in log lines.

Personal data (NIR, INE, names, birth dates, addresses, e-mail, phone, IBAN) never goes to the
logs (DESIGN.md, "Personal data"; seed 003, section 5 on the GDPR). Two nets:

- a field whose *name* says it holds personal data is masked whatever its value;
- any string is scanned for values that *look* like a NIR, an INE, an e-mail, a phone number
  or an IBAN, wherever they appear (a message, an exception text, a nested dict).
"""

import re
from collections.abc import Mapping, MutableMapping
from typing import Any

MASK = "[masqué]"

PERSONAL_FIELD_NAMES = frozenset(
    {
        "nir",
        "ine",
        "nom",
        "prenom",
        "prenoms",
        "nom_naissance",
        "nom_usage",
        "nom_famille",
        "date_naissance",
        "lieu_naissance",
        "adresse",
        "email",
        "courriel",
        "mail",
        "telephone",
        "tel",
        "phone",
        "iban",
        "bic",
    }
)

_PATTERNS = [
    # NIR: sex, year, month (or 20-99 for special cases), department (2A/2B for Corsica),
    # commune, order number, optional 2-digit key; spaces allowed between groups.
    re.compile(r"\b[1-478]\s?\d{2}\s?\d{2}\s?(?:\d{2}|2[AB])\s?\d{3}\s?\d{3}(?:\s?\d{2})?\b"),
    # INE: 9 digits and 2 letters (INE-RNIE), or 10 characters and a letter (other INE forms).
    re.compile(r"\b\d{9}[A-Z]{2}\b"),
    re.compile(r"\b(?=[0-9A-Z]*\d)[0-9A-Z]{10}[A-Z]\b"),
    re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),
    # Phone numbers: international (+33..., 0033...) or French national (06 12 34 56 78).
    re.compile(r"(?:\+|\b00)\d{1,3}(?:[ .-]?\d){6,13}\b"),
    re.compile(r"\b0[1-9](?:[ .-]?\d{2}){4}\b"),
    # IBAN: country code, check digits, then groups of up to 4 alphanumerics.
    re.compile(r"\b[A-Z]{2}\d{2}(?:\s?[A-Z0-9]{4}){2,7}(?:\s?[A-Z0-9]{1,3})?\b"),
]


_PERSONAL_TOKENS = [tuple(name.split("_")) for name in PERSONAL_FIELD_NAMES]


def _is_personal_field(name: str) -> bool:
    """True when the name contains a personal field name as whole `_`-separated words:
    `date_naissance_salarie` and `salarie_nom` are personal, `nombre` and `hotel` are not."""
    tokens = tuple(name.lower().split("_"))
    return any(
        tokens[i : i + len(personal)] == personal
        for personal in _PERSONAL_TOKENS
        for i in range(len(tokens) - len(personal) + 1)
    )


def redact_text(text: str) -> str:
    for pattern in _PATTERNS:
        text = pattern.sub(MASK, text)
    return text


def redact_value(value: Any) -> Any:
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, Mapping):
        return {
            key: MASK if isinstance(key, str) and _is_personal_field(key) else redact_value(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact_value(item) for item in value]
    return value


def redact_personal_data(
    _logger: object, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """structlog processor: mask personal fields and personal-looking values.

    It errs on the side of masking: `nom_certification` is masked too."""
    for key in list(event_dict):
        if _is_personal_field(key):
            event_dict[key] = MASK
        else:
            event_dict[key] = redact_value(event_dict[key])
    return event_dict
