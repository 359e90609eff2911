"""``WS /api/v1/events``: every queue change, in ``seq`` order, resumable with ``?since=``."""

from __future__ import annotations

import logging

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from caller_server.api.hub import BACKLOG_LIMIT, EventHub
from caller_server.protocol import EventOut, StreamMessage
from caller_server.runtime import Runtime
from caller_server.services import queue

log = logging.getLogger(__name__)

router = APIRouter()


async def _send(ws: WebSocket, message: StreamMessage) -> None:
    await ws.send_text(message.model_dump_json(exclude_none=True))


@router.websocket("/api/v1/events")
async def events(ws: WebSocket, since: int | None = None) -> None:
    """Sends missed events after ``since`` (or a snapshot if too old / absent), then live ones."""
    rt: Runtime = ws.app.state.runtime
    hub: EventHub = ws.app.state.hub
    await ws.accept()
    sub = hub.subscribe()
    try:
        last = await _catch_up(ws, rt, since)
        while True:
            event = await sub.queue.get()
            if event.seq <= last:
                continue
            await _send(ws, StreamMessage(type="event", event=event))
            last = event.seq
            if sub.overflowed and sub.queue.empty():
                await ws.close(code=1013, reason="too slow; reconnect with ?since")
                return
    except WebSocketDisconnect:
        pass
    finally:
        hub.unsubscribe(sub)


async def _catch_up(ws: WebSocket, rt: Runtime, since: int | None) -> int:
    snap = await rt.read(queue.snapshot, rt.ctx)
    if since is None or since > snap.seq or snap.seq - since > BACKLOG_LIMIT:
        await _send(ws, StreamMessage(type="snapshot", snapshot=snap))
        return snap.seq
    last = since
    while last < snap.seq:
        missed: list[EventOut] = await rt.read(queue.events_since, rt.ctx, last, 500)
        if not missed:
            break
        for event in missed:
            await _send(ws, StreamMessage(type="event", event=event))
            last = event.seq
    return last
