"""Reading the reference data shipped in `rules/data/` (extracted from the seeds).

Reference files are UTF-8 CSV with a header row, `;`-separated, read from the installed
package (works from a wheel too). Each file's rows say where they come from.
"""

import csv
import io
from functools import cache
from importlib import resources


@cache
def read_csv(*path: str) -> tuple[dict[str, str], ...]:
    """Rows of `rules/data/<path...>` as dicts keyed by the header, in file order."""
    resource = resources.files("rules").joinpath("data", *path)
    text = resource.read_text(encoding="utf-8")
    return tuple(csv.DictReader(io.StringIO(text), delimiter=";"))
