"""Clerk-side use cases at one counter: call next, recall, no-show, start, finish, transfer …"""

from __future__ import annotations

import logging
from collections.abc import Callable

from caller_server.domain.errors import (
    CounterNotOpen,
    NoCurrentTicket,
    UnknownCategory,
    UnknownCounter,
)
from caller_server.domain.events import Event, EventKind
from caller_server.domain.hall import Counter
from caller_server.domain.policy import Candidate, choose_next
from caller_server.domain.ticket import Ticket
from caller_server.protocol import CallOut
from caller_server.services.context import COUNTER_OPEN, ServiceContext, ticket_event
from caller_server.store.repository import UnitOfWork

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
        heads = {t.id: t for t in repo.queue_heads(counter, day, now)}
        weighted = counter.categories[0].weight is not None
        served = repo.served_counts(number, day) if weighted else {}
        choice = choose_next(counter, [Candidate.of(t) for t in heads.values()], served, now)
        if choice is None:
            ctx.record(uow, *events)
            return CallOut(
                counter=number, ticket=None, finished=finished.number if finished else None
            )
        ticket = heads[choice.ticket_id]
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
            ticket=ctx.ticket_out(repo, ticket, now),
            rule=choice.rule,
            reason_zh=choice.reason_zh,
            reason_en=choice.reason_en,
            finished=finished.number if finished else None,
        )
        ctx.record(uow, *events)
    log.info("counter %s called %s (%s)", number, ticket.number, choice.rule)
    return out


def _act_on_current(
    ctx: ServiceContext,
    number: int,
    actor: str,
    kind: EventKind,
    change: Callable[[Ticket, float], None],
) -> CallOut:
    _counter(ctx, number)
    now = ctx.clock()
    with ctx.unit(write=True) as uow:
        ticket = uow.repo.counter_ticket(number, ctx.day(now))
        if ticket is None:
            raise NoCurrentTicket(number)
        change(ticket, now)
        uow.repo.save_ticket(ticket)
        event = ticket_event(kind, ticket, now, actor, number, call_count=ticket.call_count)
        out = CallOut(counter=number, ticket=ctx.ticket_out(uow.repo, ticket, now))
        ctx.record(uow, event)
    return out


def recall(ctx: ServiceContext, number: int, actor: str) -> CallOut:
    return _act_on_current(ctx, number, actor, EventKind.RECALLED, Ticket.recall)


def skip(ctx: ServiceContext, number: int, actor: str) -> CallOut:
    """过号: the called citizen did not come."""
    return _act_on_current(ctx, number, actor, EventKind.NO_SHOW, Ticket.skip)


def start(ctx: ServiceContext, number: int, actor: str) -> CallOut:
    return _act_on_current(ctx, number, actor, EventKind.STARTED, Ticket.start)


def finish(ctx: ServiceContext, number: int, actor: str) -> CallOut:
    return _act_on_current(ctx, number, actor, EventKind.FINISHED, Ticket.finish)


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


def _set_status(ctx: ServiceContext, number: int, actor: str, status: str) -> CallOut:
    _counter(ctx, number)
    now = ctx.clock()
    kind = EventKind.PAUSED if status == PAUSED else EventKind.RESUMED
    with ctx.unit(write=True) as uow:
        if uow.repo.counter_statuses().get(number, COUNTER_OPEN) == status:
            return CallOut(counter=number, ticket=None)  # already so: nothing to record
        uow.repo.set_counter_status(number, status, now)
        ctx.record(uow, Event(kind=kind, at=now, actor=actor, counter=number))
    return CallOut(counter=number, ticket=None)


def pause(ctx: ServiceContext, number: int, actor: str) -> CallOut:
    return _set_status(ctx, number, actor, PAUSED)


def resume(ctx: ServiceContext, number: int, actor: str) -> CallOut:
    return _set_status(ctx, number, actor, COUNTER_OPEN)
