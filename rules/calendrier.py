"""Dates and time zones shared by every scheme (DESIGN.md: deadlines are computed in the
territory's time zone)."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


def fin_du_jour(jour: date, fuseau: ZoneInfo = PARIS) -> datetime:
    """The instant a deadline day is over: midnight at the start of the next day, local time."""
    return datetime.combine(jour + timedelta(days=1), time(0), tzinfo=fuseau)
