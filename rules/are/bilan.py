"""Equipment types and the spending report (both seeds, « Compte rendu d'utilisation des
dotations », « Les types d'équipements »; `rules/data/are/types_equipement.csv`)."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from functools import cache

from rules.are.commun import DONNEES, ZERO, Enveloppe, arrondi
from rules.reference import read_csv

# --- equipment types and spending report --------------------------------------------------


@dataclass(frozen=True)
class TypeEquipement:
    code: str
    libelle: str
    exemples: str
    source: str


@cache
def types_equipement() -> Mapping[str, TypeEquipement]:
    """The four equipment types the aid may buy (both seeds, « Les types d'équipements »)."""
    return {
        r["code"]: TypeEquipement(
            code=r["code"], libelle=r["libelle"], exemples=r["exemples"], source=r["source"]
        )
        for r in read_csv(DONNEES, "types_equipement.csv")
    }


@dataclass(frozen=True)
class Depense:
    """A spending-report line: what was bought, from which envelope."""

    enveloppe: Enveloppe
    type_equipement: str
    montant: Decimal
    code_diplome: str | None = None
    nombre_eleves: int | None = None


class CodeAnomalieBilan(StrEnum):
    TYPE_EQUIPEMENT_INCONNU = "TYPE_EQUIPEMENT_INCONNU"
    MONTANT_NEGATIF = "MONTANT_NEGATIF"
    ENVELOPPE_DEPASSEE = "ENVELOPPE_DEPASSEE"


@dataclass(frozen=True)
class AnomalieBilan:
    code: CodeAnomalieBilan
    message: str
    ligne: int | None = None
    enveloppe: Enveloppe | None = None


@dataclass(frozen=True)
class ResultatBilan:
    ressources: Mapping[Enveloppe, Decimal]
    depenses: Mapping[Enveloppe, Decimal]
    reliquats: Mapping[Enveloppe, Decimal]
    anomalies: tuple[AnomalieBilan, ...]

    @property
    def valide(self) -> bool:
        return not self.anomalies


def verifier_bilan(
    *,
    dotations_recues: Mapping[Enveloppe, Decimal],
    reliquats_anterieurs: Mapping[Enveloppe, Decimal],
    depenses: Sequence[Depense],
) -> ResultatBilan:
    """Check a school's end-of-year spending report and compute next year's leftovers.

    Both seeds, « Compte rendu d'utilisation des dotations » (allocations received, prior
    leftovers, spending by formation, pupils helped, equipment types), « Les types
    d'équipements » (only the four listed types) and « Modalités de mise en œuvre » (pre-bac
    and post-bac are not fungible: an envelope may not be overspent with the other's money).
    Leftovers per envelope = allocation received + last year's leftovers − spending, never
    below zero.
    """
    types = types_equipement()
    anomalies: list[AnomalieBilan] = []
    depense = dict.fromkeys(Enveloppe, ZERO)
    for i, d in enumerate(depenses):
        if d.type_equipement not in types:
            anomalies.append(
                AnomalieBilan(
                    code=CodeAnomalieBilan.TYPE_EQUIPEMENT_INCONNU,
                    message=(
                        f"depenses[{i}].type_equipement « {d.type_equipement} » n'est pas un "
                        f"type d'équipement de l'aide ({', '.join(types)})"
                    ),
                    ligne=i,
                    enveloppe=d.enveloppe,
                )
            )
        if d.montant < 0:
            anomalies.append(
                AnomalieBilan(
                    code=CodeAnomalieBilan.MONTANT_NEGATIF,
                    message=f"depenses[{i}].montant « {d.montant} » ne peut pas être négatif",
                    ligne=i,
                    enveloppe=d.enveloppe,
                )
            )
        depense[d.enveloppe] += d.montant
    ressources = {
        env: dotations_recues.get(env, ZERO) + reliquats_anterieurs.get(env, ZERO)
        for env in Enveloppe
    }
    for env in Enveloppe:
        if depense[env] > ressources[env]:
            anomalies.append(
                AnomalieBilan(
                    code=CodeAnomalieBilan.ENVELOPPE_DEPASSEE,
                    message=(
                        f"dépenses {env.value} ({arrondi(depense[env])} EUR) supérieures aux "
                        f"crédits {env.value} ({arrondi(ressources[env])} EUR) : les "
                        "enveloppes pré-bac et post-bac ne sont pas fongibles"
                    ),
                    enveloppe=env,
                )
            )
    return ResultatBilan(
        ressources={env: arrondi(v) for env, v in ressources.items()},
        depenses={env: arrondi(v) for env, v in depense.items()},
        reliquats={env: arrondi(max(ZERO, ressources[env] - depense[env])) for env in Enveloppe},
        anomalies=tuple(anomalies),
    )
