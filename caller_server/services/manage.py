"""The manager's hand on the queue: the priority lane (绿色通道) and withdrawing a ticket.

Both act on today's ticket by its number, are audited, and answer the clerk-side view of the
ticket (no status token: the rating right stays with the citizen).
"""

from __future__ import annotations

from collections.abc import Callable

from caller_server.domain.errors import TicketNotFound
from caller_server.domain.events import EventKind
from caller_server.domain.ticket import Ticket
from caller_server.protocol import CounterTicket
from caller_server.services.context import ServiceContext, ticket_event


def _change(
    ctx: ServiceContext,
    number: str,
    actor: str,
    kind: EventKind,
    change: Callable[[Ticket, float], None],
) -> CounterTicket:
    now = ctx.clock()
    with ctx.unit(write=True) as uow:
        ticket = uow.repo.ticket_by_number(number, ctx.day(now))
        if ticket is None:
            raise TicketNotFound()
        change(ticket, now)
        uow.repo.save_ticket(ticket)
        out = CounterTicket.of(ctx.ticket_out(uow.repo, ticket, now))
        ctx.record(uow, ticket_event(kind, ticket, now, actor))
    return out


def prioritize(ctx: ServiceContext, number: str, actor: str) -> CounterTicket:
    """绿色通道: a waiting ticket is called before regular ones, as the policy explains."""
    return _change(ctx, number, actor, EventKind.PRIORITIZED, lambda t, _now: t.prioritize())


def cancel(ctx: ServiceContext, number: str, actor: str) -> CounterTicket:
    """Withdraw a waiting or called ticket."""
    return _change(ctx, number, actor, EventKind.CANCELLED, Ticket.cancel)
