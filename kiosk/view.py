"""The small view model the screens read. Plain data; only the controller writes it."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from kiosk.strings import DEFAULT_LANG


class Screen(enum.StrEnum):
    ATTRACT = "attract"
    CATEGORIES = "categories"
    BUSY = "busy"
    TICKET = "ticket"
    MESSAGE = "message"
    KEYPAD = "keypad"


@dataclass(frozen=True)
class CategoryView:
    code: str
    names: dict[str, str]
    """Language → name."""
    waiting: int
    open: bool
    id_required: bool
    full: bool = False
    """Today's cap is reached (the snapshot says so, or the server answered ``category_at_cap``)."""
    eta_minutes: int = 0
    """The server's wait estimate of a ticket taken now."""

    def name(self, lang: str) -> str:
        return self.names.get(lang) or self.names.get(DEFAULT_LANG) or self.code

    @property
    def reason(self) -> str | None:
        """Why it cannot be chosen: ``closed``, ``full`` or None."""
        if self.full:
            return "full"
        return None if self.open else "closed"


@dataclass(frozen=True)
class TicketView:
    number: str
    category: str
    names: dict[str, str]
    ahead: int
    eta_minutes: int
    status_url: str
    masked_identity: str
    priority: str | None
    outcome: str
    due_at: float | None = None
    """Start of the appointment checked in with this ticket."""

    def name(self, lang: str) -> str:
        return self.names.get(lang) or self.names.get(DEFAULT_LANG) or self.category


@dataclass
class View:
    screen: Screen = Screen.ATTRACT
    lang: str = DEFAULT_LANG
    elderly: bool = False
    hall_names: dict[str, str] = field(default_factory=dict)
    categories: list[CategoryView] = field(default_factory=list)
    """The categories this kiosk offers, as last seen on the server."""
    reader_ok: bool = True
    printer_status: str = "unknown"
    printing_paused: bool = False
    server_ok: bool = True
    with_identity: bool = False
    """The current citizen tapped a card (False: 无证取号)."""
    masked_identity: str = ""
    ticket: TicketView | None = None
    notes: list[str] = field(default_factory=list)
    """String keys shown under the ticket or as the message (first is the main one)."""
    can_reprint: bool = False
    retry_attempt: int = 0
    manual_entry: bool = False
    """The hall allows typing the ID number on the keypad (off by default)."""
    entry: str = ""
    """What the citizen typed on the keypad so far."""
    entry_state: str = "short"
    """``short`` (keep typing), ``valid`` or ``invalid`` (the check digit or date is wrong)."""
    countdown: int | None = None
    """Seconds until the screen returns to attract; None when it does not time out."""

    def hall_name(self) -> str:
        return self.hall_names.get(self.lang) or self.hall_names.get(DEFAULT_LANG, "")

    def choosable(self) -> list[CategoryView]:
        """The categories shown on the category screen for this citizen."""
        if self.with_identity:
            return self.categories
        return [c for c in self.categories if not c.id_required]

    def no_id_possible(self) -> bool:
        return any(not c.id_required and c.open and not c.full for c in self.categories)
