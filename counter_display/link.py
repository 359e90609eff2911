"""The push connection: a device-initiated WebSocket to the paired server, on a worker thread.

Connect (TLS certificate pinned, or plain HTTP with ``--insecure``), answer the challenge
with a signature of the pinned key, then receive sequenced messages and acknowledge each
one, sending a heartbeat every :data:`HEARTBEAT` seconds. A gap in the sequence, a silent
server or a dropped socket means reconnect (with backoff) — and a reconnect starts with a
fresh snapshot. Plain events go to ``on_message`` / ``on_status`` on this thread; the Qt
bridge re-emits them on the GUI thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
import threading
import time
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

from caller_server.protocol import DeviceDown, DeviceUp, fingerprint, push_challenge_text
from counter_display.errors import DisplayError, ServerRefused, WrongServer
from counter_display.identity import Identity, PairedServer

log = logging.getLogger(__name__)

HEARTBEAT = 2.0
"""Seconds between pings; the server marks a device offline after 10 s of silence."""
SERVER_SILENCE = 6.0
"""Reconnect when nothing arrived from the server for this long."""
BACKOFF = (0.2, 0.5, 1.0, 2.0, 3.0)
PAIRING_GRACE = 5.0
"""Seconds after start during which a refusal is retried: right after pairing, the device
may connect before the server has finished pinning its key."""
CLOSE_REFUSED = 4403


def _ws_url(http_url: str) -> str:
    base = http_url.rstrip("/")
    scheme, rest = base.split("://", 1)
    return f"{'wss' if scheme == 'https' else 'ws'}://{rest}/api/v1/devices/push"


def _tls_context() -> ssl.SSLContext:
    """No CA: the certificate is checked against the fingerprint pinned at pairing."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def _check_pin(ws: ClientConnection, server: PairedServer) -> None:
    ssl_object: Any = ws.transport.get_extra_info("ssl_object")
    der = ssl_object.getpeercert(binary_form=True) if ssl_object else None
    if der is None or fingerprint(der) != server.fp:
        raise WrongServer(
            f"server {server.url} presents a certificate other than the one pinned at pairing"
        )


class PushLink:
    """Keeps one connection to the paired server until :meth:`close`."""

    def __init__(
        self,
        identity: Identity,
        insecure: bool,
        on_message: Callable[[DeviceDown], None],
        on_status: Callable[[str], None],
        on_refused: Callable[[], None],
    ) -> None:
        self.identity = identity
        self.insecure = insecure
        self._on_message = on_message
        self._on_status = on_status
        self._on_refused = on_refused
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name="yihao-device-link", daemon=True)
        self._stop: asyncio.Event | None = None
        self._ws: ClientConnection | None = None
        self._started = time.monotonic()

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        if self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)

    def send_rating(self, number: str, level: int) -> None:
        """Send a citizen's 好差评 (thread-safe); the answer arrives as a ``rated`` message."""
        self._send_threadsafe(DeviceUp(type="rating", number=number, level=level))

    def _send_threadsafe(self, up: DeviceUp) -> None:
        async def send() -> None:
            if self._ws is not None:
                with contextlib.suppress(ConnectionClosed):
                    await self._ws.send(up.model_dump_json(exclude_none=True))

        asyncio.run_coroutine_threadsafe(send(), self._loop)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._main())
        self._loop.close()

    async def _main(self) -> None:
        self._stop = asyncio.Event()
        attempt = 0
        while not self._stop.is_set():
            server = self.identity.server
            if server is None:
                return
            try:
                await self._session(server)
                attempt = 0
            except ServerRefused as exc:
                if time.monotonic() - self._started < PAIRING_GRACE:
                    log.info("refused right after start; retrying: %s", exc)
                    self._on_status("offline")
                    await asyncio.sleep(0.5)
                    continue
                log.warning("%s", exc)
                self._on_status("refused")
                self._on_refused()
                return
            except WrongServer as exc:
                log.error("%s", exc)
                self._on_status("wrong_server")
                attempt = len(BACKOFF)
            except (DisplayError, OSError, ConnectionClosed, InvalidHandshake, TimeoutError) as exc:
                log.info("push connection to %s lost: %s", server.url, exc)
                self._on_status("offline")
            delay = BACKOFF[min(attempt, len(BACKOFF) - 1)]
            attempt += 1
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), delay)

    async def _session(self, server: PairedServer) -> None:
        url = _ws_url(server.url)
        if url.startswith("ws://") and not self.insecure:
            raise WrongServer(f"refusing plain-HTTP server {server.url} (start with --insecure)")
        tls = _tls_context() if url.startswith("wss://") else None
        try:
            ws = await asyncio.wait_for(connect(url, ssl=tls, max_size=2**22, compression=None), 10)
        except InvalidStatus as exc:
            raise DisplayError(f"HTTP {exc.response.status_code}") from exc
        async with ws:
            if tls is not None:
                _check_pin(ws, server)
            await self._authenticate(ws, server)
            self._ws = ws
            try:
                await self._receive(ws)
            finally:
                self._ws = None

    async def _authenticate(self, ws: ClientConnection, server: PairedServer) -> None:
        challenge = DeviceDown.model_validate_json(await asyncio.wait_for(ws.recv(), 10))
        if challenge.type != "challenge" or not challenge.nonce:
            raise DisplayError("server did not send a challenge")
        if challenge.server_id != server.id:
            raise WrongServer(f"server answers as {challenge.server_id}, paired with {server.id}")
        text = push_challenge_text(server.id, self.identity.id, challenge.nonce)
        auth = DeviceUp(type="auth", id=self.identity.id, signature=self.identity.sign(text))
        await ws.send(auth.model_dump_json(exclude_none=True))

    async def _receive(self, ws: ClientConnection) -> None:
        assert self._stop is not None
        expected = 1
        beat = asyncio.create_task(self._heartbeat(ws))
        try:
            while not self._stop.is_set():
                try:
                    raw = await asyncio.wait_for(ws.recv(), SERVER_SILENCE)
                except ConnectionClosed as exc:
                    if exc.rcvd is not None and exc.rcvd.code == CLOSE_REFUSED:
                        raise ServerRefused("the server refused this device: not paired") from exc
                    raise
                try:
                    message = DeviceDown.model_validate_json(raw)
                except ValidationError as exc:
                    raise DisplayError(f"malformed message: {exc}") from exc
                if message.type == "pong":
                    continue
                if message.seq != expected:
                    raise DisplayError(f"sequence gap: got {message.seq}, expected {expected}")
                if expected == 1:
                    log.info("push connection open to %s", self.identity.server)
                    self._on_status("online")
                expected += 1
                await ws.send(DeviceUp(type="ack", seq=message.seq).model_dump_json())
                self._on_message(message)
        finally:
            beat.cancel()

    async def _heartbeat(self, ws: ClientConnection) -> None:
        with contextlib.suppress(ConnectionClosed):
            while True:
                await ws.send(DeviceUp(type="ping").model_dump_json(exclude_none=True))
                await asyncio.sleep(HEARTBEAT)
