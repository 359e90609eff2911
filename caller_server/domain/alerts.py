"""电子监察 / 异常提醒: long waits and idle counters, from the live queue (pure)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from caller_server.domain.hall import Hall
from caller_server.domain.ticket import Status, Ticket


@dataclass(frozen=True)
class Alert:
    kind: str
    """``long_wait`` or ``idle_counter``."""
    message_zh: str
    message_en: str
    number: str | None = None
    counter: int | None = None
    minutes: int = 0


def live_alerts(
    hall: Hall,
    active: Iterable[Ticket],
    statuses: Mapping[int, str],
    last_activity: Mapping[int, float],
    now: float,
) -> list[Alert]:
    """Tickets waiting longer than the threshold, and open counters idle while people wait.

    ``last_activity`` is each counter's latest call or finish today; a counter with
    none counts from the first opening hour today of the categories it serves. Either way a
    counter is idle only since the longest-waiting ticket it could call arrived.
    """
    rules = hall.rules
    alerts = []
    waiting = [t for t in active if t.status is Status.WAITING]
    for t in waiting:
        minutes = int((now - t.arrival_at) // 60)
        if minutes >= rules.alert_wait_minutes:
            alerts.append(
                Alert(
                    "long_wait",
                    f"{t.number} 已等候 {minutes} 分钟",
                    f"{t.number} has waited {minutes} minutes",
                    number=t.number,
                    minutes=minutes,
                )
            )
    busy = {t.counter for t in active if t.counter is not None}
    for counter in hall.counters.values():
        if statuses.get(counter.number, "open") != "open" or counter.number in busy:
            continue
        arrivals = [
            t.arrival_at
            for t in waiting
            if t.category in counter.codes and t.target_counter in (None, counter.number)
        ]
        if not arrivals:
            continue
        # idle while people wait: from its last call (or the opening), but not before the
        # first of those now waiting for it arrived
        since = last_activity.get(counter.number) or _opened(hall, counter.codes, now)
        since = max(since, min(arrivals))
        minutes = int((now - since) // 60)
        if minutes >= rules.alert_idle_minutes:
            alerts.append(
                Alert(
                    "idle_counter",
                    f"{counter.number} 号窗口已 {minutes} 分钟未叫号，仍有群众等候",
                    f"counter {counter.number} has called nobody for {minutes} minutes "
                    "while people wait",
                    counter=counter.number,
                    minutes=minutes,
                )
            )
    return alerts


def _opened(hall: Hall, codes: Iterable[str], now: float) -> float:
    """When the first of ``codes`` opened today (local time)."""
    today = datetime.fromtimestamp(now, hall.timezone)
    starts = [
        datetime.combine(today.date(), start, hall.timezone).timestamp()
        for code in codes
        for start, _end in hall.categories[code].hours
    ]
    return min((s for s in starts if s <= now), default=now)
