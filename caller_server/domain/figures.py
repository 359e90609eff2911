"""The manager's figures of one day, replayed from its audit events (pure).

Adds to :mod:`caller_server.domain.stats` what the dashboard draws: arrivals and
services per hour, the wait distribution, 一次办妥率 per category and matter, bad
reviews and per-clerk figures (the clerk is the actor who acted at the counter).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from caller_server.domain.events import Event, EventKind
from caller_server.domain.outcome import Outcome
from caller_server.domain.rating import Rating
from caller_server.domain.stats import DayStats, replay

WAIT_BUCKETS = (5, 10, 20, 30, 60)
"""Upper bounds (minutes) of the wait histogram; a last bucket holds the rest."""


@dataclass
class OnceRate:
    """一次办妥: services finished 办结 or 受理转后台 among those not only a question."""

    settled: int = 0
    counted: int = 0

    @property
    def rate(self) -> float | None:
        return self.settled / self.counted if self.counted else None


@dataclass
class ClerkFigures:
    served: int = 0
    service_seconds: float = 0.0
    ratings: list[int] = field(default_factory=list)
    paused_seconds: float = 0.0

    @property
    def mean_service_minutes(self) -> float | None:
        return round(self.service_seconds / self.served / 60, 2) if self.served else None

    @property
    def satisfaction_rate(self) -> float | None:
        if not self.ratings:
            return None
        return sum(1 for r in self.ratings if not Rating(r).bad) / len(self.ratings)


@dataclass(frozen=True)
class BadReview:
    number: str
    counter: int | None
    level: int
    at: float
    clerk: str | None


@dataclass
class DayFigures:
    stats: DayStats
    arrivals_per_hour: list[int] = field(default_factory=lambda: [0] * 24)
    served_per_hour: list[int] = field(default_factory=lambda: [0] * 24)
    wait_histogram: list[int] = field(default_factory=lambda: [0] * (len(WAIT_BUCKETS) + 1))
    once_by_category: dict[str, OnceRate] = field(default_factory=lambda: defaultdict(OnceRate))
    once_by_matter: dict[str, OnceRate] = field(default_factory=lambda: defaultdict(OnceRate))
    outcomes: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    clerks: dict[str, ClerkFigures] = field(default_factory=lambda: defaultdict(ClerkFigures))
    bad_reviews: list[BadReview] = field(default_factory=list)


def clerk_of(actor: str) -> str | None:
    """The person behind an actor (``clerk:login:wang`` → ``wang``); None for a token."""
    role, _, label = actor.partition(":")
    if role not in ("clerk", "manager", "admin"):
        return None
    return label.removeprefix("login:") if label.startswith("login:") else label


def day_figures(events: Iterable[Event], tz: ZoneInfo) -> DayFigures:
    events = list(events)
    figures = DayFigures(stats=replay(events))
    issued_at: dict[int, float] = {}
    started: dict[int, float] = {}
    finished_by: dict[int, str | None] = {}
    paused: dict[int, tuple[float, str | None]] = {}

    def hour(at: float) -> int:
        return datetime.fromtimestamp(at, tz).hour

    for ev in events:
        tid = ev.ticket_id
        if ev.kind is EventKind.ISSUED and tid is not None:
            issued_at[tid] = ev.at
            figures.arrivals_per_hour[hour(ev.at)] += 1
        elif ev.kind is EventKind.CALLED and tid is not None:
            if tid in issued_at and tid not in started:
                minutes = (ev.at - issued_at[tid]) / 60
                index = next((i for i, b in enumerate(WAIT_BUCKETS) if minutes < b), -1)
                figures.wait_histogram[index] += 1
            started[tid] = ev.at
        elif ev.kind is EventKind.STARTED and tid is not None:
            started[tid] = ev.at
        elif ev.kind is EventKind.FINISHED and tid is not None:
            figures.served_per_hour[hour(ev.at)] += 1
            _finished(figures, ev, started.get(tid, ev.at))
            finished_by[tid] = clerk_of(ev.actor)
        elif ev.kind is EventKind.RATED and tid is not None:
            level = int(ev.data["level"])
            who = finished_by.get(tid)
            if who is not None:
                figures.clerks[who].ratings.append(level)
            if Rating(level).bad:
                figures.bad_reviews.append(
                    BadReview(ev.number or "", ev.counter, level, ev.at, who)
                )
        elif ev.kind is EventKind.PAUSED and ev.counter is not None:
            paused[ev.counter] = (ev.at, clerk_of(ev.actor))
        elif ev.kind is EventKind.RESUMED and ev.counter in paused:
            since, who = paused.pop(ev.counter)
            if who is not None:
                figures.clerks[who].paused_seconds += ev.at - since
    return figures


def _finished(figures: DayFigures, ev: Event, started_at: float) -> None:
    outcome = Outcome(ev.data.get("outcome", Outcome.DONE.value))
    figures.outcomes[outcome.value] += 1
    if outcome.counted and ev.category:
        groups = [figures.once_by_category[ev.category]]
        if ev.data.get("matter"):
            groups.append(figures.once_by_matter[f"{ev.category}·{ev.data['matter']}"])
        for g in groups:
            g.counted += 1
            g.settled += outcome.settled
    who = clerk_of(ev.actor)
    if who is not None:
        clerk = figures.clerks[who]
        clerk.served += 1
        clerk.service_seconds += ev.at - started_at
