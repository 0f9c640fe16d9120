"""The HTTP API (FastAPI): instructors', supervisors' and partners' access to the dossiers.
`workers.api.app.create_app` builds it; `guichet api` serves it."""
