"""Realistic partner events for `guichet demo`: a newcomer sees dossiers move right after
`make run`. Each scheme adds its own module and function to DEMOS (EXAPRO, which also writes
files in the worker's drop folder, is added by `guichet demo` itself: `workers/demo/exapro.py`).
Event ids are fixed, so running the demo twice applies nothing twice."""

from collections.abc import Callable
from datetime import date

from models.evenements import CloudEvent
from workers.demo import are, cae_dom, contrat_pro

Demo = Callable[[date], list[tuple[str, bytes | CloudEvent]]]

DEMOS: dict[str, Demo] = {
    "contrat-pro": contrat_pro.contrat_pro,
    "cae-dom": cae_dom.demo,
    "are": are.demo,
}
