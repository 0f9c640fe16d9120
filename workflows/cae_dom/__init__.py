"""The CAE-DOM scheme's workflow (seed 004): one `CaeDomWorkflow` per convention, keyed by the
convention's dossier key (`DDD-AA-NNNNN`).

- `workflow.py`: the workflow, orchestration only (handlers, activity calls, orders,
  notifications);
- `echeances.py`: its deadlines and reminders, computed from the state;
- `montants.py`: its schedule of quarters, totals, orders and recovery, from the state;
- `refus.py`: why a partner event makes no sense in the state.

The rules are in `rules/cae_dom.py`, evaluated by the activities of
`activities/regles_cae_dom.py` (they read the territory tables and make the amounts of the
orders, so their results land in the history); side effects in activities; what every scheme
shares (the main loop, GDPR, outputs) in `workflows/dossier.py`. The life of a convention
(seed 004, circular DGEFP n° 2011-02, annexe II and the Cerfa) is in docs/cae_dom.md, section
Workflow; in short:

registered by the ASP -> eligibility (territory, convention before hiring, maximum duration):
refused, or open -> at each calendar quarter's end (territory time zone) the attendance
statement is due, reminders at +15 and +30 days -> the quarter's amount, an idempotent payment
order `<workflow id>/paiement/<quarter>`, the ASP's execution or rejection (a rejection waits
for new bank details, then `<quarter>-<attempt>`) -> renewals and amendments up to the maximum
duration -> end, or early end with an ordre de reversement tracked until settled -> closed.

Timers are computed from the state (`echeances.py`): the next deadline or reminder is the main
loop's timeout.

The data subject's rights (GDPR, workflows/rgpd.py): an admin may rectify the employee's
identity (`workflow.RECTIFIABLES`) and restrict processing; while restricted no timer runs and
partner events wait in their queue; once lifted, the quarters that ended meanwhile are opened
first (calendar facts the held statements depend on), then the held events are applied in
arrival order, then the reminders still due are sent.
"""

from workflows.cae_dom.workflow import CaeDomWorkflow

__all__ = ["CaeDomWorkflow"]
