from datetime import UTC, date, datetime

from rules.calendrier import fin_du_jour


def test_a_deadline_day_ends_at_local_midnight_in_paris_summer_time() -> None:
    assert fin_du_jour(date(2024, 8, 31)).astimezone(UTC) == datetime(
        2024, 8, 31, 22, 0, tzinfo=UTC
    )


def test_a_deadline_day_ends_at_local_midnight_in_paris_winter_time() -> None:
    assert fin_du_jour(date(2024, 12, 2)).astimezone(UTC) == datetime(
        2024, 12, 2, 23, 0, tzinfo=UTC
    )
