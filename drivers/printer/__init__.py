"""Ticket printing: layout, ESC/POS bytes with explicit Chinese encoding, status, transports.

Usage::

    from drivers.printer import Ticket, open_printer

    printer = open_printer("tcp:192.168.1.50:9100?encoding=gbk")
    printer.print_ticket(Ticket(...))   # raises PrinterError (message_zh / message_en) on failure

Library code: imports nothing else of yihao. The ticket, configuration, status and errors
need only the standard library; the printers load python-escpos, Pillow and qrcode
(``yihao[kiosk]``) when first used, and raise :class:`PrinterDependencyError` (which is also
an ImportError) naming the extra when one is missing.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from drivers.printer.config import PrinterConfig
from drivers.printer.errors import (
    FontNotFoundError,
    PrinterConfigError,
    PrinterConnectionError,
    PrinterDependencyError,
    PrinterError,
)
from drivers.printer.status import PrinterStatus, PrinterStatusError
from drivers.printer.ticket import Ticket, sample_ticket

if TYPE_CHECKING:
    from drivers.printer.base import PrintResult, TicketPrinter
    from drivers.printer.fonts import find_cjk_font
    from drivers.printer.spec import open_printer, parse_spec
    from drivers.printer.transports import FilePrinter, RecordingPrinter, SerialPrinter, TcpPrinter
    from drivers.printer.vendor import CupsPrinter, UsbPrinter, Win32Printer
    from drivers.printer.virtual import FAULTS, VirtualPrinter

_LAZY = {
    "PrintResult": "base",
    "TicketPrinter": "base",
    "find_cjk_font": "fonts",
    "open_printer": "spec",
    "parse_spec": "spec",
    "FilePrinter": "transports",
    "RecordingPrinter": "transports",
    "SerialPrinter": "transports",
    "TcpPrinter": "transports",
    "CupsPrinter": "vendor",
    "UsbPrinter": "vendor",
    "Win32Printer": "vendor",
    "FAULTS": "virtual",
    "VirtualPrinter": "virtual",
}


def __getattr__(name: str) -> Any:
    """Load the printers (and their libraries) on first use."""
    if name in _LAZY:
        return getattr(importlib.import_module(f"drivers.printer.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "FAULTS",
    "CupsPrinter",
    "FilePrinter",
    "FontNotFoundError",
    "PrintResult",
    "PrinterConfig",
    "PrinterConfigError",
    "PrinterConnectionError",
    "PrinterDependencyError",
    "PrinterError",
    "PrinterStatus",
    "PrinterStatusError",
    "RecordingPrinter",
    "SerialPrinter",
    "TcpPrinter",
    "Ticket",
    "TicketPrinter",
    "UsbPrinter",
    "VirtualPrinter",
    "Win32Printer",
    "find_cjk_font",
    "open_printer",
    "parse_spec",
    "sample_ticket",
]
