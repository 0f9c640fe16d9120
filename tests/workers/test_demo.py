from collections import Counter
from datetime import date

from events.delivery import Livrable, Rejet, parse
from models.evenements import CloudEvent
from workers.demo import DEMOS

TODAY = date(2026, 11, 23)


def test_the_demo_is_replayable_its_event_ids_do_not_change() -> None:
    for demo in DEMOS.values():
        first = [r.id for _, r in demo(TODAY) if isinstance(r, CloudEvent)]
        assert first == [r.id for _, r in demo(TODAY) if isinstance(r, CloudEvent)]


def test_each_scheme_demo_shows_valid_events_a_duplicate_and_a_dead_letter() -> None:
    for demo in DEMOS.values():
        records = demo(TODAY)
        outcomes = [
            parse(topic, r.model_dump_json().encode() if isinstance(r, CloudEvent) else r)
            for topic, r in records
        ]
        rejets = [o for o in outcomes if isinstance(o, Rejet)]
        ids = Counter(o.event.id for o in outcomes if isinstance(o, Livrable))
        assert rejets
        assert max(ids.values()) == 2
        assert len(outcomes) - len(rejets) >= 4
