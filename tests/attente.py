"""Waiting in tests: poll a condition until it holds or a deadline passes, then fail with what
was last seen. The one way tests wait for something (no fixed sleep).

    statut = await attendre(lambda: pile.statut(cle), 30, "le dossier instruit",
                            jusqu_a=lambda s: s == "instruction")

A condition returns a value, plain or awaitable: falsy means "not yet" (or, with `jusqu_a`,
a value for which `jusqu_a` is false). The helper returns the value that satisfied it, so the
caller can use it. An exception of a type listed in `ignorer` counts as "not yet" (a workflow
not started yet); any other propagates at once. On timeout the `AssertionError` names the
explanation, the delay and the last value or exception seen.
"""

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, overload

from temporalio.client import WorkflowHandle, WorkflowQueryFailedError
from temporalio.service import RPCError

T = TypeVar("T")

INTERVALLE_S = 0.1
"""Between two polls: short, the conditions are cheap (a query, a row, a port)."""

_RIEN = object()


def _tient(jusqu_a: Callable[[Any], object], valeur: object) -> bool:
    resultat = jusqu_a(valeur)
    if resultat is NotImplemented:  # e.g. `"x".__eq__` given None: truthy, but not an answer
        raise TypeError(f"jusqu_a({valeur!r}) returned NotImplemented: compare in a lambda")
    return bool(resultat)


class _Suivi:
    """The last value or exception seen, for the failure message."""

    def __init__(self, explication: str, delai_s: float) -> None:
        self.explication, self.delai_s = explication, delai_s
        self.vu: object = _RIEN
        self.essais = 0

    def echec(self) -> AssertionError:
        vu = "rien (aucun essai terminé)" if self.vu is _RIEN else repr(self.vu)
        quoi = self.explication or "condition"
        return AssertionError(
            f"{quoi}: pas atteint en {self.delai_s:g} s ({self.essais} essais); dernier vu: {vu}"
        )


@overload
async def attendre(
    condition: Callable[[], Awaitable[T]],
    delai_s: float,
    explication: str = "",
    *,
    jusqu_a: Callable[[T], object] = bool,
    intervalle: float = INTERVALLE_S,
    ignorer: tuple[type[BaseException], ...] = (),
) -> T: ...


@overload
async def attendre(
    condition: Callable[[], T],
    delai_s: float,
    explication: str = "",
    *,
    jusqu_a: Callable[[T], object] = bool,
    intervalle: float = INTERVALLE_S,
    ignorer: tuple[type[BaseException], ...] = (),
) -> T: ...


async def attendre(
    condition: Callable[[], Any],
    delai_s: float,
    explication: str = "",
    *,
    jusqu_a: Callable[[Any], object] = bool,
    intervalle: float = INTERVALLE_S,
    ignorer: tuple[type[BaseException], ...] = (),
) -> Any:
    """Poll `condition` every `intervalle` seconds until `jusqu_a(value)` holds; return that
    value. Fails after `delai_s` seconds (a condition still running then is cancelled)."""
    suivi = _Suivi(explication, delai_s)
    try:
        async with asyncio.timeout(delai_s) as delai:
            while True:
                suivi.essais += 1
                try:
                    valeur = condition()
                    if inspect.isawaitable(valeur):
                        valeur = await valeur
                except ignorer as exc:
                    suivi.vu = exc
                else:
                    suivi.vu = valeur
                    if _tient(jusqu_a, valeur):
                        return valeur
                await asyncio.sleep(intervalle)
    except TimeoutError:
        if not delai.expired():
            raise  # the condition's own TimeoutError
        raise suivi.echec() from None


def attendre_bloquant(
    condition: Callable[[], T],
    delai_s: float,
    explication: str = "",
    *,
    jusqu_a: Callable[[T], object] = bool,
    intervalle: float = INTERVALLE_S,
    ignorer: tuple[type[BaseException], ...] = (),
) -> T:
    """`attendre` for synchronous fixtures (no event loop to yield to): the same semantics, the
    thread sleeps between polls."""
    suivi = _Suivi(explication, delai_s)
    limite = time.monotonic() + delai_s
    while True:
        suivi.essais += 1
        try:
            valeur = condition()
        except ignorer as exc:
            suivi.vu = exc
        else:
            suivi.vu = valeur
            if _tient(jusqu_a, valeur):
                return valeur
        if time.monotonic() + intervalle > limite:
            raise suivi.echec()
        time.sleep(intervalle)


PAS_ENCORE_LA = (RPCError, WorkflowQueryFailedError)
"""What a query raises while the workflow is not started yet or has no worker yet."""


async def etat_quand(
    handle: WorkflowHandle[Any, Any],
    type_: type[T],
    jusqu_a: Callable[[T], object],
    delai_s: float,
    explication: str = "",
) -> T:
    """The workflow's `etat` query, once `jusqu_a(etat)` holds (the workflow may not be started
    yet when the wait begins)."""

    async def etat() -> T:
        resultat: T = await handle.query("etat", result_type=type_)
        return resultat

    return await attendre(
        etat,
        delai_s,
        explication or f"{handle.id}: l'état attendu",
        jusqu_a=jusqu_a,
        ignorer=PAS_ENCORE_LA,
    )
