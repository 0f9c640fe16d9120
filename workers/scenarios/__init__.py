"""Scenarios: a dossier's whole life in simulated time, against the real workflows
(docs/scenarios.md). `format` reads a file, `execution` runs it on its own time-skipping
server (`serveur`), `resultats` are its lines; `historique` and `record` keep the histories
the replay tests use."""
