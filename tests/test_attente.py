"""The polling helper of tests/attente.py: what it returns, and what it says when it gives up."""

import itertools

import pytest

from tests.attente import attendre, attendre_bloquant


async def test_a_sync_condition_is_polled_until_truthy_and_its_value_returned() -> None:
    compteur = itertools.count()
    assert await attendre(lambda: next(compteur) >= 3 and "prêt", 5, intervalle=0) == "prêt"


async def test_an_async_condition_is_awaited_and_jusqu_a_decides() -> None:
    compteur = itertools.count()

    async def valeur() -> int:
        return next(compteur)

    assert await attendre(valeur, 5, jusqu_a=lambda n: n == 2, intervalle=0) == 2


async def test_the_failure_names_the_explanation_and_the_last_value_seen() -> None:
    with pytest.raises(AssertionError, match=r"le statut: pas atteint en 0\.2 s .*'attente'"):
        await attendre(lambda: "attente", 0.2, "le statut", jusqu_a=lambda s: s == "fini")


async def test_an_ignored_exception_is_not_yet_and_is_reported_when_it_lasts() -> None:
    def pas_demarre() -> bool:
        raise LookupError("workflow absent")

    with pytest.raises(AssertionError, match=r"LookupError\('workflow absent'\)"):
        await attendre(pas_demarre, 0.2, ignorer=(LookupError,))


async def test_an_exception_not_ignored_propagates_at_once() -> None:
    def casse() -> bool:
        raise KeyError("x")

    with pytest.raises(KeyError):
        await attendre(casse, 5)


def test_the_blocking_variant_for_sync_fixtures() -> None:
    compteur = itertools.count()
    assert attendre_bloquant(lambda: next(compteur), 5, jusqu_a=lambda n: n == 2) == 2
    with pytest.raises(AssertionError, match="uvicorn démarré: pas atteint"):
        attendre_bloquant(lambda: False, 0.2, "uvicorn démarré")


async def test_a_comparison_that_cannot_answer_is_an_error_not_a_success() -> None:
    with pytest.raises(TypeError, match="NotImplemented"):
        await attendre(lambda: None, 5, jusqu_a="instruction".__eq__)
