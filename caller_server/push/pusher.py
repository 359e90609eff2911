"""Push to paired output devices: one authenticated WebSocket per device, sequenced and acked.

The pusher follows the :class:`~caller_server.api.hub.EventHub` (itself following the audit
table, so a call made through another ``yihao serve`` process reaches devices connected
here). For each batch of events it reads one display state (counted in the store: about a
millisecond), encodes one ``update`` for every device and writes it straight to each
device that keeps up; a device that lags gets its frames through its own outbox and
writer, so it delays only itself. Messages carry a per-connection ``seq`` starting at 1
with the snapshot; the device acknowledges each one. A device that stops acknowledging or
stops its heartbeats is dropped, and gets a fresh snapshot when it reconnects.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from dataclasses import dataclass, field

from fastapi import WebSocket, WebSocketDisconnect

from caller_server.api.hub import EventHub, Subscriber
from caller_server.protocol import DeviceDown, DisplayState, EventOut
from caller_server.runtime import Runtime
from caller_server.services import devices, display
from caller_server.store.repository import DeviceRecord

log = logging.getLogger(__name__)

HEARTBEAT_FLUSH = 2.0
"""Seconds between writes of the connected devices' ``last_seen``."""
MAX_UNACKED = 256
"""A device further behind than this many messages is dropped (it reconnects: snapshot)."""
ACK_TIMEOUT = 10.0
"""A message unacknowledged for this long drops the connection."""
KEEPING_UP = 4
"""Unacknowledged messages (the one being sent included) up to which a device is sent to
directly: a few small frames cannot fill the socket buffers, so the send never waits."""


@dataclass
class PushStats:
    """What the demo and the benchmark report."""

    messages: int = 0
    acks: int = 0
    calls: int = 0
    call_to_ack_ms: list[float] = field(default_factory=list)


def encode(message: DeviceDown) -> str:
    """JSON of ``message`` without ``seq`` and ``sent_at``: one encoding for every device."""
    return message.model_dump_json(exclude_none=True, exclude={"seq", "sent_at"})


def _ends_link(event: EventOut, record: DeviceRecord) -> bool:
    """Unpaired, or paired again with another key: the connection's key is no longer pinned."""
    if event.kind == "device_unpaired":
        return True
    return event.kind == "device_paired" and event.data.get("key_fp") != record.key_fp


class DeviceLink:
    """One connected, authenticated device.

    A frame goes out at once from the publisher while the device keeps up (nothing queued,
    nothing being written, at most :data:`KEEPING_UP` unacknowledged): sending then never
    waits, and costs no task switch. Otherwise it waits in ``outbox`` for this link's own
    writer task, so a slow device delays only itself.
    """

    def __init__(self, record: DeviceRecord, ws: WebSocket) -> None:
        self.record = record
        self.ws = ws
        self.seq = 0
        self.outbox: deque[str | None] = deque()
        """JSON text frames for the writer task; None closes the connection."""
        self.writing = False
        """The writer task holds a frame it has not finished sending."""
        self._ready = asyncio.Event()
        self.unacked: dict[int, tuple[float, float | None]] = {}
        """seq → (monotonic send time, wall time of the newest call it carries)."""
        self.last_heard = time.monotonic()
        self.last_seen = time.time()

    def stamp(self, body: str, call_at: float | None = None) -> str:
        """The frame of a message encoded once by :func:`encode`, with this link's ``seq``."""
        self.seq += 1
        self.unacked[self.seq] = (time.monotonic(), call_at)
        return f'{{"seq":{self.seq},"sent_at":{time.time():.6f},{body[1:]}'

    def push(self, body: str, call_at: float | None = None) -> None:
        """Queue a message for the writer task."""
        self.queue(self.stamp(body, call_at))

    def queue(self, frame: str | None) -> None:
        self.outbox.append(frame)
        self._ready.set()

    async def next_frame(self) -> str | None:
        while not self.outbox:
            self._ready.clear()
            await self._ready.wait()
        return self.outbox.popleft()

    def keeping_up(self) -> bool:
        return not self.outbox and not self.writing and len(self.unacked) <= KEEPING_UP

    def heard(self) -> None:
        self.last_heard = time.monotonic()
        self.last_seen = time.time()

    def stale(self, now: float) -> str | None:
        if now - self.last_heard > devices.ONLINE_WINDOW:
            return "no heartbeat"
        if len(self.unacked) > MAX_UNACKED:
            return "too many unacknowledged messages"
        oldest = min((sent for sent, _ in self.unacked.values()), default=now)
        return "acknowledgement overdue" if now - oldest > ACK_TIMEOUT else None

    def close(self) -> None:
        self.queue(None)


class Pusher:
    def __init__(self, rt: Runtime, hub: EventHub) -> None:
        self._rt = rt
        self._hub = hub
        self.links: dict[str, DeviceLink] = {}
        self.stats = PushStats()
        self._state: DisplayState | None = None
        self._recent: deque[EventOut] = deque(maxlen=display.RECENT_CALLS)
        self._notice = ""
        self._sub: Subscriber | None = None
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        recent, self._notice = await self._rt.read(display.display_history, self._rt.ctx)
        self._recent.extend(recent)
        self._sub = self._hub.subscribe(100_000)
        self._state = await self._read_state()
        self._tasks = [
            asyncio.create_task(self._follow(), name="yihao-pusher"),
            asyncio.create_task(self._watch(), name="yihao-pusher-watchdog"),
        ]

    async def stop(self) -> None:
        for link in list(self.links.values()):
            link.close()
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._sub is not None:
            self._hub.unsubscribe(self._sub)

    async def _read_state(self) -> DisplayState:
        return await self._rt.read(display.board, self._rt.ctx, list(self._recent), self._notice)

    def attach(self, record: DeviceRecord, ws: WebSocket) -> DeviceLink:
        """Register a freshly authenticated connection and queue its snapshot (seq 1)."""
        old = self.links.pop(record.id, None)
        if old is not None:
            old.close()
        link = DeviceLink(record, ws)
        self.links[record.id] = link
        snapshot = DeviceDown(type="snapshot", device=devices.device_out(record), state=self._state)
        link.push(encode(snapshot))
        return link

    def detach(self, link: DeviceLink) -> None:
        if self.links.get(link.record.id) is link:
            del self.links[link.record.id]

    def acked(self, link: DeviceLink, seq: int) -> None:
        sent = link.unacked.pop(seq, None)
        if sent is None:
            return
        self.stats.acks += 1
        if sent[1] is not None:
            self.stats.call_to_ack_ms.append((time.time() - sent[1]) * 1000)

    async def _follow(self) -> None:
        while True:
            assert self._sub is not None
            batch = [await self._sub.queue.get()]
            while not self._sub.queue.empty():
                batch.append(self._sub.queue.get_nowait())
            if self._sub.overflowed:  # the hub dropped us: start over with fresh snapshots
                log.warning("pusher fell behind the event hub; devices reconnect for snapshots")
                self._sub = self._hub.subscribe(100_000)
                for link in list(self.links.values()):
                    link.close()
            try:
                await self._publish(batch)
            except Exception:  # the database may be briefly unreachable; keep pushing
                log.exception("could not push %d events", len(batch))
                await asyncio.sleep(1)

    async def _publish(self, batch: list[EventOut]) -> None:
        for event in batch:
            if event.kind in display.CALL_KINDS:
                self._recent.appendleft(event)
            elif event.kind == "notice":
                self._notice = str(event.data.get("text", ""))
        state = await self._read_state()
        self._state = state
        calls = [e.at for e in batch if e.kind in display.CALL_KINDS]
        message = encode(DeviceDown(type="update", state=state, events=batch))
        for event in batch:
            link = self.links.get(str(event.data.get("device", "")))
            if link is not None and _ends_link(event, link.record):
                link.close()
        call_at = max(calls) if calls else None
        for link in list(self.links.values()):
            frame = link.stamp(message, call_at)
            self.stats.messages += 1
            if not link.keeping_up():
                link.queue(frame)
                continue
            try:
                await link.ws.send_text(frame)
            except (WebSocketDisconnect, RuntimeError, OSError):
                link.close()  # gone mid-send; its reader ends the connection
        self.stats.calls += len(calls)

    async def _watch(self) -> None:
        """Drop silent or lagging devices; write who was heard and who fell silent (an audited
        alert, recorded once across server processes), every few seconds."""
        while True:
            await asyncio.sleep(HEARTBEAT_FLUSH)
            now = time.monotonic()
            for link in list(self.links.values()):
                reason = link.stale(now)
                if reason:
                    log.warning("dropping device %s: %s", link.record.id, reason)
                    link.close()
            heard = {i: link.last_seen for i, link in self.links.items()}
            try:
                if heard:
                    await self._rt.write(devices.touch, self._rt.ctx, heard)
                if found := await self._rt.read(devices.silent, self._rt.ctx):
                    ctx = self._rt.ctx
                    for device_id in await self._rt.write(devices.record_offline, ctx, found):
                        log.warning("device %s is offline (no heartbeat for 10 s)", device_id)
            except Exception:
                log.exception("could not record device heartbeats")
