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

It runs in time linear in the text, a bounded amount of work per character whatever the text:
a log line may quote a 1 MB field, and this runs on the event loop of the Kafka consumer and of
the API. No pattern reads an unbounded run again from each of its characters: an e-mail is
tried from the start of a run of the characters it can begin with, `champ « valeur »` from the
start of the field name, with the next `»` and line end looked up once for all the `«` before
them; a `(valeur: <repr>)` is read once from left to right (an unterminated one masks the rest
of the text) and a value quoted inside `_PROFONDEUR_MAX` quoted values is masked whole instead
of being read once more. `guichet bench redaction` measures it beside the quadratic version it
replaced (`workers/bench/redaction.py`).
"""

import ast
import re
from collections.abc import Mapping, MutableMapping
from typing import Any

from models.personnel import chemins_personnels

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
        "rib",
        "titulaire",
        "naissance",
        "referent",
        "tuteur",
    }
)
"""Names that say a field holds personal data, beside the catalogue's marks (`PERSONNELS`):
the second net, for log fields and texts that are not a partner payload."""

_PATTERNS = [
    # NIR: sex, year, month (or 20-99 for special cases), department (2A/2B for Corsica),
    # commune, order number, optional 2-digit key; spaces allowed between groups.
    # Bounded by non-digits (not \b): a NIR glued to letters ("x185...") is masked too.
    re.compile(
        r"(?<![0-9])[1-478]\s?\d{2}\s?\d{2}\s?(?:\d{2}|2[AB])\s?\d{3}\s?\d{3}(?:\s?\d{2})?"
        r"(?![0-9A-Za-z])"
    ),
    # INE: 9 digits and 2 letters (INE-RNIE), or 10 characters and a letter (other INE forms);
    # the digit of the latter is among its first 10 characters (a bounded lookahead).
    re.compile(r"\b\d{9}[A-Z]{2}\b"),
    re.compile(r"\b(?=[0-9A-Z]{0,9}\d)[0-9A-Z]{10}[A-Z]\b"),
]
"""Applied before the e-mails; like the ones after, each tries a bounded number of characters
from a start position."""

_PATTERNS_APRES_EMAIL = [
    # Phone numbers: international (+33..., 0033...) or French national (06 12 34 56 78).
    re.compile(r"(?:\+|\b00)\d{1,3}(?:[ .-]?\d){6,13}\b"),
    re.compile(r"\b0[1-9](?:[ .-]?\d{2}){4}\b"),
    # IBAN: country code, check digits, then groups of up to 4 alphanumerics.
    re.compile(r"\b[A-Z]{2}\d{2}(?:\s?[A-Z0-9]{4}){2,7}(?:\s?[A-Z0-9]{1,3})?\b"),
]

_IBAN_LIBRE = re.compile(
    r"\b[A-Za-z]{2}\d{2}(?:[ -]?[A-Za-z0-9]{4}){2,7}(?:[ -]?[A-Za-z0-9]{1,3})?\b"
)
"""An IBAN written in lower case or with hyphens: masked only when its check digits hold (ISO
13616, mod 97), so an identifier that merely looks like one (a UUID) stays readable."""


def _iban_valide(texte: str) -> bool:
    compact = re.sub(r"[ -]", "", texte).upper()
    if not 15 <= len(compact) <= 34:
        return False
    chiffres = "".join(str(int(c, 36)) for c in compact[4:] + compact[:4])
    return int(chiffres) % 97 == 1


def _masquer_ibans(text: str) -> str:
    return _IBAN_LIBRE.sub(lambda m: MASK if _iban_valide(m.group(0)) else m.group(0), text)


_EMAIL_ICI = re.compile(r"[\w.+-]++@[\w-]++(?:\.[\w-]++)+")
"""An e-mail (`local@domaine.tld`), matched where it starts."""
_EMAIL = re.compile(r"(?<![\w.+-])" + _EMAIL_ICI.pattern)
r"""An e-mail starting at the start of a run of the characters of its local part.

Every start inside such a run reaches the same `@` (which ends the run), so they all match or
all fail: trying the first one alone finds the same e-mails as `[\w.+-]+@...` tried at every
position, which read the run again from each of its characters (quadratic)."""


def _masquer_emails(text: str) -> str:
    if "@" not in text:
        return text
    morceaux: list[str] = []
    position = 0
    # After an e-mail the next one may start inside the run where the previous one ended
    # ("a@b.c+d@e.f"): it is tried there first, then from the start of the next runs.
    while (trouve := _EMAIL_ICI.match(text, position) or _EMAIL.search(text, position)) is not None:
        morceaux.append(text[position : trouve.start()])
        morceaux.append(MASK)
        position = trouve.end()
    morceaux.append(text[position:])
    return "".join(morceaux)


def _noms_marques() -> frozenset[str]:
    """The names of the fields the event catalogue marks personal (`models.personnel`): the
    first net, declared once beside each contract."""
    from events.catalogue import CATALOGUE  # noqa: PLC0415 - the catalogue imports models

    return frozenset(
        chemin[-1].lower()
        for spec in CATALOGUE.values()
        for chemin in chemins_personnels(spec.contrat)
    )


PERSONNELS = _noms_marques() | PERSONAL_FIELD_NAMES
"""Every personal field name: the catalogue's marks, then the names list."""

_PERSONAL_TOKENS: dict[str, list[tuple[str, ...]]] = {}
"""The personal field names as `_`-separated words, by their first word."""
for _name in sorted(PERSONNELS):
    _words = tuple(_name.split("_"))
    _PERSONAL_TOKENS.setdefault(_words[0], []).append(_words)


_MOT = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|[-\s.]")
"""Where a camelCase, hyphenated or dotted name splits into words: `nomFamille`, `nom-famille`."""


def _is_personal_field(name: str) -> bool:
    """True when the name contains a personal field name as whole words (`_`, `-`, camelCase):
    `date_naissance_salarie`, `salarie_nom` and `nomFamille` are personal, `nombre` and
    `hotel` are not."""
    tokens = _MOT.sub("_", name[:200]).lower().split("_")
    return any(
        tuple(tokens[i : i + len(personal)]) == personal
        for i, token in enumerate(tokens)
        for personal in _PERSONAL_TOKENS.get(token, ())
    )


_VALEUR = "(valeur: "
_OUVRANTS = {"(": ")", "[": "]", "{": "}"}
_HORS_CHAINE = re.compile(r"""['"()\[\]{}]""")
_DANS_CHAINE = {"'": re.compile(r"[\\']"), '"': re.compile(r'[\\"]')}
_PROFONDEUR_MAX = 3
"""`(valeur: {'motif': "... (valeur: {...}) ..."})`: the outer repr is read at depth 0, the one
quoted in its text at depth 1, and so on; at depth `_PROFONDEUR_MAX` a repr is masked whole, so
no character is read more than `_PROFONDEUR_MAX + 1` times however deeply values are quoted."""


def _fin_de_repr(text: str, debut: int) -> int | None:
    """Index of the `)` closing a `(valeur: <repr>)` whose repr starts at `debut`; one scan
    from `debut`, from one quote or bracket to the next."""
    attendus: list[str] = []
    i = debut
    while (signe := _HORS_CHAINE.search(text, i)) is not None:
        c = signe.group()
        i = signe.end()
        if c in _DANS_CHAINE:
            # Skip the quoted text; a backslash escapes the character after it.
            while (fin := _DANS_CHAINE[c].search(text, i)) is not None and fin.group() == "\\":
                i = fin.end() + 1
            if fin is None:
                return None
            i = fin.end()
        elif c in _OUVRANTS:
            attendus.append(_OUVRANTS[c])
        elif attendus and c == attendus[-1]:
            attendus.pop()
        elif not attendus and c == ")":
            return signe.start()
    return None


def _masquer_repr(valeur: str, profondeur: int) -> str:
    if profondeur >= _PROFONDEUR_MAX:
        return MASK
    try:
        lue = ast.literal_eval(valeur)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return MASK
    if isinstance(lue, dict | list | tuple):
        try:
            return repr(_redact_value(lue, profondeur + 1))
        except ValueError:  # an int too long to write in decimal (sys.set_int_max_str_digits)
            return MASK
    if isinstance(lue, bool | int | float) or lue is None:
        return valeur
    return MASK


def _masquer_valeurs_citees(text: str, profondeur: int) -> str:
    """Mask what `(valeur: <repr>)` quotes, reading the text once from left to right."""
    morceaux: list[str] = []
    position = 0
    while (trouve := text.find(_VALEUR, position)) >= 0:
        debut = trouve + len(_VALEUR)
        fin = _fin_de_repr(text, debut)
        if fin is None:
            morceaux.append(text[position:debut] + MASK + ")")
            position = len(text)
            break
        morceaux.append(text[position:debut] + _masquer_repr(text[debut:fin], profondeur) + ")")
        position = fin + 1
    morceaux.append(text[position:])
    return "".join(morceaux)


_CITATION = re.compile(
    r"(?<![\w.\[\]])(?:(?![A-Za-z_])[\w.\[\]])*+(?P<champ>[A-Za-z_][\w.\[\]]*+)\s*+«\s*+"
)
r"""The start of `champ « valeur »`, up to the value: a field name (from the first letter or
`_` of a run of `[\w.\[\]]`, tried from the start of the run only: every start inside it
reaches the same `«`), spaces, `«`, spaces."""
_NON_ESPACE = re.compile(r"\S")
_SEPARATEURS_CHAMP = re.compile(r"[.\[\]]")


def _masquer_citations(text: str) -> str:
    r"""Mask the value of `champ « valeur »` when `champ` (its last component) is personal.

    The matches of `([A-Za-z_][\w.\[\]]*)\s*«\s*(.*?)\s*»`: the value ends at the first `»`
    after its start, unless a line ends before the spaces that precede that `»` (then there is
    no match). That regular expression read the rest of the line again for each `«` (and for
    each space after a `«`: cubic); here the next `»` and the next line end are looked up once
    for all the `«` before them."""
    morceaux: list[str] = []
    copie = 0  # text[:copie] is in morceaux
    position = 0  # where the next `champ «` is looked for
    fermant = -2  # the first » at or after the current value (-1: none)
    ligne = -2  # the first line end at or after the current value (-1: none)
    espaces_vus, espaces_jusqu_au_fermant = (-2, -2), False
    while (debut := _CITATION.search(text, position)) is not None:
        valeur = debut.end()
        if fermant < valeur:
            fermant = text.find("»", valeur)
            if fermant < 0:
                break  # no » after this «, nor after the next ones
        if ligne != -1 and ligne < valeur:
            ligne = text.find("\n", valeur)
        if 0 <= ligne < fermant:
            # Looked at once for all the values between the same line end and »: the value
            # stops at the line end, and only spaces may come between it and the ».
            if espaces_vus != (ligne, fermant):
                espaces_vus = (ligne, fermant)
                espaces_jusqu_au_fermant = _NON_ESPACE.search(text, ligne, fermant) is None
            if not espaces_jusqu_au_fermant:
                position = valeur
                continue
        champ = debut.group("champ")
        if _is_personal_field(_SEPARATEURS_CHAMP.split(champ.rstrip("]"))[-1]):
            morceaux.append(text[copie : debut.start("champ")])
            morceaux.append(f"{champ} « {MASK} »")
            copie = fermant + 1
        position = fermant + 1
    morceaux.append(text[copie:])
    return "".join(morceaux)


_DATE_NAISSANCE = re.compile(
    r"(naissance[^0-9;]{0,30}?)(?:\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{4})", re.IGNORECASE
)
"""A date written shortly after the word "naissance" ("date de naissance (1990-01-01)")."""


_CLE_VALEUR = re.compile(
    r"""(?P<cle>["'](?P<nom>[A-Za-z_]\w*)["']\s*:\s*)"""
    r"""(?P<valeur>"(?:[^"\\]++|\\.)*+"?|'[^']*+'?|[^,{}\[\]\s]++)"""
)
"""A quoted key and its value, as in JSON or a Python repr (`"nom": "Dupont"`, `'nir': '1…'`),
also when the text is cut inside the value: the value is masked when the key is personal.
Tried at quotes only; the key's word, the spaces around `:` and the value are each read once
from there (a value is taken whole, the longest run its form allows)."""


def _masquer_cles_personnelles(text: str) -> str:
    return _CLE_VALEUR.sub(
        lambda m: (
            m.group("cle") + f'"{MASK}"' if _is_personal_field(m.group("nom")) else m.group(0)
        ),
        text,
    )


_CLE_BLOC = re.compile(r"""["'](?P<nom>[A-Za-z_]\w*+)["']\s*+:\s*+(?=[\[{])""")
"""A quoted key whose value is an object or an array (`"salarie": {...}` in JSON text)."""
_BLOC = re.compile(r"""[\[\]{}"']""")
_FIN_DE_CHAINE = {
    '"': re.compile(r'(?:[^"\\]++|\\.)*+"'),
    "'": re.compile(r"(?:[^'\\]++|\\.)*+'"),
}
"""The rest of a quoted string, up to its closing quote (escapes skipped)."""


def _fin_de_bloc(text: str, debut: int) -> int:
    """The index after the bracket closing the one at `debut` (quotes and escapes respected),
    or the text's end if it never closes: one pass over the block."""
    profondeur = 0
    i = debut
    while (trouve := _BLOC.search(text, i)) is not None:
        c = trouve.group(0)
        i = trouve.end()
        if c in "\"'":
            fin = _FIN_DE_CHAINE[c].match(text, i)
            if fin is None:
                return len(text)
            i = fin.end()
        elif c in "[{":
            profondeur += 1
        else:
            profondeur -= 1
            if profondeur == 0:
                return i
    return len(text)


def masquer_blocs_personnels(text: str) -> str:
    """An object or array under a personal key, in JSON or repr text, masked whole (the key
    kept): `"salarie": {"nom": …, "adresse": {…}}` becomes `"salarie": "[masqué]"`."""
    morceaux: list[str] = []
    position = 0
    while (trouve := _CLE_BLOC.search(text, position)) is not None:
        if not _is_personal_field(trouve.group("nom")):
            morceaux.append(text[position : trouve.end()])
            position = trouve.end()
            continue
        morceaux.append(text[position : trouve.end()] + f'"{MASK}"')
        position = _fin_de_bloc(text, trouve.end())
    morceaux.append(text[position:])
    return "".join(morceaux)


def redact_text(text: str) -> str:
    return _redact_text(text, 0)


def _redact_text(text: str, profondeur: int) -> str:
    if _VALEUR in text:
        text = _masquer_valeurs_citees(text, profondeur)
    if "«" in text:
        text = _masquer_citations(text)
    if ":" in text:
        text = masquer_blocs_personnels(_masquer_cles_personnelles(text))
    if "naissance" in text.lower():
        text = _DATE_NAISSANCE.sub(lambda m: m.group(1) + MASK, text)
    for pattern in _PATTERNS:
        text = pattern.sub(MASK, text)
    text = _masquer_emails(text)
    for pattern in _PATTERNS_APRES_EMAIL:
        text = pattern.sub(MASK, text)
    return _masquer_ibans(text)


def redact_value(value: Any) -> Any:
    return _redact_value(value, 0)


def _masquer_tout(value: Any) -> Any:
    """A personal field's value masked whole, keeping the shape of a dict or a list (so a log
    still says which parts were there)."""
    if isinstance(value, Mapping):
        return {key: _masquer_tout(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_masquer_tout(item) for item in value]
    return MASK


def _redact_value(value: Any, profondeur: int) -> Any:
    if isinstance(value, str):
        return _redact_text(value, profondeur)
    if isinstance(value, Mapping):
        return {
            key: _masquer_tout(item)
            if isinstance(key, str) and _is_personal_field(key)
            else _redact_value(item, profondeur)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [_redact_value(item, profondeur) for item in value]
    return value


def redact_personal_data(
    _logger: object, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """structlog processor: mask personal fields and personal-looking values.

    It errs on the side of masking: `nom_certification` is masked too."""
    for key in list(event_dict):
        if _is_personal_field(key):
            event_dict[key] = _masquer_tout(event_dict[key])
        else:
            event_dict[key] = redact_value(event_dict[key])
    return event_dict
