"""The three ARE workflows (aide régionale à l'équipement, Île-de-France lycées).

Sources: seeds 000 (règlement d'intervention 2021-2022) and 001 (modalités 2023-2024). The
choices made where the texts are silent are in docs/are.md, « Workflows ».

- `are-campagne` (one per school year, key `2023-2024`): opened with the rectorats' enrolment
  file and the schools file, it imports and computes every school's allocation (activities),
  produces the commission permanente's table, waits for the vote (`decider`), then notifies
  every school and orders its payments in batches of `LOT` schools from one activity call per
  batch, so 700 schools cost a few dozen history events. On 1 July of the year's end it asks
  each school's spending report and completes. Before it is opened it collects the leftovers
  that last year's spending reports send it, and the reports missing at their due date, which
  it flags on the table (« bilan N-1 manquant », the allocation unchanged).
- `are-complement` (one per request): a school's written request, checked against the year's
  eligibility, reviewed by an instructor, queued for the next commission permanente session
  (reference data), decided there (the amount granted may differ, with a reason), then
  notified and paid; the spending report of that school and year is told of the grant.
- `are-bilan` (one per school and year, key `<UAI>:<année>`): asked on 1 July of the year's end
  with reminders and late notices, checked with `rules.are.verifier_bilan`; a valid report's
  leftovers go to next year's campaign (signal-with-start) and are the workflow's result; a
  report missing at its due date tells that campaign too.

Each is a `workflows.dossier.DossierWorkflow` (one main loop, one refusal semantics: a decision
refused when it is applied, because the state moved or no session is left, fails the update
with the reason and records nothing); `commun.py` holds what the three share besides.
"""

from workflows.are.bilan import BilanAreWorkflow
from workflows.are.campagne import CampagneAreWorkflow
from workflows.are.complement import ComplementAreWorkflow

WORKFLOWS_ARE = [CampagneAreWorkflow, ComplementAreWorkflow, BilanAreWorkflow]
