"""What the CAE-DOM models share: the refusal message (field, value, rule), the formats of
the Cerfa's codes, the strict base model."""

import re

from pydantic import BaseModel, ConfigDict
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength
from stdnum.exceptions import ValidationError as StdnumError

from rules import cae_dom


def _refus(champ: str, valeur: object, regle: str) -> ValueError:
    """The French message of a refusal: the field, the value given, the rule."""
    if valeur is None:
        return ValueError(f"{champ} (non renseigné) : {regle}")
    return ValueError(f"{champ} « {valeur} » : {regle}")


_FORMAT_NUMERO = re.compile(r"(\d{3})[ -]?(\d{2})[ -]?(\d{5})[ -]?(\d{2})[ -]?(\d{2})")
_FORMAT_NAF = re.compile(r"(\d{2})\.?(\d{2})([A-Z])")
_FORMAT_ROME = re.compile(r"[A-Z]\d{4}")
_FORMAT_CODE_POSTAL = re.compile(r"(?!00)\d{5}")
_FORMAT_COURRIEL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_FORMAT_IDCC = re.compile(r"\d{4}")
_FORMAT_IDE = re.compile(r"[0-9A-Z]{8,11}")
_FORMAT_DEPARTEMENT_NAISSANCE = re.compile(r"0[1-9]|[1-8]\d|9[0-5]|2A|2B|97[1-8]|99")


def _erreur_stdnum(exc: StdnumError) -> str:
    if isinstance(exc, InvalidLength):
        return "longueur incorrecte"
    if isinstance(exc, InvalidChecksum):
        return "clé de contrôle fausse"
    if isinstance(exc, InvalidFormat):
        return "caractères non admis"
    return "numéro invalide"


class _Modele(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _niveau_formation(champ: str, value: str) -> str:
    niveaux = cae_dom.referentiel().niveaux_formation
    if value not in niveaux:
        codes = ", ".join(niveaux)
        raise _refus(champ, value, f"code du tableau 2 attendu : {codes}")
    return value
