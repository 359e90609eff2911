"""Real-time printer status over ``DLE EOT n`` (10 04 n).

A reply is one byte shaped ``0xx1xx10``. Three queries are made:

- n=1 printer status: bit 3 offline;
- n=2 offline cause: bit 2 cover open, bit 5 stopped at paper end, bit 6 error;
- n=4 paper sensors: bits 2-3 paper near end, bits 5-6 paper out.

No reply, or a reply of any other shape, is :attr:`PrinterStatus.UNKNOWN`, never OK.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum

from drivers.printer.errors import PrinterError

DLE_EOT = b"\x10\x04"
QUERIES = (1, 2, 4)
_SHAPE_MASK = 0b1001_0011
_SHAPE_VALUE = 0b0001_0010


class PrinterStatus(Enum):
    """What the printer reported before a print."""

    OK = "ok"
    PAPER_NEAR_END = "paper_near_end"
    PAPER_OUT = "paper_out"
    COVER_OPEN = "cover_open"
    OFFLINE = "offline"
    UNKNOWN = "unknown"

    @property
    def can_print(self) -> bool:
        """True when a ticket will come out (near end still prints)."""
        return self in (PrinterStatus.OK, PrinterStatus.PAPER_NEAR_END)


_MESSAGES: dict[PrinterStatus, tuple[str, str]] = {
    PrinterStatus.PAPER_OUT: ("打印机缺纸", "the printer is out of paper"),
    PrinterStatus.COVER_OPEN: ("打印机盖未关好", "the printer cover is open"),
    PrinterStatus.OFFLINE: ("打印机离线", "the printer is offline"),
    PrinterStatus.UNKNOWN: ("打印机无响应", "the printer does not respond"),
}


class PrinterStatusError(PrinterError):
    """The printer reported a state in which it cannot print."""

    def __init__(self, status: PrinterStatus, detail: str = "") -> None:
        self.status = status
        zh, en = _MESSAGES[status]
        self.message_zh = f"{zh}，请联系工作人员"
        self.message_en = f"{en}, please ask staff"
        super().__init__(detail)


def query_bytes(n: int) -> bytes:
    """The ``DLE EOT n`` request."""
    return DLE_EOT + bytes([n])


def reply_byte(reply: bytes) -> int | None:
    """The status byte of a reply, or None when it is missing or malformed."""
    if len(reply) != 1 or reply[0] & _SHAPE_MASK != _SHAPE_VALUE:
        return None
    return reply[0]


def decode_status(replies: Mapping[int, bytes]) -> PrinterStatus:
    """Combine the replies to ``DLE EOT 1``, ``2`` and ``4`` into one status.

    Any query without a well-formed reply makes the whole status unknown.
    """
    decoded = {n: reply_byte(replies.get(n, b"")) for n in QUERIES}
    printer, cause, paper = decoded[1], decoded[2], decoded[4]
    if printer is None or cause is None or paper is None:
        return PrinterStatus.UNKNOWN
    if cause & 0b0000_0100:
        return PrinterStatus.COVER_OPEN
    if cause & 0b0010_0000 or paper & 0b0110_0000:
        return PrinterStatus.PAPER_OUT
    if printer & 0b0000_1000 or cause & 0b0100_0000:
        return PrinterStatus.OFFLINE
    if paper & 0b0000_1100:
        return PrinterStatus.PAPER_NEAR_END
    return PrinterStatus.OK


def reply_for(status: PrinterStatus, n: int) -> bytes:
    """The reply a healthy-shaped printer in ``status`` gives to ``DLE EOT n``.

    Used by the virtual printer so that its status goes through :func:`decode_status`.
    """
    bits = {
        (PrinterStatus.OFFLINE, 1): 0b0000_1000,
        (PrinterStatus.COVER_OPEN, 1): 0b0000_1000,
        (PrinterStatus.PAPER_OUT, 1): 0b0000_1000,
        (PrinterStatus.OFFLINE, 2): 0b0100_0000,
        (PrinterStatus.COVER_OPEN, 2): 0b0000_0100,
        (PrinterStatus.PAPER_OUT, 2): 0b0010_0000,
        (PrinterStatus.PAPER_OUT, 4): 0b0110_0000,
        (PrinterStatus.PAPER_NEAR_END, 4): 0b0000_1100,
    }.get((status, n), 0)
    return bytes([_SHAPE_VALUE | bits])
