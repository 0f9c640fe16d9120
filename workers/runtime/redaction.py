"""Redaction of personal data in log lines.

Personal data (NIR, INE, names, birth dates, addresses, e-mail, phone, IBAN) never goes to the
logs (DESIGN.md, "Personal data"; seed 003, section 5 on the GDPR). Two nets:

- a field whose *name* says it holds personal data is masked whatever its value;
- any string is scanned for values that *look* like a NIR, an INE, an e-mail, a phone number
  or an IBAN, wherever they appear (a message, an exception text, a nested dict);
- values that error messages *quote* are masked by what they are: `(valeur: <repr>)` (the
  contract errors of `events.delivery`) keeps a dict's or list's shape with its personal
  fields masked and masks a quoted text whole; `champ « valeur »` (the project's French
  messages) is masked when `champ` is a personal field. A dead-letter reason can then be logged
  without the names, addresses or birth dates of the rejected event.
"""

import ast
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
    # Bounded by non-digits (not \b): a NIR glued to letters ("x185...") is masked too.
    re.compile(
        r"(?<![0-9])[1-478]\s?\d{2}\s?\d{2}\s?(?:\d{2}|2[AB])\s?\d{3}\s?\d{3}(?:\s?\d{2})?"
        r"(?![0-9A-Za-z])"
    ),
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


_VALEUR = "(valeur: "
_CITATION = re.compile(r"([A-Za-z_][\w.\[\]]*)\s*«\s*(.*?)\s*»")
_OUVRANTS = {"(": ")", "[": "]", "{": "}"}


def _fin_de_repr(text: str, debut: int) -> int | None:
    """Index of the `)` closing a `(valeur: <repr>)` whose repr starts at `debut`."""
    attendus: list[str] = []
    guillemet: str | None = None
    i = debut
    while i < len(text):
        c = text[i]
        if guillemet:
            if c == "\\":
                i += 1
            elif c == guillemet:
                guillemet = None
        elif c in "'\"":
            guillemet = c
        elif c in _OUVRANTS:
            attendus.append(_OUVRANTS[c])
        elif attendus and c == attendus[-1]:
            attendus.pop()
        elif not attendus and c == ")":
            return i
        i += 1
    return None


def _masquer_repr(valeur: str) -> str:
    try:
        lue = ast.literal_eval(valeur)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return MASK
    if isinstance(lue, dict | list | tuple):
        return repr(redact_value(lue))
    if isinstance(lue, bool | int | float) or lue is None:
        return valeur
    return MASK


def _masquer_valeurs_citees(text: str) -> str:
    morceaux: list[str] = []
    position = 0
    while (trouve := text.find(_VALEUR, position)) >= 0:
        debut = trouve + len(_VALEUR)
        fin = _fin_de_repr(text, debut)
        if fin is None:
            morceaux.append(text[position:debut] + MASK + ")")
            position = len(text)
            break
        morceaux.append(text[position:debut] + _masquer_repr(text[debut:fin]) + ")")
        position = fin + 1
    morceaux.append(text[position:])
    text = "".join(morceaux)
    return _CITATION.sub(
        lambda m: (
            f"{m.group(1)} « {MASK} »"
            if _is_personal_field(re.split(r"[.\[\]]", m.group(1).rstrip("]"))[-1])
            else m.group(0)
        ),
        text,
    )


_DATE_NAISSANCE = re.compile(
    r"(naissance[^0-9;]{0,30}?)(?:\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{4})", re.IGNORECASE
)
"""A date written shortly after the word "naissance" ("date de naissance (1990-01-01)")."""


_CLE_VALEUR = re.compile(
    r"""(?P<cle>["'](?P<nom>[A-Za-z_]\w*)["']\s*:\s*)"""
    r"""(?P<valeur>"(?:[^"\\]|\\.)*"?|'[^']*'?|[^,{}\[\]\s]+)"""
)
"""A quoted key and its value, as in JSON or a Python repr (`"nom": "Dupont"`, `'nir': '1…'`),
also when the text is cut inside the value: the value is masked when the key is personal."""


def _masquer_cles_personnelles(text: str) -> str:
    return _CLE_VALEUR.sub(
        lambda m: (
            m.group("cle") + f'"{MASK}"' if _is_personal_field(m.group("nom")) else m.group(0)
        ),
        text,
    )


def redact_text(text: str) -> str:
    if _VALEUR in text or "«" in text:
        text = _masquer_valeurs_citees(text)
    if ":" in text:
        text = _masquer_cles_personnelles(text)
    if "naissance" in text.lower():
        text = _DATE_NAISSANCE.sub(lambda m: m.group(1) + MASK, text)
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
