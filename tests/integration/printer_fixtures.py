"""The printer side of real links for tests: a loopback TCP sink and a pty serial peer.

Both answer ``DLE EOT n`` from a reply table (a missing entry: no answer) and keep every
other byte as the print job. Each runs one thread, stopped and joined on exit.
"""

from __future__ import annotations

import os
import select
import socket
import threading
import tty
from abc import ABC, abstractmethod
from collections.abc import Mapping
from types import TracebackType

from drivers.printer.status import PrinterStatus, reply_for

POLL = 0.05


def replies_for(status: PrinterStatus) -> dict[int, bytes]:
    """What a printer in ``status`` answers to DLE EOT 1, 2 and 4."""
    return {n: reply_for(status, n) for n in (1, 2, 4)}


class PrinterPeer:
    """Printer-side protocol: status queries first, then the job."""

    def __init__(self, replies: Mapping[int, bytes]) -> None:
        self.replies = dict(replies)
        self.queries: list[int] = []
        self.job = bytearray()
        self._pending = b""

    def feed(self, data: bytes) -> bytes:
        """Take bytes from the host; return the bytes to answer."""
        self._pending += data
        answer = b""
        while not self.job and len(self._pending) >= 3 and self._pending[:2] == b"\x10\x04":
            self.queries.append(self._pending[2])
            answer += self.replies.get(self._pending[2], b"")
            self._pending = self._pending[3:]
        if self.job or not self._pending.startswith(b"\x10"):
            self.job += self._pending
            self._pending = b""
        return answer


class _Runner(ABC):
    def __init__(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @abstractmethod
    def _run(self) -> None:
        """Serve until the stop event is set."""

    @abstractmethod
    def _cleanup(self) -> None:
        """Release what the peer holds."""

    def __enter__(self) -> _Runner:
        self._thread.start()
        return self

    def __exit__(
        self, _t: type[BaseException] | None, _e: BaseException | None, _tb: TracebackType | None
    ) -> None:
        self._stop.set()
        self._thread.join(5)
        assert not self._thread.is_alive(), "printer peer thread did not stop"
        self._cleanup()


class TcpPrinterSink(_Runner):
    """A network printer on 127.0.0.1:<free port>; one :class:`PrinterPeer` per connection."""

    def __init__(self, replies: Mapping[int, bytes]) -> None:
        super().__init__()
        self.replies = replies
        self.peers: list[PrinterPeer] = []
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(POLL)
        self.port = self._server.getsockname()[1]

    @property
    def job(self) -> bytes:
        """Everything printed over all connections."""
        return b"".join(bytes(peer.job) for peer in self.peers)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(POLL)
                peer = PrinterPeer(self.replies)
                self.peers.append(peer)
                while not self._stop.is_set():
                    try:
                        data = conn.recv(65536)
                    except TimeoutError:
                        continue
                    if not data:
                        break
                    answer = peer.feed(data)
                    if answer:
                        conn.sendall(answer)

    def _cleanup(self) -> None:
        self._server.close()


class PtyPrinterPeer(_Runner):
    """A serial printer on the master side of a real pty pair; :attr:`port` is the tty path."""

    def __init__(self, replies: Mapping[int, bytes]) -> None:
        super().__init__()
        self.peer = PrinterPeer(replies)
        self._master, self._slave = os.openpty()
        tty.setraw(self._slave)
        self.port = os.ttyname(self._slave)

    def _run(self) -> None:
        while not self._stop.is_set():
            ready, _, _ = select.select([self._master], [], [], POLL)
            if not ready:
                continue
            try:
                data = os.read(self._master, 65536)
            except OSError:
                continue
            answer = self.peer.feed(data)
            if answer:
                os.write(self._master, answer)

    def _cleanup(self) -> None:
        os.close(self._master)
        os.close(self._slave)
