"""What one client may cost the hall: request body size and time to send the headers.

A kiosk's request is a few hundred bytes; nothing legitimate sends megabytes of JSON, and a
client that opens a connection and never finishes its headers must not hold it forever.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from caller_server.api.errors import problem

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]


class BodyLimit:
    """ASGI middleware: refuse a request body over its limit with 413 problem+json.

    The declared ``Content-Length`` is checked before anything is read; a chunked body is
    counted as it arrives and cut off at the limit.
    """

    def __init__(self, app: App, default: int, larger: dict[str, int]) -> None:
        self.app = app
        self.default = default
        self.larger = larger
        """Paths allowed more (CSV imports)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.larger.get(scope["path"], self.default)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _refuse(limit, scope, receive, send)
            return
        seen = 0
        refused = False

        async def counted() -> Message:
            nonlocal seen, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    # Answer now; the application sees the client leave and gives up.
                    refused = True
                    await _refuse(limit, scope, receive, send)
                    return {"type": "http.disconnect"}
            return message

        async def unless_refused(message: Message) -> None:
            if not refused:
                await send(message)

        await self.app(scope, counted, unless_refused)


async def _refuse(limit: int, scope: Scope, receive: Receive, send: Send) -> None:
    log.warning("refused a request body over %d bytes to %s", limit, scope["path"])
    response = problem(
        413,
        "body_too_large",
        f"请求内容过大（上限 {limit // 1024} KiB）",
        f"the request body is over the limit of {limit // 1024} KiB",
    )
    await response(scope, receive, send)


def header_timeout_protocol(seconds: float) -> type[HttpToolsProtocol]:
    """uvicorn's httptools protocol, closing a connection whose headers take over ``seconds``.

    uvicorn bounds idle keep-alive connections but not a request whose headers never end
    (a slowloris client). The timer runs from the connection (or the first byte of the next
    request) to the end of the headers. Relies on uvicorn's ``HttpToolsProtocol`` callbacks;
    pyproject pins the uvicorn versions this is tested with.
    """

    class HeaderTimeoutProtocol(HttpToolsProtocol):
        _header_timer: asyncio.TimerHandle | None = None

        def _arm(self) -> None:
            self._disarm()
            self._header_timer = self.loop.call_later(seconds, self._headers_too_slow)

        def _disarm(self) -> None:
            if self._header_timer is not None:
                self._header_timer.cancel()
                self._header_timer = None

        def _headers_too_slow(self) -> None:
            self._header_timer = None
            log.warning(
                "closed a connection from %s: headers not sent within %.0f s", self.client, seconds
            )
            if not self.transport.is_closing():
                self.transport.close()

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm()

        def on_message_begin(self) -> None:
            super().on_message_begin()
            self._arm()

        def on_headers_complete(self) -> None:
            self._disarm()
            super().on_headers_complete()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

    return HeaderTimeoutProtocol
