"""Ticket printing: layout, ESC/POS bytes with explicit Chinese encoding, status, transports.

Usage::

    from drivers.printer import Ticket, open_printer

    printer = open_printer("tcp:192.168.1.50:9100?encoding=gbk")
    printer.print_ticket(Ticket(...))   # raises PrinterError (message_zh / message_en) on failure

Library code: imports nothing else of yihao.
"""

from drivers.printer.base import PrintResult, TicketPrinter
from drivers.printer.config import PrinterConfig
from drivers.printer.errors import (
    FontNotFoundError,
    PrinterConfigError,
    PrinterConnectionError,
    PrinterDependencyError,
    PrinterError,
)
from drivers.printer.fonts import find_cjk_font
from drivers.printer.spec import open_printer, parse_spec
from drivers.printer.status import PrinterStatus, PrinterStatusError
from drivers.printer.ticket import Ticket, sample_ticket
from drivers.printer.transports import FilePrinter, RecordingPrinter, SerialPrinter, TcpPrinter
from drivers.printer.vendor import CupsPrinter, UsbPrinter, Win32Printer
from drivers.printer.virtual import FAULTS, VirtualPrinter

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
