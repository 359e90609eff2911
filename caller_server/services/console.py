"""The clerk console's view of one counter: current ticket, look-ahead with reasons, counts."""

from __future__ import annotations

from collections import Counter as Tally
from typing import Literal, cast

from caller_server.domain.errors import UnknownCounter
from caller_server.domain.policy import Candidate, choose_next
from caller_server.domain.ticket import Status
from caller_server.protocol import ConsoleOut, CounterTicket, QueuedTicket
from caller_server.services.context import COUNTER_OPEN, ServiceContext
from caller_server.zhtw import traditional

LOOK_AHEAD = 5


def console(ctx: ServiceContext, number: int) -> ConsoleOut:
    counter = ctx.hall.counters.get(number)
    if counter is None:
        raise UnknownCounter(number)
    now = ctx.clock()
    day = ctx.day(now)
    with ctx.unit(write=False) as uow:
        repo = uow.repo
        seq = repo.last_seq()
        status = repo.counter_statuses().get(number, COUNTER_OPEN)
        current = repo.counter_ticket(number, day)
        current_out = ctx.ticket_out(repo, current, now) if current else None
        waiting = [t for t in repo.active_tickets(day) if t.status is Status.WAITING]
        served = Tally(repo.served_counts(number, day))
    called_today = sum(served.values())
    pool = [Candidate.of(t) for t in waiting]
    callable_here = [c for c in pool if choose_next(counter, [c], {}, now)]
    ahead: list[QueuedTicket] = []
    while pool and len(ahead) < LOOK_AHEAD:
        choice = choose_next(counter, pool, served, now)
        if choice is None:
            break
        picked = next(c for c in pool if c.ticket_id == choice.ticket_id)
        pool.remove(picked)
        served[picked.category] += 1
        ahead.append(
            QueuedTicket(
                number=picked.number,
                category=picked.category,
                priority=picked.priority.value if picked.priority else None,
                waited_minutes=int((now - picked.arrival_at) // 60),
                reason_zh=choice.reason_zh,
                reason_tw=traditional(choice.reason_zh),
                reason_en=choice.reason_en,
            )
        )
    waited = None
    if current is not None:
        waited = int(((current.called_at or now) - current.issued_at) // 60)
    return ConsoleOut(
        counter=number,
        name=counter.name,
        status=cast(Literal["open", "paused", "closed"], status),
        current=CounterTicket.of(current_out) if current_out else None,
        waited_minutes=waited,
        next=ahead,
        waiting=len(callable_here),
        called_today=called_today,
        seq=seq,
    )
