"""Bad input, said in French: each error names the field, the value and the rule.

`ErreurChamp` is what the API returns in `erreurs`, the CLI prints and the console shows;
`erreurs_de` translates pydantic's validation errors (English by default) into it.
"""

import re
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ValidationError
from pydantic_core import ErrorDetails


def en_utc(moment: datetime) -> datetime:
    """`moment` in UTC, with its offset: the read model keeps UTC, but SQLite gives naive
    datetimes back; the API, the exports and the events always write RFC 3339 with an offset."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


HorodatageUtc = Annotated[datetime, AfterValidator(en_utc)]


def date_iso(valeur: Any) -> Any:
    """A query string's date, `AAAA-MM-JJ` only (the OpenAPI `format: date`); anything else
    is left to fail the date type."""
    if isinstance(valeur, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", valeur):
        return date.fromisoformat(valeur)
    return valeur


"""A timestamp the API returns: timezone-aware UTC (RFC 3339)."""


class ErreurChamp(BaseModel):
    champ: str
    valeur: Any = None
    regle: str


class EntreeInvalide(ValueError):
    """Input that breaks a rule; carries one `ErreurChamp` per problem."""

    def __init__(self, detail: str, erreurs: Sequence[ErreurChamp] = ()) -> None:
        super().__init__(detail)
        self.detail = detail
        self.erreurs = list(erreurs)


_REGLES: dict[str, str] = {
    "missing": "champ obligatoire",
    "extra_forbidden": "champ non prévu",
    "string_type": "doit être une chaîne de caractères",
    "int_type": "doit être un entier",
    "int_parsing": "doit être un entier",
    "bool_type": "doit être un booléen (true/false)",
    "bool_parsing": "doit être un booléen (true/false)",
    "float_parsing": "doit être un nombre",
    "decimal_parsing": "doit être un montant décimal, ex. 1234.56",
    "decimal_type": "doit être un montant décimal, ex. 1234.56",
    "date_parsing": "doit être une date AAAA-MM-JJ",
    "date_from_datetime_parsing": "doit être une date AAAA-MM-JJ",
    "date_type": "doit être une date AAAA-MM-JJ",
    "datetime_parsing": "doit être une date et heure ISO 8601 avec fuseau",
    "datetime_from_date_parsing": "doit être une date et heure ISO 8601 avec fuseau",
    "timezone_aware": "doit porter un fuseau horaire (ex. +01:00 ou Z)",
    "dict_type": "doit être un objet JSON",
    "model_type": "doit être un objet JSON",
    "list_type": "doit être une liste",
    "json_invalid": "JSON invalide",
    "json_type": "JSON attendu",
    "uuid_parsing": "doit être un UUID",
}


_AVEC_CONTEXTE: dict[str, Callable[[dict[str, Any]], str]] = {
    "string_too_short": lambda c: f"au moins {c.get('min_length')} caractère(s)",
    "string_too_long": lambda c: f"au plus {c.get('max_length')} caractère(s)",
    "too_short": lambda c: f"au moins {c.get('min_length')} élément(s)",
    "too_long": lambda c: f"au plus {c.get('max_length')} élément(s)",
    "string_pattern_mismatch": lambda c: f"doit respecter le motif {c.get('pattern')}",
    "enum": lambda c: f"valeur attendue parmi: {c.get('expected')}",
    "literal_error": lambda c: f"valeur attendue parmi: {c.get('expected')}",
    "greater_than": lambda c: f"doit être supérieur à {c.get('gt')}",
    "greater_than_equal": lambda c: f"doit être supérieur ou égal à {c.get('ge')}",
    "less_than": lambda c: f"doit être inférieur à {c.get('lt')}",
    "less_than_equal": lambda c: f"doit être inférieur ou égal à {c.get('le')}",
    "decimal_max_places": lambda c: f"au plus {c.get('decimal_places')} décimale(s)",
    "decimal_max_digits": lambda c: f"au plus {c.get('max_digits')} chiffre(s)",
}


def regle_de(erreur: ErrorDetails) -> str:
    """The rule an error breaks, in French (pydantic's own message when no translation)."""
    type_ = erreur["type"]
    ctx: dict[str, Any] = dict(erreur.get("ctx") or {})
    if type_ in _REGLES:
        return _REGLES[type_]
    if type_ in _AVEC_CONTEXTE:
        return _AVEC_CONTEXTE[type_](ctx)
    if type_ == "value_error":
        return str(ctx.get("error", erreur["msg"]))
    return erreur["msg"]


def _valeur(erreur: ErrorDetails) -> Any:
    if erreur["type"] == "missing":
        return None
    valeur = erreur.get("input")
    if isinstance(valeur, bytes):
        valeur = valeur.decode(errors="replace")
    if isinstance(valeur, str | int | float | bool) or valeur is None:
        return valeur if not isinstance(valeur, str) else valeur[:200]
    return repr(valeur)[:200]


def erreurs_de(exc: ValidationError, prefixe: Sequence[str | int] = ()) -> list[ErreurChamp]:
    return [
        ErreurChamp(
            champ=".".join(str(p) for p in (*prefixe, *erreur["loc"])) or "(corps)",
            valeur=_valeur(erreur),
            regle=regle_de(erreur),
        )
        for erreur in exc.errors()
    ]


def resume(erreurs: Sequence[ErreurChamp]) -> str:
    return "; ".join(f"{e.champ} = {e.valeur!r}: {e.regle}" for e in erreurs)
