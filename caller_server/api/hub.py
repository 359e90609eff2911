"""Fan-out of committed events to WebSocket subscribers.

The hub follows the audit table, not in-process callbacks, so a client connected
to one ``yihao serve`` process sees changes committed by another. A local commit
wakes the hub at once; otherwise it polls every ``poll_interval`` seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from caller_server.protocol import EventOut
from caller_server.runtime import Runtime
from caller_server.services import queue
from caller_server.store.engine import describe

log = logging.getLogger(__name__)

BACKLOG_LIMIT = 1000
"""A client further behind than this gets a snapshot instead of the missed events."""


class Subscriber:
    def __init__(self, size: int, address: str) -> None:
        self.queue: asyncio.Queue[EventOut] = asyncio.Queue(size)
        self.overflowed = False
        self.address = address
        """The client's IP address ("" for in-process subscribers)."""


class EventHub:
    def __init__(self, runtime: Runtime, poll_interval: float = 0.25) -> None:
        self._runtime = runtime
        self._poll = poll_interval
        self._wake = asyncio.Event()
        self._subscribers: set[Subscriber] = set()
        self._task: asyncio.Task[None] | None = None
        self.last_seq = 0
        self.hooks: list[Callable[[EventOut], None]] = []
        """Told of every event as it is followed (on the event loop)."""

    async def start(self) -> None:
        ctx = self._runtime.ctx
        self.last_seq = (await self._runtime.read(queue.snapshot, ctx)).seq
        loop = asyncio.get_running_loop()

        def committed() -> None:
            loop.call_soon_threadsafe(self._wake.set)

        self._runtime.listeners.append(committed)
        self._task = asyncio.create_task(self._follow(), name="yihao-event-hub")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def subscribe(self, size: int = BACKLOG_LIMIT, address: str = "") -> Subscriber:
        sub = Subscriber(size, address)
        self._subscribers.add(sub)
        return sub

    def subscribers_from(self, address: str) -> int:
        return sum(1 for sub in self._subscribers if sub.address == address)

    def unsubscribe(self, sub: Subscriber) -> None:
        self._subscribers.discard(sub)

    async def _follow(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._poll)
            self._wake.clear()
            try:
                await self._drain()
            except Exception as exc:  # the database may be briefly unreachable; keep following
                log.error("event hub could not read new events: %s", describe(exc))
                await asyncio.sleep(1)

    async def _drain(self) -> None:
        while True:
            batch = await self._runtime.read(
                queue.events_since, self._runtime.ctx, self.last_seq, 500
            )
            for event in batch:
                self.last_seq = event.seq
                for hook in self.hooks:
                    hook(event)
                for sub in list(self._subscribers):
                    try:
                        sub.queue.put_nowait(event)
                    except asyncio.QueueFull:
                        sub.overflowed = True
                        self._subscribers.discard(sub)
            if len(batch) < 500:
                return
