"""Seeds 000/001, « Dotation complémentaire pour les élèves pré et post bac »: a complement
only « en cas d'insuffisance de crédits liée à une augmentation des effectifs », measured
against the n-1 count the campaign used (`rules.are.complement`)."""

import pytest

from rules.are import MotifCondition, verifier_augmentation


@pytest.mark.parametrize(
    ("n1", "rentree", "supplementaire", "motif"),
    [
        (22, 34, 12, None),
        (22, 23, 1, None),
        (0, 6, 6, None),  # a formation absent from the campaign's file counts 0
        (22, 22, 4, MotifCondition.AUGMENTATION_NULLE),
        (22, 18, 4, MotifCondition.AUGMENTATION_NULLE),
        (22, 26, 5, MotifCondition.SUPPLEMENT_SUPERIEUR_A_L_AUGMENTATION),
        (22, None, 4, MotifCondition.EFFECTIF_RENTREE_NON_DECLARE),
    ],
)
def test_a_line_needs_an_increase_over_the_campaigns_n1_count_covering_the_extra_asked(
    n1: int, rentree: int | None, supplementaire: int, motif: MotifCondition | None
) -> None:
    assert (
        verifier_augmentation(
            effectif_n1=n1, effectif_rentree=rentree, effectif_supplementaire=supplementaire
        )
        is motif
    )


def test_impossible_counts_are_refused() -> None:
    with pytest.raises(ValueError, match="négatif"):
        verifier_augmentation(effectif_n1=-1, effectif_rentree=3, effectif_supplementaire=1)
