"""The virtual printer: a simulator that ships with the product.

Each ticket is kept as ``NNNN-A012.bin`` (the exact ESC/POS bytes) and ``NNNN-A012.png``
(the preview) in a directory. Faults are injected on demand, in the spirit of OctoPrint's
virtual printer ``simulated_errors``: from the spec (``virtual:DIR?fault=paper_out``), from
:meth:`VirtualPrinter.set_fault`, or by writing a fault name into ``DIR/fault`` while the
kiosk runs. The printer answers ``DLE EOT`` like real hardware, so a fault goes through the
same status decoding as on a real printer.
"""

from __future__ import annotations

import logging
from pathlib import Path

from drivers.printer.base import PrintResult, TicketPrinter
from drivers.printer.config import PrinterConfig
from drivers.printer.errors import PrinterConfigError
from drivers.printer.status import DLE_EOT, QUERIES, PrinterStatus, reply_for
from drivers.printer.ticket import Ticket

logger = logging.getLogger(__name__)

FAULTS = ("paper_near_end", "paper_out", "cover_open", "offline", "no_reply", "garbage")
"""Faults the simulator can show; ``no_reply`` stays silent, ``garbage`` answers nonsense."""
FAULT_FILE = "fault"


class VirtualPrinter(TicketPrinter):
    """A simulated printer writing tickets to a directory."""

    can_read_status = True

    def __init__(self, directory: Path | str, fault: str = "", config: PrinterConfig | None = None):
        super().__init__(config)
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self._fault = ""
        self.set_fault(fault)
        self._job = bytearray()
        self._replies = bytearray()
        self.last_files: tuple[Path, Path] | None = None

    def __repr__(self) -> str:
        return f"VirtualPrinter({str(self.directory)!r})"

    def set_fault(self, fault: str | None) -> None:
        """Inject ``fault`` (one of :data:`FAULTS`) or clear it with None or ``""``."""
        if fault and fault not in FAULTS:
            raise PrinterConfigError(f"unknown fault {fault!r}; known: {', '.join(FAULTS)}")
        self._fault = fault or ""

    @property
    def fault(self) -> str:
        """The fault in effect: ``DIR/fault`` when present, else the injected one."""
        path = self.directory / FAULT_FILE
        if path.is_file():
            fault = path.read_text(encoding="utf-8").strip()
            if fault in FAULTS or not fault:
                return fault
            logger.warning("ignoring unknown fault %r in %s", fault, path)
        return self._fault

    def print_ticket(self, ticket: Ticket) -> PrintResult:
        """Print as a real printer would, then store the job's bytes and its preview."""
        self._job.clear()
        result = super().print_ticket(ticket)
        sequence = len(list(self.directory.glob("*.bin"))) + 1
        stem = self.directory / f"{sequence:04d}-{ticket.number}"
        bin_path, png_path = stem.with_suffix(".bin"), stem.with_suffix(".png")
        bin_path.write_bytes(bytes(self._job))
        self.preview(ticket).save(png_path)
        self.last_files = (bin_path, png_path)
        return result

    def _write(self, data: bytes) -> None:
        if len(data) == 3 and data[:2] == DLE_EOT and data[2] in QUERIES:
            self._replies += self._reply(data[2])
        else:
            self._job += data

    def _reply(self, n: int) -> bytes:
        fault = self.fault
        if fault == "no_reply":
            return b""
        if fault == "garbage":
            return b"\xff\x00"
        return reply_for(PrinterStatus(fault) if fault else PrinterStatus.OK, n)

    def _read(self, timeout: float) -> bytes:
        replies = bytes(self._replies)
        self._replies.clear()
        return replies
