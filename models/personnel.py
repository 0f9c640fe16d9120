"""The catalogue's personal-field marks: which fields of a partner payload hold personal data.

A field is marked with `Field(..., json_schema_extra=PERSONNEL)`; a field whose type is a model
(`salarie: Salarie`) marks everything under it. The intake reads the marks to never quote a
personal value in a dead letter's reason (`events.delivery`), the catalogue's documentation
shows them (`guichet events catalogue`), and the JSON Schema carries `"personnel": true`.
"""

import types
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel

PERSONNEL: dict[str, Any] = {"personnel": True}
"""`json_schema_extra` of a field that holds personal data (seed 003, section 5 on the GDPR)."""

Chemin = tuple[str, ...]


def chemins_personnels(modele: type[BaseModel]) -> frozenset[Chemin]:
    """The paths (field names, list indices left out) of `modele`'s marked fields."""
    return frozenset(_chemins(modele, (), set()))


def _chemins(modele: type[BaseModel], prefixe: Chemin, vus: set[type[BaseModel]]) -> list[Chemin]:
    if modele in vus:
        return []
    chemins: list[Chemin] = []
    for nom, champ in modele.model_fields.items():
        chemin = (*prefixe, champ.alias or nom)
        extra = champ.json_schema_extra
        if isinstance(extra, dict) and extra.get("personnel") is True:
            chemins.append(chemin)
            continue
        for sous_modele in _modeles(champ.annotation):
            chemins.extend(_chemins(sous_modele, chemin, vus | {modele}))
    return chemins


def _modeles(annotation: Any) -> list[type[BaseModel]]:
    """The models an annotation can hold: `X`, `X | None`, `list[X]`, `dict[str, X]`..."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    origine = get_origin(annotation)
    if origine is None:
        return []
    if origine not in (Union, types.UnionType) and not isinstance(origine, type):
        return []
    return [modele for argument in get_args(annotation) for modele in _modeles(argument)]


def touche_personnel(chemin: Chemin, message: str, personnels: frozenset[Chemin]) -> bool:
    """True when an error at `chemin` may quote or describe a personal value: `chemin` is a
    personal field or lies inside one, or it contains one that the error's `message` names (a
    validator comparing two fields of a model)."""
    return any(
        chemin[: len(personnel)] == personnel
        or (personnel[: len(chemin)] == chemin and personnel[-1] in message)
        for personnel in personnels
    )


def masquer(donnees: Any, modele: type[BaseModel], masque: str) -> Any:
    """`donnees` (decoded JSON of a `modele` payload) with every marked field and every field
    the model does not declare replaced by `masque`: what a partner put in an unknown field may
    be personal too. The shape of dicts and lists is kept."""
    if isinstance(donnees, list):
        return [masquer(element, modele, masque) for element in donnees]
    if not isinstance(donnees, dict):
        return donnees
    champs = {(champ.alias or nom): champ for nom, champ in modele.model_fields.items()}
    resultat: dict[str, Any] = {}
    for cle, valeur in donnees.items():
        champ = champs.get(cle)
        extra = champ.json_schema_extra if champ is not None else None
        if champ is None or (isinstance(extra, dict) and extra.get("personnel") is True):
            resultat[cle] = masque
            continue
        sous_modeles = _modeles(champ.annotation)
        resultat[cle] = masquer(valeur, sous_modeles[0], masque) if sous_modeles else valeur
    return resultat
