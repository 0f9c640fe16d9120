"""The conditions of a complementary allocation (both seeds, « Dotation complémentaire pour
les élèves pré et post bac »): « En cas d'insuffisance de crédits liée à une augmentation des
effectifs concernés pour les élèves pré-bac, ou une augmentation des bénéficiaires boursiers
pour les élèves post-bac, une dotation complémentaire peut être attribuée par la commission
permanente sur demande écrite de l'établissement précisant les effectifs supplémentaires par
formation éligible au dispositif ».

Readings (docs/are.md, « Complementary requests: the conditions checked »):

- a complement completes the year's initial allocation, so **the year's campaign must have
  been voted** (`CAMPAGNE_NON_VOTEE` otherwise);
- the « augmentation » is measured **against the enrolment the campaign used**: « Les
  effectifs pris en compte pour le calcul de la dotation initiale correspondent aux effectifs
  stabilisés de la rentrée n-1 » (« Modalités de calcul et d'attribution »). Per line, the
  school declares its count at this year's start (`effectif_rentree`: first-year pupils
  pre-bac, scholarship holders post-bac); the increase is that count minus the campaign's n-1
  count of the formation (pre-bac: pupils retained, apprentices excluded; post-bac: retained
  pupils x the school's scholarship rate, rounded like `nombre_boursiers`; a formation absent
  from the campaign's file counts 0). The increase must be positive, and the extra count asked
  (`effectif_supplementaire`) cannot exceed it.

Pure: the campaign's figures are passed in.
"""

from enum import StrEnum


class MotifCondition(StrEnum):
    """Why a complementary request does not meet the seed's condition."""

    CAMPAGNE_NON_VOTEE = "CAMPAGNE_NON_VOTEE"
    EFFECTIF_RENTREE_NON_DECLARE = "EFFECTIF_RENTREE_NON_DECLARE"
    AUGMENTATION_NULLE = "AUGMENTATION_NULLE"
    SUPPLEMENT_SUPERIEUR_A_L_AUGMENTATION = "SUPPLEMENT_SUPERIEUR_A_L_AUGMENTATION"


def verifier_augmentation(
    *, effectif_n1: int, effectif_rentree: int | None, effectif_supplementaire: int
) -> MotifCondition | None:
    """One line of the request against the campaign's n-1 count of its formation (seeds 000
    and 001, « Dotation complémentaire »: « augmentation des effectifs concernés »). None when
    the increase (`effectif_rentree` − `effectif_n1`) is positive and covers the extra count
    asked; otherwise the reason."""
    if effectif_n1 < 0 or effectif_supplementaire < 1:
        raise ValueError("effectif n-1 négatif ou effectif supplémentaire nul")
    if effectif_rentree is None:
        return MotifCondition.EFFECTIF_RENTREE_NON_DECLARE
    augmentation = effectif_rentree - effectif_n1
    if augmentation <= 0:
        return MotifCondition.AUGMENTATION_NULLE
    if effectif_supplementaire > augmentation:
        return MotifCondition.SUPPLEMENT_SUPERIEUR_A_L_AUGMENTATION
    return None
