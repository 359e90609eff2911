"""What output devices draw besides the live snapshot: the last calls and the wall's notice."""

from __future__ import annotations

from caller_server.domain.events import Event, EventKind
from caller_server.protocol import EventOut
from caller_server.services.context import ServiceContext
from caller_server.services.queue import event_out

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


def set_notice(ctx: ServiceContext, text: str, actor: str) -> None:
    """The wall's ticker (公告), as an audit event every server process follows."""
    with ctx.unit(write=True) as uow:
        event = Event(kind=EventKind.NOTICE, at=ctx.clock(), actor=actor, data={"text": text})
        ctx.record(uow, event)
