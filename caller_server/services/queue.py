"""Read-side use cases: the live snapshot, the event stream, the day's statistics."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Mapping
from dataclasses import asdict
from typing import Literal, cast

from caller_server.domain.alerts import live_alerts
from caller_server.domain.estimate import eta_minutes
from caller_server.domain.events import Event
from caller_server.domain.figures import clerk_of
from caller_server.domain.stats import DayStats, replay
from caller_server.domain.ticket import Status, Ticket
from caller_server.protocol import (
    AlertOut,
    CategoryQueue,
    CounterState,
    EventOut,
    QueueSnapshot,
    TicketBrief,
)
from caller_server.services import devices, kiosks
from caller_server.services.context import COUNTER_OPEN, ServiceContext
from caller_server.store.repository import Repository

CounterStatus = Literal["open", "paused", "closed"]


def brief(ticket: Ticket) -> TicketBrief:
    return TicketBrief(
        number=ticket.number,
        category=ticket.category,
        status=ticket.status.value,
        priority=ticket.priority.value if ticket.priority else None,
        counter=ticket.counter,
        arrival_at=ticket.arrival_at,
        called_at=ticket.called_at,
    )


def event_out(event: Event) -> EventOut:
    return EventOut(
        seq=event.seq,
        kind=event.kind.value,
        at=event.at,
        number=event.number,
        category=event.category,
        counter=event.counter,
        data=event.data,
    )


def category_queues(
    ctx: ServiceContext, repo: Repository, day: str, now: float, waiting_in: Mapping[str, int]
) -> list[CategoryQueue]:
    """Each category's queue length, whether it takes numbers now, and its wait estimate."""
    issued = repo.issued_counts(day)
    local = ctx.local(now)
    queues = []
    for c in ctx.hall.categories.values():
        waiting = waiting_in.get(c.code, 0)
        queues.append(
            CategoryQueue(
                code=c.code,
                name=c.names.zh_cn,
                name_tw=c.names.zh_tw,
                name_en=c.names.en,
                waiting=waiting,
                open=c.is_open(local) and c.code not in ctx.hall.unserved,
                id_required=c.id_required,
                full=issued.get(c.code, 0) >= c.daily_cap,
                eta_minutes=eta_minutes(waiting, *ctx.service_rate(repo, c.code)),
            )
        )
    return queues


def counter_states(
    ctx: ServiceContext,
    repo: Repository,
    day: str,
    statuses: Mapping[int, str],
    at_counter: Mapping[int, Ticket],
) -> list[CounterState]:
    """Each counter's status, the ticket called there and the clerk who acted there last."""
    clerks = repo.counter_clerks(day)
    return [
        CounterState(
            number=c.number,
            name=c.name,
            status=cast(CounterStatus, statuses.get(c.number, COUNTER_OPEN)),
            categories=list(c.codes),
            current=brief(at_counter[c.number]) if c.number in at_counter else None,
            clerk=clerk_of(clerks[c.number]) if c.number in clerks else None,
            name_tw=c.name_tw,
            name_en=c.name_en,
        )
        for c in ctx.hall.counters.values()
    ]


def snapshot(ctx: ServiceContext) -> QueueSnapshot:
    """Everything a wall or a console needs to draw the hall, as of one event ``seq``."""
    now = ctx.clock()
    day = ctx.day(now)
    with ctx.unit(write=False) as uow:
        repo = uow.repo
        seq = repo.last_seq()
        active = repo.active_tickets(day)
        statuses = repo.counter_statuses()
        last_activity = repo.counter_last_activity(day)
        known_devices = repo.devices()
        kiosk_health = repo.kiosk_health()
        waiting = [t for t in active if t.status is Status.WAITING]
        at_counter = {t.counter: t for t in active if t.counter is not None}
        categories = category_queues(ctx, repo, day, now, Counter(t.category for t in waiting))
        counters = counter_states(ctx, repo, day, statuses, at_counter)
    alerts = live_alerts(ctx.hall, active, statuses, last_activity, now)
    device_alerts = devices.alerts(known_devices, now) + kiosks.alerts(kiosk_health, now, ctx.day)
    return QueueSnapshot(
        seq=seq,
        day=day,
        hall=ctx.hall.names.zh_cn,
        hall_tw=ctx.hall.names.zh_tw,
        hall_en=ctx.hall.names.en,
        at=now,
        categories=categories,
        counters=counters,
        waiting=[brief(t) for t in waiting],
        alerts=[AlertOut(**asdict(a)) for a in alerts] + device_alerts,
    )


def events_since(ctx: ServiceContext, seq: int, limit: int = 500) -> list[EventOut]:
    with ctx.unit(write=False) as uow:
        return [event_out(e) for e in uow.repo.events_since(seq, limit)]


def day_stats(ctx: ServiceContext, day: str) -> DayStats:
    """The figures of ``day``, replayed from its audit events."""
    with ctx.unit(write=False) as uow:
        return replay(uow.repo.events_of_day(day))


def stats_rows(ctx: ServiceContext, day: str) -> list[dict[str, object]]:
    """One row for the hall, one per category, one per counter."""
    stats = day_stats(ctx, day)
    rows: list[dict[str, object]] = [{"scope": "hall", "key": "all", **stats.hall.as_row()}]
    for code in sorted(stats.categories):
        rows.append({"scope": "category", "key": code, **stats.categories[code].as_row()})
    for number in sorted(stats.counters):
        rows.append(
            {
                "scope": "counter",
                "key": str(number),
                **stats.counters[number].as_row(),
                "utilisation": stats.utilisation(number),
            }
        )
    return rows


def stats_csv(ctx: ServiceContext, day: str) -> str:
    rows = stats_rows(ctx, day)
    columns = list(dict.fromkeys(k for row in rows for k in row))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
