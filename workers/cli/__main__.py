"""`python -m workers.cli`: the same as the `guichet` command."""

from workers.cli import run

run()
