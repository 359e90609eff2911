"""``WS /api/v1/events``: every queue change, in ``seq`` order, resumable with ``?since=``."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, FastAPI, WebSocket, WebSocketDisconnect

from caller_server.api.hub import BACKLOG_LIMIT, EventHub
from caller_server.protocol import EventOut, StreamMessage
from caller_server.runtime import Runtime
from caller_server.services import queue

log = logging.getLogger(__name__)

router = APIRouter()


async def _send(ws: WebSocket, message: StreamMessage) -> None:
    await ws.send_text(message.model_dump_json(exclude_none=True))


def _refusal(ws: WebSocket, hub: EventHub, per_address: int) -> str | None:
    """Why this connection is refused, or None.

    The stream needs no login (the wall and the status page follow it), so it is guarded by
    where it comes from: a browser page of another site may not open it (``Origin`` must be
    this server), and one address may hold only so many subscriptions.
    """
    origin = ws.headers.get("origin")
    if origin is not None and urlsplit(origin).netloc != ws.headers.get("host"):
        return f"origin {origin} is not this server"
    address = ws.client.host if ws.client else ""
    if hub.subscribers_from(address) >= per_address:
        return f"{address} already holds {per_address} subscriptions"
    return None


@router.websocket("/api/v1/events")
async def events(ws: WebSocket, since: int | None = None) -> None:
    """Sends missed events after ``since`` (or a snapshot if too old / absent), then live ones."""
    rt: Runtime = ws.app.state.runtime
    hub: EventHub = ws.app.state.hub
    refused = _refusal(ws, hub, rt.settings.ws_per_address)
    if refused is not None:
        log.warning("refused an events subscription: %s", refused)
        await ws.close(code=1008, reason=refused)
        return
    await ws.accept()
    sub = hub.subscribe(address=ws.client.host if ws.client else "")
    # Reading the socket is how a departed client (or a server shutdown) is noticed.
    listener = asyncio.create_task(_until_closed(ws))
    try:
        last = await _catch_up(ws, rt, since)
        while not listener.done():
            getter = asyncio.ensure_future(sub.queue.get())
            await asyncio.wait({getter, listener}, return_when=asyncio.FIRST_COMPLETED)
            if not getter.done():
                getter.cancel()
                break
            event = getter.result()
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
        listener.cancel()
        hub.unsubscribe(sub)


async def _until_closed(ws: WebSocket) -> None:
    """Consume what the client sends (nothing is expected) until it goes away."""
    with contextlib.suppress(WebSocketDisconnect, RuntimeError):
        while True:
            await ws.receive_text()


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


def document(app: FastAPI) -> None:
    """Describe the WebSocket in ``/openapi.json`` without pretending it is an HTTP GET.

    OpenAPI 3.1 has no WebSocket operations: the message schema goes to the components and
    the endpoint to an ``x-websockets`` extension, so a client generator or fuzzer does not
    call a ``GET`` that cannot answer as documented.
    """
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = generate()
        message = StreamMessage.model_json_schema(ref_template="#/components/schemas/{model}")
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.update(message.pop("$defs", {}))
        components["StreamMessage"] = message
        schema["x-websockets"] = {
            "/api/v1/events": {
                "summary": "Queue events (WebSocket)",
                "description": events.__doc__,
                "query": {"since": {"type": "integer", "minimum": 0}},
                "message": {"$ref": "#/components/schemas/StreamMessage"},
            }
        }
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
