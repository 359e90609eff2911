"""Clerk-side use cases at one counter: call next, recall, no-show, start, finish, transfer …"""

from __future__ import annotations

import logging
from collections.abc import Callable

from caller_server.domain.errors import (
    CounterNotOpen,
    CounterStateChanged,
    IllegalTransition,
    NoCurrentTicket,
    NotCallable,
    UnknownCategory,
    UnknownCounter,
    UnknownMatter,
)
from caller_server.domain.events import Event, EventKind
from caller_server.domain.hall import Counter
from caller_server.domain.outcome import Outcome
from caller_server.domain.policy import Candidate, Choice, choose_next, serves
from caller_server.domain.ticket import Status, Ticket
from caller_server.protocol import CallOut, CounterTicket
from caller_server.services.context import COUNTER_OPEN, ServiceContext, ticket_event
from caller_server.store.repository import Repository, UnitOfWork
from caller_server.zhtw import traditional

log = logging.getLogger(__name__)

PAUSED = "paused"


def _counter(ctx: ServiceContext, number: int) -> Counter:
    counter = ctx.hall.counters.get(number)
    if counter is None:
        raise UnknownCounter(number)
    return counter


def _require_open(uow: UnitOfWork, counter: int) -> None:
    status = uow.repo.counter_statuses().get(counter, COUNTER_OPEN)
    if status != COUNTER_OPEN:
        raise CounterNotOpen(counter, status)


def call_next(ctx: ServiceContext, number: int, actor: str) -> CallOut:
    """Close the counter's current ticket, then call the next one by the policy."""
    counter = _counter(ctx, number)

    def pick(repo: Repository, day: str, now: float) -> tuple[Ticket, Choice] | None:
        heads = {t.id: t for t in repo.queue_heads(counter, day, now)}
        weighted = counter.categories[0].weight is not None
        served = repo.served_counts(number, day) if weighted else {}
        choice = choose_next(counter, [Candidate.of(t) for t in heads.values()], served, now)
        return None if choice is None else (heads[choice.ticket_id], choice)

    return _call(ctx, number, actor, pick)


def call_number(ctx: ServiceContext, number: int, ticket_number: str, actor: str) -> CallOut:
    """特呼: close the current ticket and call ``ticket_number`` out of turn."""
    counter = _counter(ctx, number)

    def pick(repo: Repository, day: str, now: float) -> tuple[Ticket, Choice]:
        ticket = repo.ticket_by_number(ticket_number, day)
        if ticket is None:
            raise NotCallable(ticket_number, f"今天没有 {ticket_number} 号", "no such number today")
        if ticket.status is not Status.WAITING:
            raise IllegalTransition(ticket.number, ticket.status.value, "call")
        if not serves(counter, Candidate.of(ticket)):
            raise NotCallable(
                ticket_number,
                f"{ticket_number} 不属于 {number} 号窗口的业务",
                f"counter {number} does not serve {ticket_number}",
            )
        why = ("特呼：窗口直接呼叫", "called out of turn at the counter")
        return ticket, Choice(ticket.id, ticket.number, "special", *why)

    return _call(ctx, number, actor, pick)


_Pick = Callable[[Repository, str, float], "tuple[Ticket, Choice] | None"]


def _call(ctx: ServiceContext, number: int, actor: str, pick: _Pick) -> CallOut:
    now = ctx.clock()
    day = ctx.day(now)
    with ctx.unit(write=True) as uow:
        repo = uow.repo
        _require_open(uow, number)
        events: list[Event] = []
        finished = repo.counter_ticket(number, day)
        if finished is not None:
            finished.finish(now)
            repo.save_ticket(finished)
            events.append(ticket_event(EventKind.FINISHED, finished, now, actor))
        picked = pick(repo, day, now)
        if picked is None:
            ctx.record(uow, *events)
            return CallOut(
                counter=number, ticket=None, finished=finished.number if finished else None
            )
        ticket, choice = picked
        ticket.call(number, now)
        repo.save_ticket(ticket)
        events.append(
            ticket_event(
                EventKind.CALLED,
                ticket,
                now,
                actor,
                call_count=1,
                rule=choice.rule,
                reason_zh=choice.reason_zh,
            )
        )
        out = CallOut(
            counter=number,
            ticket=CounterTicket.of(ctx.ticket_out(repo, ticket, now)),
            rule=choice.rule,
            reason_zh=choice.reason_zh,
            reason_tw=traditional(choice.reason_zh),
            reason_en=choice.reason_en,
            finished=finished.number if finished else None,
        )
        ctx.record(uow, *events)
    log.info("counter %s called %s (%s)", number, ticket.number, choice.rule)
    return out


def guarded(
    ctx: ServiceContext,
    number: int,
    expect: str | None,
    action: Callable[..., CallOut],
    *args: object,
) -> CallOut:
    """Run ``action`` only if the counter's current number is still ``expect`` ("" = none).

    Run as one writer job, the check and the action share the hall lock: two
    browsers on one counter, or a double click, cannot call twice.
    """
    if expect is not None:
        now = ctx.clock()
        with ctx.unit(write=True) as uow:
            current = uow.repo.counter_ticket(number, ctx.day(now))
        actual = current.number if current else ""
        if actual != expect:
            raise CounterStateChanged(number, expect, actual)
    return action(ctx, number, *args)


def _act_on_current(
    ctx: ServiceContext,
    number: int,
    actor: str,
    kind: EventKind,
    change: Callable[[Ticket, float], None],
    data: dict[str, object] | None = None,
) -> CallOut:
    """``change`` may add to ``data``, the event's extra fields."""
    _counter(ctx, number)
    now = ctx.clock()
    with ctx.unit(write=True) as uow:
        ticket = uow.repo.counter_ticket(number, ctx.day(now))
        if ticket is None:
            raise NoCurrentTicket(number)
        change(ticket, now)
        uow.repo.save_ticket(ticket)
        event = ticket_event(
            kind, ticket, now, actor, number, call_count=ticket.call_count, **(data or {})
        )
        out = CallOut(
            counter=number, ticket=CounterTicket.of(ctx.ticket_out(uow.repo, ticket, now))
        )
        ctx.record(uow, event)
    return out


def recall(ctx: ServiceContext, number: int, actor: str) -> CallOut:
    return _act_on_current(ctx, number, actor, EventKind.RECALLED, Ticket.recall)


def skip(ctx: ServiceContext, number: int, actor: str) -> CallOut:
    """过号: the called citizen did not come."""
    return _act_on_current(ctx, number, actor, EventKind.NO_SHOW, Ticket.skip)


def start(ctx: ServiceContext, number: int, actor: str) -> CallOut:
    return _act_on_current(ctx, number, actor, EventKind.STARTED, Ticket.start)


def finish(
    ctx: ServiceContext,
    number: int,
    actor: str,
    outcome: Outcome = Outcome.DONE,
    matter: str | None = None,
) -> CallOut:
    """办结, with the outcome and optionally the matter (事项) of the category's list."""
    data: dict[str, object] = {"outcome": Outcome(outcome).value}

    def close(ticket: Ticket, now: float) -> None:
        if matter:
            known = {m.names.zh_cn: m for m in ctx.hall.categories[ticket.category].matters}
            if matter not in known:
                raise UnknownMatter(ticket.category, matter)
            data.update(matter=matter, once=known[matter].once)
        ticket.finish(now)

    return _act_on_current(ctx, number, actor, EventKind.FINISHED, close, data)


def transfer(
    ctx: ServiceContext, number: int, category: str, to_counter: int | None, actor: str
) -> CallOut:
    """转办: send the current ticket to another category (or one counter), keeping its place."""
    if category not in ctx.hall.categories:
        raise UnknownCategory(category)
    if to_counter is not None:
        _counter(ctx, to_counter)

    def move(ticket: Ticket, now: float) -> None:
        ticket.transfer(category, to_counter, now)

    return _act_on_current(ctx, number, actor, EventKind.TRANSFERRED, move)


def _set_status(
    ctx: ServiceContext, number: int, actor: str, status: str, **data: object
) -> CallOut:
    _counter(ctx, number)
    now = ctx.clock()
    kind = EventKind.PAUSED if status == PAUSED else EventKind.RESUMED
    with ctx.unit(write=True) as uow:
        if uow.repo.counter_statuses().get(number, COUNTER_OPEN) == status:
            return CallOut(counter=number, ticket=None)  # already so: nothing to record
        uow.repo.set_counter_status(number, status, now)
        ctx.record(uow, Event(kind=kind, at=now, actor=actor, counter=number, data=data))
    return CallOut(counter=number, ticket=None)


def pause(ctx: ServiceContext, number: int, actor: str, reason: str = "other") -> CallOut:
    """暂停服务 with a reason (lunch, meeting, fault, other)."""
    return _set_status(ctx, number, actor, PAUSED, reason=reason)


def resume(ctx: ServiceContext, number: int, actor: str) -> CallOut:
    return _set_status(ctx, number, actor, COUNTER_OPEN)
