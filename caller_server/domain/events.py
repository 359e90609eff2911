"""Event kinds: every change of the hall is one append-only event."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class EventKind(StrEnum):
    ISSUED = "issued"
    CALLED = "called"
    RECALLED = "recalled"
    NO_SHOW = "no_show"
    REACTIVATED = "reactivated"
    STARTED = "started"
    FINISHED = "finished"
    TRANSFERRED = "transferred"
    CANCELLED = "cancelled"
    PAUSED = "paused"
    RESUMED = "resumed"
    RATED = "rated"
    ALERT = "alert"
    APPOINTMENT_BOOKED = "appointment_booked"
    APPOINTMENT_CHECKED_IN = "appointment_checked_in"
    DEVICE_PAIRED = "device_paired"
    PRIORITIZED = "prioritized"
    """The manager put a waiting ticket in the priority lane (绿色通道)."""
    SIGNED_OUT = "signed_out"
    """A login token was revoked by its holder (logout)."""
    LOGIN_LOCKED = "login_locked"
    """A user name reached the failed-login limit."""
    PURGED = "purged"
    """Retention erased the personal fields of past days (counts, no personal data)."""
    ALERT_ACKED = "alert_acked"
    CASE_UPDATED = "case_updated"
    NOTICE_SET = "notice_set"
    ADMIN = "admin"
    DEVICE_UNPAIRED = "device_unpaired"
    DEVICE_SUSPECT = "device_suspect"
    NOTICE = "notice"


@dataclass(frozen=True)
class Event:
    """One audit record. ``seq`` is assigned by the store in commit order."""

    kind: EventKind
    at: float
    actor: str
    ticket_id: int | None = None
    number: str | None = None
    category: str | None = None
    counter: int | None = None
    data: dict[str, Any] = field(default_factory=dict)
    seq: int = 0
