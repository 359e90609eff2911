"""电子监察 for the manager: the live hall, per-counter minutes, alerts and acknowledgements."""

from __future__ import annotations

from dataclasses import dataclass

from caller_server.domain.cases import LIMIT_WORKING_DAYS, overdue
from caller_server.domain.events import Event, EventKind
from caller_server.domain.figures import DayFigures, day_figures
from caller_server.domain.rating import Rating
from caller_server.protocol import AlertOut, KioskOut, QueueSnapshot
from caller_server.services import kiosks, queue
from caller_server.services.context import ServiceContext
from caller_server.store.repository import ReviewCase


def alert_key(alert: AlertOut) -> str:
    """Stable for as long as the condition lasts: kind and the ticket or counter, and for a
    kiosk its id and when the condition began (a fault fixed and back is a new alert)."""
    key = f"{alert.kind}:{alert.number or ''}:{alert.counter or ''}"
    return key if alert.device is None else f"{key}:{alert.device}:{int((alert.since or 0) * 1000)}"


@dataclass(frozen=True)
class ManagerAlert:
    """One line of the manager's alert list."""

    kind: str
    """long_wait, idle_counter, device_offline, device_suspect, printer_fault, reader_fault (live),
    long_pause, bad_review (today), case_overdue (open too long), writes_failing."""
    key: str
    message_zh: str
    message_en: str


@dataclass(frozen=True)
class Ack:
    by: str
    at: float


@dataclass(frozen=True)
class CounterMinutes:
    served: int
    idle: int
    paused: int


@dataclass(frozen=True)
class Supervision:
    snapshot: QueueSnapshot
    alerts: list[ManagerAlert]
    cases: list[ReviewCase]
    notice: str
    longest_wait: dict[str, int]
    """Category code → minutes the first waiting ticket has waited."""
    counters: dict[int, CounterMinutes]
    acks: dict[str, Ack]
    kiosks: list[KioskOut]
    """Each kiosk's last health report (reader, printer, paper)."""


def supervision(ctx: ServiceContext) -> Supervision:
    snap = queue.snapshot(ctx)
    with ctx.unit(write=False) as uow:
        events = uow.repo.events_of_day(snap.day)
        last_activity = uow.repo.counter_last_activity(snap.day)
        review_cases = uow.repo.cases()
        notice = uow.repo.notice()
    now = snap.at
    longest: dict[str, int] = {}
    for t in snap.waiting:
        waited = int((now - t.arrival_at) // 60)
        longest[t.category] = max(longest.get(t.category, 0), waited)
    stats = day_figures(events, ctx.hall.timezone).stats
    paused_since: dict[int, float] = {}
    paused: dict[int, float] = {}
    acks: dict[str, Ack] = {}
    for ev in events:
        if ev.kind is EventKind.PAUSED and ev.counter is not None:
            paused_since[ev.counter] = ev.at
        elif ev.kind is EventKind.RESUMED and ev.counter in paused_since:
            start = paused_since.pop(ev.counter)
            paused[ev.counter] = paused.get(ev.counter, 0.0) + ev.at - start
        elif ev.kind is EventKind.ALERT_ACKED:
            acks[str(ev.data["key"])] = Ack(ev.actor, ev.at)
    minutes: dict[int, CounterMinutes] = {}
    for c in snap.counters:
        still = now - paused_since[c.number] if c.number in paused_since else 0.0
        idle = 0.0
        if c.status == "open" and c.current is None and c.number in last_activity:
            idle = now - last_activity[c.number]
        minutes[c.number] = CounterMinutes(
            served=stats.counters[c.number].done if c.number in stats.counters else 0,
            idle=int(idle // 60),
            paused=int((paused.get(c.number, 0.0) + still) // 60),
        )
    alerts = [ManagerAlert(a.kind, alert_key(a), a.message_zh, a.message_en) for a in snap.alerts]
    limit = ctx.hall.rules.alert_pause_minutes
    alerts += [
        ManagerAlert(
            "long_pause",
            f"long_pause::{number}:{int(since)}",
            f"{number} 号窗口已暂停 {int((now - since) // 60)} 分钟",
            f"counter {number} has been paused for {int((now - since) // 60)} minutes",
        )
        for number, since in paused_since.items()
        if now - since >= limit * 60
    ]
    alerts += [
        ManagerAlert(
            "bad_review",
            f"bad_review:{ev.number}:",
            f"{ev.number} 收到差评（{ev.data.get('label', '')}），已生成差评工单",
            f"{ev.number} got a bad review; a case is open",
        )
        for ev in events
        if ev.kind is EventKind.ALERT and ev.data.get("alert") == "bad_review"
    ]
    alerts += [
        ManagerAlert(
            "case_overdue",
            f"case_overdue:{c.id}:",
            f"差评工单 {c.number} 已超过 {LIMIT_WORKING_DAYS} 个工作日未办结",
            f"the case of {c.number} is open for more than {LIMIT_WORKING_DAYS} working days",
        )
        for c in review_cases
        if c.status == "open" and overdue(c.rated_at, now, ctx.hall.timezone)
    ]
    if ctx.write_failure is not None:
        full = ctx.write_failure == "disk_full"
        alerts.insert(
            0,
            ManagerAlert(
                "writes_failing",
                f"writes_failing:{ctx.write_failure}:",
                "服务器磁盘空间不足，无法取号和叫号，请立即清理磁盘"
                if full
                else "数据库写入失败，无法取号和叫号，请检查数据库",
                "the server's disk is full: no ticket can be issued or called"
                if full
                else "database writes are failing: no ticket can be issued or called",
            ),
        )
    kiosk_health = kiosks.list_kiosks(ctx)
    return Supervision(snap, alerts, review_cases, notice, longest, minutes, acks, kiosk_health)


def acknowledge(ctx: ServiceContext, key: str, actor: str) -> None:
    """确认 an alert: who and when, as an audit event."""
    now = ctx.clock()
    with ctx.unit(write=True) as uow:
        ctx.record(uow, Event(kind=EventKind.ALERT_ACKED, at=now, actor=actor, data={"key": key}))


def set_notice(ctx: ServiceContext, text: str, actor: str) -> None:
    """The wall's notice ticker (empty hides it)."""
    text = " ".join(text.split())[:500]
    now = ctx.clock()
    with ctx.unit(write=True) as uow:
        uow.repo.set_notice(text, now)
        ctx.record(uow, Event(kind=EventKind.NOTICE_SET, at=now, actor=actor, data={"text": text}))


def figures_of(ctx: ServiceContext, day: str) -> DayFigures:
    with ctx.unit(write=False) as uow:
        return day_figures(uow.repo.events_of_day(day), ctx.hall.timezone)


def ratings_of(ctx: ServiceContext, day: str) -> list[dict[str, object]]:
    """好差评 of ``day``: when, which ticket, counter, category, level, bad or not."""
    with ctx.unit(write=False) as uow:
        events = uow.repo.events_of_day(day)
    return [
        {
            "at": ctx.local(ev.at).isoformat(timespec="seconds"),
            "number": ev.number,
            "category": ev.category,
            "counter": ev.counter,
            "level": int(ev.data["level"]),
            "bad": Rating(int(ev.data["level"])).bad,
        }
        for ev in events
        if ev.kind is EventKind.RATED
    ]
