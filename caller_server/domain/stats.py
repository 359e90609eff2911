"""Day statistics recomputed by replaying the day's events (nothing else is trusted)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from caller_server.domain.events import Event, EventKind
from caller_server.domain.rating import Rating


@dataclass
class Figures:
    """办件量, waiting and service times, no-shows and ratings of one group."""

    issued: int = 0
    called: int = 0
    done: int = 0
    no_show: int = 0
    wait_seconds: list[float] = field(default_factory=list)
    service_seconds: list[float] = field(default_factory=list)
    ratings: list[int] = field(default_factory=list)

    @property
    def mean_wait_minutes(self) -> float | None:
        return _mean_minutes(self.wait_seconds)

    @property
    def mean_service_minutes(self) -> float | None:
        return _mean_minutes(self.service_seconds)

    @property
    def no_show_rate(self) -> float | None:
        return self.no_show / self.called if self.called else None

    @property
    def satisfaction_rate(self) -> float | None:
        """Share of ratings that are not bad reviews (满意率)."""
        if not self.ratings:
            return None
        return sum(1 for r in self.ratings if not Rating(r).bad) / len(self.ratings)

    def as_row(self) -> dict[str, float | int | None]:
        return {
            "issued": self.issued,
            "called": self.called,
            "done": self.done,
            "no_show": self.no_show,
            "mean_wait_minutes": self.mean_wait_minutes,
            "mean_service_minutes": self.mean_service_minutes,
            "no_show_rate": self.no_show_rate,
            "ratings": len(self.ratings),
            "bad_reviews": sum(1 for r in self.ratings if Rating(r).bad),
            "satisfaction_rate": self.satisfaction_rate,
        }


def _mean_minutes(values: list[float]) -> float | None:
    return round(sum(values) / len(values) / 60, 2) if values else None


@dataclass
class DayStats:
    hall: Figures = field(default_factory=Figures)
    categories: dict[str, Figures] = field(default_factory=lambda: defaultdict(Figures))
    counters: dict[int, Figures] = field(default_factory=lambda: defaultdict(Figures))
    busy_seconds: dict[int, float] = field(default_factory=lambda: defaultdict(float))
    open_seconds: dict[int, float] = field(default_factory=lambda: defaultdict(float))

    def utilisation(self, counter: int) -> float | None:
        """窗口利用率: time serving over time open (first call to last event, minus pauses)."""
        open_s = self.open_seconds.get(counter, 0.0)
        return min(1.0, self.busy_seconds[counter] / open_s) if open_s > 0 else None


@dataclass
class _Life:
    issued_at: float
    category: str
    called_at: float | None = None
    started_at: float | None = None


def replay(events: Iterable[Event]) -> DayStats:
    """Compute the day's figures from its events, in sequence order."""
    stats = DayStats()
    lives: dict[int, _Life] = {}
    first_seen: dict[int, float] = {}
    paused_at: dict[int, float] = {}
    paused_total: dict[int, float] = defaultdict(float)
    last_seen: dict[int, float] = {}
    for ev in events:
        if ev.counter is not None:
            first_seen.setdefault(ev.counter, ev.at)
            last_seen[ev.counter] = ev.at
        life = lives.get(ev.ticket_id) if ev.ticket_id is not None else None
        groups = _groups(stats, ev.category, ev.counter)
        if ev.kind is EventKind.ISSUED and ev.ticket_id is not None and ev.category:
            lives[ev.ticket_id] = _Life(ev.at, ev.category)
            for g in _groups(stats, ev.category, None):
                g.issued += 1
        elif ev.kind is EventKind.CALLED and life is not None:
            for g in groups:
                g.called += 1
                if life.called_at is None:
                    g.wait_seconds.append(ev.at - life.issued_at)
            life.called_at = life.called_at or ev.at
            life.started_at = ev.at
        elif ev.kind is EventKind.STARTED and life is not None:
            life.started_at = ev.at
        elif ev.kind is EventKind.FINISHED and life is not None:
            spent = ev.at - (life.started_at or ev.at)
            for g in groups:
                g.done += 1
                g.service_seconds.append(spent)
            if ev.counter is not None:
                stats.busy_seconds[ev.counter] += spent
        elif ev.kind is EventKind.NO_SHOW:
            for g in groups:
                g.no_show += 1
        elif ev.kind is EventKind.RATED:
            for g in groups:
                g.ratings.append(int(ev.data["level"]))
        elif ev.kind is EventKind.PAUSED and ev.counter is not None:
            paused_at[ev.counter] = ev.at
        elif ev.kind is EventKind.RESUMED and ev.counter in paused_at:
            paused_total[ev.counter] += ev.at - paused_at.pop(ev.counter)
    for counter, start in first_seen.items():
        end = paused_at.get(counter, last_seen[counter])
        stats.open_seconds[counter] = max(0.0, end - start - paused_total[counter])
    return stats


def _groups(stats: DayStats, category: str | None, counter: int | None) -> list[Figures]:
    groups = [stats.hall]
    if category:
        groups.append(stats.categories[category])
    if counter is not None:
        groups.append(stats.counters[counter])
    return groups
