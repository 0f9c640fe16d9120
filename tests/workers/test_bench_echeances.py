"""`guichet bench echeances` (issue 16, item 4): the day the storm's dossiers fall due and the
lines it prints. The run itself is a command, never a timed test."""

from datetime import UTC, date, datetime

import pytest

from rules.contrat_pro import date_limite_demande
from workers.bench.echeances import JOURS_AVANT_ECHEANCE, ResultatsEcheances, jour_echeance


@pytest.mark.parametrize(
    "aujourdhui",
    [date(2026, 12, 6), date(2026, 5, 29), date(2027, 2, 26), date(2028, 2, 27)],
)
def test_the_contracts_start_so_that_their_request_deadline_is_day_d_a_few_days_ahead(
    aujourdhui: date,
) -> None:
    jour, debut = jour_echeance(aujourdhui)

    assert JOURS_AVANT_ECHEANCE <= (jour - aujourdhui).days <= JOURS_AVANT_ECHEANCE + 3
    assert date_limite_demande(debut) == jour


def test_the_printed_lines_carry_the_lateness_quantiles_the_drain_and_the_missed() -> None:
    resultats = ResultatsEcheances(
        dossiers=101,
        cache=100,
        instant=datetime(2026, 12, 8, 23, 0, tzinfo=UTC),
        enregistrement_s=10.1,
        retards_s=[float(i) for i in range(1, 101)],
        manques=1,
        doublons=0,
        cpu_guichet_s=2.02,
    )

    lignes = "\n".join(resultats.lignes())

    assert "dossiers: 101, enregistrés et relancés en 10.1 s (10.0/s" in lignes
    assert "cache du worker 100 workflows (1 dossiers réveillés à froid" in lignes
    assert "instant commun: 2026-12-09 00:00 heure de Paris" in lignes
    assert "p50 50.5 s, p99 99.0 s, max 100.0 s" in lignes
    assert "écoulement: 100 dossiers traités en 100.0 s (1.0 échéances/s)" in lignes
    assert "manqués: 1" in lignes
    assert "CPU guichet par 1 000 échéances: 20.0 s" in lignes
