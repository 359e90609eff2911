"""Tickets (号票) and their life: waiting → called → serving → done, and the side paths.

Every change goes through :meth:`Ticket.apply`, which checks the transition table
and raises :class:`IllegalTransition` for anything else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from caller_server.domain.errors import IllegalTransition


class Status(StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    DONE = "done"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"


class Action(StrEnum):
    CALL = "call"
    RECALL = "recall"
    START = "start"
    FINISH = "finish"
    SKIP = "skip"
    REACTIVATE = "reactivate"
    TRANSFER = "transfer"
    CANCEL = "cancel"


class Priority(StrEnum):
    """Why a ticket goes first (绿色通道)."""

    ELDERLY = "elderly"
    STAFF = "staff"
    APPOINTMENT = "appointment"


ACTIVE = frozenset({Status.WAITING, Status.CALLED, Status.SERVING})

TRANSITIONS: dict[Action, tuple[frozenset[Status], Status]] = {
    Action.CALL: (frozenset({Status.WAITING}), Status.CALLED),
    Action.RECALL: (frozenset({Status.CALLED}), Status.CALLED),
    Action.START: (frozenset({Status.CALLED}), Status.SERVING),
    Action.FINISH: (frozenset({Status.CALLED, Status.SERVING}), Status.DONE),
    Action.SKIP: (frozenset({Status.CALLED}), Status.NO_SHOW),
    Action.REACTIVATE: (frozenset({Status.NO_SHOW}), Status.WAITING),
    Action.TRANSFER: (frozenset({Status.WAITING, Status.CALLED, Status.SERVING}), Status.WAITING),
    Action.CANCEL: (frozenset({Status.WAITING, Status.CALLED}), Status.CANCELLED),
}


def format_number(prefix: str, seq: int) -> str:
    """``A`` + 3 digits (``A012``); four digits past 999."""
    return f"{prefix}{seq:03d}"


def service_day(at: float, tz: ZoneInfo) -> str:
    """The local calendar day (ISO) a moment belongs to."""
    return datetime.fromtimestamp(at, tz).date().isoformat()


@dataclass
class Ticket:
    """One ticket. Times are POSIX seconds; ``arrival_at`` orders the queue."""

    id: int
    token: str
    number: str
    category: str
    service_day: str
    status: Status
    issued_at: float
    arrival_at: float
    priority: Priority | None = None
    due_at: float | None = None
    """Appointments: priority applies from this moment."""
    person_key: str | None = None
    """HMAC of the ID number under the service day's key (see ``daykeys``)."""
    masked_name: str | None = None
    age_band: str | None = None
    sex: str | None = None
    province: str | None = None
    source: str | None = None
    kiosk_id: str | None = None
    counter: int | None = None
    target_counter: int | None = None
    """Set by a transfer to one counter: only that counter calls it."""
    called_at: float | None = None
    started_at: float | None = None
    finished_at: float | None = None
    no_show_at: float | None = None
    call_count: int = 0
    transferred_from: str | None = None
    rating: int | None = None

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    def apply(self, action: Action) -> None:
        """Move along the transition table, or raise :class:`IllegalTransition`."""
        sources, target = TRANSITIONS[action]
        if self.status not in sources:
            raise IllegalTransition(self.number, self.status.value, action.value)
        self.status = target

    def call(self, counter: int, now: float) -> None:
        self.apply(Action.CALL)
        self.counter, self.called_at, self.call_count = counter, now, 1
        self.target_counter = None

    def recall(self, now: float) -> None:
        self.apply(Action.RECALL)
        self.call_count += 1

    def start(self, now: float) -> None:
        self.apply(Action.START)
        self.started_at = now

    def finish(self, now: float) -> None:
        self.apply(Action.FINISH)
        if self.started_at is None:
            self.started_at = now if self.called_at is None else self.called_at
        self.finished_at = now

    def skip(self, now: float) -> None:
        self.apply(Action.SKIP)
        self.no_show_at = now

    def reactivate(self, now: float, window_minutes: int) -> None:
        """A no-show rejoins the queue at its back, if the tap comes within the window."""
        if self.no_show_at is None or now - self.no_show_at > window_minutes * 60:
            raise IllegalTransition(self.number, self.status.value, Action.REACTIVATE)
        self.apply(Action.REACTIVATE)
        self.arrival_at, self.counter, self.called_at, self.call_count = now, None, None, 0

    def transfer(self, category: str, target_counter: int | None, now: float) -> None:
        """Move to another category (or one counter), keeping the place by arrival time."""
        self.apply(Action.TRANSFER)
        self.transferred_from = self.transferred_from or self.category
        self.category, self.target_counter = category, target_counter
        self.counter, self.called_at, self.call_count = None, None, 0

    def cancel(self, now: float) -> None:
        """Withdrawn by the manager (the citizen left, a duplicate …)."""
        self.apply(Action.CANCEL)
        self.finished_at = now

    def prioritize(self) -> None:
        """绿色通道 set by staff (a disabled citizen, a pregnant woman, an urgent case)."""
        if self.status is not Status.WAITING:
            raise IllegalTransition(self.number, self.status.value, "prioritize")
        self.priority, self.due_at = Priority.STAFF, None
