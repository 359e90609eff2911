"""Plain events the worker threads report (no Qt): the bridge carries them to the GUI thread."""

from __future__ import annotations

from dataclasses import dataclass

from caller_server.protocol import QueueSnapshot, TicketOut
from drivers.idcard import IdentityCard


@dataclass(frozen=True)
class CardRead:
    card: IdentityCard


@dataclass(frozen=True)
class CardFailed:
    """This tap went wrong (pulled, unreadable, bad data): place the card again."""

    reason: str
    """``card_pulled`` or ``card_invalid``."""


@dataclass(frozen=True)
class CardGone:
    """The reader's field is clear after a tap."""


@dataclass(frozen=True)
class ReaderDown:
    detail: str


@dataclass(frozen=True)
class ReaderUp:
    pass


@dataclass(frozen=True)
class Issued:
    request_id: str
    ticket: TicketOut


@dataclass(frozen=True)
class IssueRetrying:
    request_id: str
    attempt: int


@dataclass(frozen=True)
class IssueRefused:
    request_id: str
    code: str
    """The server's problem code, or ``network`` when it could not be reached at all."""
    ticket: TicketOut | None = None


@dataclass(frozen=True)
class Printed:
    number: str


@dataclass(frozen=True)
class PrintFailed:
    number: str
    status: str
    """A :class:`drivers.printer.PrinterStatus` value, or ``error`` for a transport failure."""


@dataclass(frozen=True)
class PrinterState:
    """The status seen by the periodic check (``ok``, ``paper_near_end``, ``paper_out`` …)."""

    status: str


@dataclass(frozen=True)
class QueueSeen:
    snapshot: QueueSnapshot


@dataclass(frozen=True)
class ServerLost:
    pass


KioskEvent = (
    CardRead
    | CardFailed
    | CardGone
    | ReaderDown
    | ReaderUp
    | Issued
    | IssueRetrying
    | IssueRefused
    | Printed
    | PrintFailed
    | PrinterState
    | QueueSeen
    | ServerLost
)
