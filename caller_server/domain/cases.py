"""好差评 follow-up: a bad review opens a case that must be closed within 15 working days.

国办发〔2019〕51号 asks that bad reviews are followed up (回访) and fixed (整改); halls
commonly count the limit in working days. Weekends are not working days here; public
holidays are not known to the server and count as working days.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

LIMIT_WORKING_DAYS = 15


def working_days_between(start: date, end: date) -> int:
    """Monday–Friday days after ``start`` up to and including ``end``."""
    days, day = 0, start
    while day < end:
        day += timedelta(days=1)
        days += day.isoweekday() <= 5
    return days


def overdue(rated_at: float, now: float, tz: ZoneInfo, limit: int = LIMIT_WORKING_DAYS) -> bool:
    start = datetime.fromtimestamp(rated_at, tz).date()
    return working_days_between(start, datetime.fromtimestamp(now, tz).date()) > limit
