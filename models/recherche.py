"""Search attributes of the dossier workflows: what operators filter on in the Temporal UI and
`client.list_workflows(...)` without decrypting any payload.

**Never a personal field**: the scheme, the status, the beneficiary's SIRET or UAI (an
establishment, not a person) and the next deadline. Search attributes are stored in clear in
the visibility store and cannot be changed once a workflow is closed, so nothing personal may
ever go in them (docs/rgpd.md).

Sandbox-safe (no I/O): workflows import it through `imports_passed_through()`.
"""

from collections.abc import Sequence
from datetime import UTC, date, datetime, time

from temporalio.common import (
    SearchAttributeIndexedValueType,
    SearchAttributeKey,
    SearchAttributePair,
    SearchAttributeUpdate,
    TypedSearchAttributes,
)

from models.dossier import ProjectionDossier

DISPOSITIF = SearchAttributeKey.for_keyword("Dispositif")
"""The workflow type: contrat-pro, cae-dom, are-campagne, ..."""
STATUT = SearchAttributeKey.for_keyword("Statut")
BENEFICIAIRE = SearchAttributeKey.for_keyword("Beneficiaire")
"""SIRET (employer) or UAI (school) of the beneficiary; never a person's identifier."""
PROCHAINE_ECHEANCE = SearchAttributeKey.for_datetime("ProchaineEcheance")
"""The next deadline's day, at 00:00 UTC (a day, not an instant: `ProchaineEcheance <
"2025-04-01T00:00:00Z"` lists what falls due before April)."""

ATTRIBUTS: tuple[SearchAttributeKey[str] | SearchAttributeKey[datetime], ...] = (
    DISPOSITIF,
    STATUT,
    BENEFICIAIRE,
    PROCHAINE_ECHEANCE,
)

_TYPES_CLI = {
    SearchAttributeIndexedValueType.KEYWORD: "Keyword",
    SearchAttributeIndexedValueType.DATETIME: "Datetime",
}


def options_serveur_dev() -> list[str]:
    """`temporal server start-dev` options registering the attributes
    (`--search-attribute NAME=Keyword ...`)."""
    options: list[str] = []
    for cle in ATTRIBUTS:
        options += ["--search-attribute", f"{cle.name}={_TYPES_CLI[cle.indexed_value_type]}"]
    return options


def au_demarrage(dispositif: str) -> TypedSearchAttributes:
    """What a starter passes (`start_workflow(search_attributes=...)`) on a server where the
    attributes are registered: with `Dispositif` set, the workflow keeps the others current."""
    return TypedSearchAttributes([SearchAttributePair(DISPOSITIF, dispositif)])


def jour(valeur: date) -> datetime:
    """A deadline day as the Datetime attribute stores it (00:00 UTC)."""
    return datetime.combine(valeur, time(0), tzinfo=UTC)


def a_jour(
    projection: ProjectionDossier, actuels: TypedSearchAttributes
) -> Sequence[SearchAttributeUpdate[str] | SearchAttributeUpdate[datetime]]:
    """The updates that bring the workflow's attributes to `projection` (only what changed,
    so an unchanged step adds nothing to the history)."""
    voulus: list[tuple[SearchAttributeKey[str], str | None]] = [
        (DISPOSITIF, projection.dispositif),
        (STATUT, str(projection.statut)),
        (BENEFICIAIRE, projection.beneficiaire),
    ]
    updates: list[SearchAttributeUpdate[str] | SearchAttributeUpdate[datetime]] = []
    for cle, valeur in voulus:
        if actuels.get(cle) != valeur:
            updates.append(cle.value_unset() if valeur is None else cle.value_set(valeur))
    echeance = (
        None if projection.prochaine_echeance is None else jour(projection.prochaine_echeance)
    )
    if actuels.get(PROCHAINE_ECHEANCE) != echeance:
        updates.append(
            PROCHAINE_ECHEANCE.value_unset()
            if echeance is None
            else PROCHAINE_ECHEANCE.value_set(echeance)
        )
    return updates
