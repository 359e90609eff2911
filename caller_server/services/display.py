"""What output devices draw besides the live snapshot: the last calls and the wall's notice."""

from __future__ import annotations

from caller_server.domain.events import Event, EventKind
from caller_server.protocol import DisplayState, EventOut
from caller_server.services.context import ServiceContext
from caller_server.services.queue import category_queues, counter_states, event_out

RECENT_CALLS = 8
"""How many of the day's last calls the wall lists."""
CALL_KINDS = frozenset({EventKind.CALLED.value, EventKind.RECALLED.value})


def display_history(ctx: ServiceContext) -> tuple[list[EventOut], str]:
    """The day's last calls (newest first) and the notice the manager set, for a fresh pusher."""
    with ctx.unit(write=False) as uow:
        day_events = uow.repo.events_of_day(ctx.day(ctx.clock()))
    calls = [event_out(e) for e in day_events if e.kind.value in CALL_KINDS]
    notices = [e for e in day_events if e.kind is EventKind.NOTICE]
    notice = str(notices[-1].data.get("text", "")) if notices else ""
    return calls[::-1][:RECENT_CALLS], notice


def board(ctx: ServiceContext, recent: list[EventOut], notice: str) -> DisplayState:
    """What devices draw, as of one event ``seq``: the counters and the queue lengths.

    Read on every pushed batch, so the waiting tickets are counted in the store, never
    loaded (a hall with a thousand waiting reads in about a millisecond, not tens).
    """
    now = ctx.clock()
    day = ctx.day(now)
    with ctx.unit(write=False) as uow:
        repo = uow.repo
        seq = repo.last_seq()
        at_counter = {t.counter: t for t in repo.called_tickets(day) if t.counter is not None}
        categories = category_queues(ctx, repo, day, now, repo.waiting_counts(day))
        counters = counter_states(ctx, repo, day, repo.counter_statuses(), at_counter)
    return DisplayState(
        seq=seq,
        day=day,
        hall=ctx.hall.names.zh_cn,
        categories=categories,
        counters=counters,
        recent=recent,
        notice=notice,
        hall_tw=ctx.hall.names.zh_tw,
        hall_en=ctx.hall.names.en,
    )


def set_notice(ctx: ServiceContext, text: str, actor: str) -> None:
    """The wall's ticker (公告), as an audit event every server process follows."""
    with ctx.unit(write=True) as uow:
        event = Event(kind=EventKind.NOTICE, at=ctx.clock(), actor=actor, data={"text": text})
        ctx.record(uow, event)
