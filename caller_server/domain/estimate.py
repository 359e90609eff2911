"""Wait estimate printed on every ticket: people ahead and minutes."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from caller_server.domain.policy import Candidate

SEED_WEIGHT = 3
"""The configured seed counts as this many samples, so a few odd services do not swing it."""


def mean_service_seconds(samples: Sequence[float], seed_minutes: float) -> float:
    """Blend recent service durations (seconds) with the category's seed."""
    return (seed_minutes * 60 * SEED_WEIGHT + sum(samples)) / (SEED_WEIGHT + len(samples))


def goes_before(other: Candidate, mine: Candidate, now: float) -> bool:
    """Whether ``other`` will be called before ``mine`` within one category."""
    if other.is_priority(now) != mine.is_priority(now):
        return other.is_priority(now)
    return (other.arrival_at, other.ticket_id) < (mine.arrival_at, mine.ticket_id)


def people_ahead(mine: Candidate, waiting: Iterable[Candidate], now: float) -> int:
    return sum(
        1
        for c in waiting
        if c.ticket_id != mine.ticket_id
        and c.category == mine.category
        and goes_before(c, mine, now)
    )


def eta_minutes(ahead: int, mean_service_s: float, open_counters: int) -> int:
    """Minutes until the citizen is called: ``ahead`` services shared by the open counters."""
    return math.ceil(ahead * mean_service_s / max(open_counters, 1) / 60)
