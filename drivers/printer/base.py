"""The printer base class: builds the bytes, asks the status, hands bytes to a transport.

Like python-escpos, one base class does all the work; a transport only implements
:meth:`TicketPrinter._write` (and :meth:`TicketPrinter._read` when it can read status),
plus :meth:`TicketPrinter._open` / :meth:`TicketPrinter._close` around each operation:
no connection is held between tickets, so a printer that was power-cycled just works.
"""

from __future__ import annotations

import logging
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, ClassVar

from drivers.printer.config import PrinterConfig
from drivers.printer.errors import PrinterConnectionError, PrinterError
from drivers.printer.escpos_bytes import EscposBuilder
from drivers.printer.status import (
    QUERIES,
    PrinterStatus,
    PrinterStatusError,
    decode_status,
    query_bytes,
)
from drivers.printer.ticket import Ticket

if TYPE_CHECKING:
    from PIL import Image

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PrintResult:
    """What happened when a ticket was sent."""

    number: str
    status: PrinterStatus | None
    """Status seen before printing; None when the transport cannot read it."""
    size: int
    """Bytes sent."""
    seconds: float
    """Time spent on status and sending."""


class TicketPrinter(ABC):
    """A ticket printer reached through one transport."""

    can_read_status: ClassVar[bool] = False
    """True for transports that can read ``DLE EOT`` replies (serial, network, USB)."""

    def __init__(self, config: PrinterConfig | None = None) -> None:
        self.config = config or PrinterConfig()
        self._lock = threading.Lock()

    @cached_property
    def builder(self) -> EscposBuilder:
        """Builds ESC/POS bytes for this printer's configuration."""
        return EscposBuilder(self.config)

    def render(self, ticket: Ticket) -> bytes:
        """The ESC/POS job for ``ticket`` (nothing is sent)."""
        return self.builder.build(ticket)

    def preview(self, ticket: Ticket) -> Image.Image:
        """The ticket as an image, the way the raster renderer draws it."""
        return self.builder.raster.ticket(ticket)

    def status(self) -> PrinterStatus:
        """Ask the printer; UNKNOWN when it cannot answer or answers nonsense."""
        if not self.can_read_status:
            return PrinterStatus.UNKNOWN
        with self._lock, self._session():
            return self._query_status()

    def print_ticket(self, ticket: Ticket) -> PrintResult:
        """Check the status where possible, then send the ticket; raises PrinterError on failure."""
        data = self.render(ticket)
        started = time.perf_counter()
        with self._lock, self._session():
            status = None
            if self.can_read_status and self.config.check_status:
                status = self._query_status()
                refuse_unknown = not self.config.print_when_unknown
                if not status.can_print and (status is not PrinterStatus.UNKNOWN or refuse_unknown):
                    raise PrinterStatusError(status, f"ticket {ticket.number} not printed")
            self._write(data)
        result = PrintResult(ticket.number, status, len(data), time.perf_counter() - started)
        logger.info("printed %s (%d bytes, status %s)", ticket.number, result.size, status)
        return result

    @contextmanager
    def _session(self) -> Iterator[None]:
        try:
            self._open()
            try:
                yield
            finally:
                self._close()
        except PrinterError:
            raise
        except OSError as exc:
            raise PrinterConnectionError(f"{self!r}: {exc}") from exc

    def _query_status(self) -> PrinterStatus:
        replies: dict[int, bytes] = {}
        for n in QUERIES:
            while self._read(0.0):  # drop stale bytes (late replies, auto status)
                pass
            self._write(query_bytes(n))
            replies[n] = self._read(self.config.status_timeout)
            if not replies[n]:
                break  # no answer: unknown, do not wait for the other queries
        status = decode_status(replies)
        if status is not PrinterStatus.OK:
            logger.warning("printer %r status %s (replies %r)", self, status.value, replies)
        return status

    def _open(self) -> None:  # noqa: B027 - optional hook, most transports open nothing
        """Open the connection for one status query or print (default: nothing to open)."""

    def _close(self) -> None:  # noqa: B027 - optional hook
        """Close what :meth:`_open` opened."""

    @abstractmethod
    def _write(self, data: bytes) -> None:
        """Send raw bytes to the printer."""

    def _read(self, timeout: float) -> bytes:
        """Bytes the printer sent within ``timeout`` seconds (write-only transports: none)."""
        return b""
