from datetime import date

import pytest

from rules.contrat_pro import add_months, date_limite_demande


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2024, 1, 15), 1, date(2024, 2, 15)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2024, 8, 31), 3, date(2024, 11, 30)),
        (date(2024, 11, 30), 3, date(2025, 2, 28)),
        (date(2024, 12, 15), 12, date(2025, 12, 15)),
    ],
)
def test_add_months_keeps_the_day_clamped_to_the_end_of_the_month(
    start: date, months: int, expected: date
) -> None:
    assert add_months(start, months) == expected


def test_request_deadline_is_three_months_after_the_contract_start() -> None:
    assert date_limite_demande(date(2024, 9, 2)) == date(2024, 12, 2)


def test_request_deadline_of_a_contract_starting_on_31_may_is_31_august() -> None:
    assert date_limite_demande(date(2024, 5, 31)) == date(2024, 8, 31)


def test_request_deadline_of_a_contract_starting_on_30_november_is_end_of_february() -> None:
    assert date_limite_demande(date(2024, 11, 30)) == date(2025, 2, 28)
