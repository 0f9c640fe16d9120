"""The instructors' web console: server-rendered pages (Jinja2) on the API's FastAPI app,
under `/console`. See docs/console.md."""
