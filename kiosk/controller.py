"""The kiosk's behaviour: worker events and citizen taps in, view model and link commands out.

No Qt and no I/O here: the controller runs on the GUI thread, asks the links (worker threads)
for slow work and only ever changes :class:`~kiosk.view.View`. Personal data lives in
``_session`` (raw identity, for the one issue request) and in the view (masked forms) only
while a citizen is served; :meth:`Controller.home` wipes both.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Protocol

from caller_server.domain.identity import mask_id_number
from caller_server.protocol import IdentityIn, QueueSnapshot, TicketOut
from drivers.printer.ticket import Ticket as PrintTicket
from kiosk import events as ev
from kiosk.identity import ID_LENGTH, entry_state, identity_of
from kiosk.strings import DEFAULT_LANG, LANGS, msg
from kiosk.view import CategoryView, Screen, TicketView, View

log = logging.getLogger(__name__)

_REFUSALS = {
    "category_closed": "category_closed",
    "category_at_cap": "category_full",
    "person_daily_limit": "over_limit",
    "card_expired": "card_expired",
    "invalid_id_number": "card_invalid",
    "identity_required": "identity_required",
    "network": "server_down",
}
_NOTES = {"existing": "existing", "reactivated": "reactivated"}
_PRIORITY_NOTES = {"elderly": "priority_elderly", "appointment": "priority_appointment"}


class Links(Protocol):
    """What the controller asks of the worker threads; every call returns at once."""

    def issue(self, request_id: str, category: str, identity: IdentityIn | None) -> None: ...

    def print_ticket(self, ticket: PrintTicket) -> None: ...

    def speak(self, text: str, lang: str) -> None: ...

    def report(self, health: dict[str, object]) -> None: ...


@dataclass(frozen=True)
class Timeouts:
    """Seconds of inactivity before a screen returns to attract (and wipes the citizen)."""

    categories: float = 30.0
    ticket: float = 20.0
    message: float = 15.0
    spoken_at: int = 10
    """Elderly mode says the countdown aloud when this many seconds are left."""


@dataclass(frozen=True)
class ControllerConfig:
    kiosk_id: str = "kiosk"
    categories: tuple[str, ...] = ()
    """Categories this kiosk offers; empty: every category of the hall."""
    elderly_age: int | None = 60
    """Age from the card that switches on 长辈模式; None: only by the button."""
    lang: str = DEFAULT_LANG
    """The language each citizen starts with."""
    manual_entry: bool = False
    """Hall option: the ID number may be typed on an on-screen keypad."""
    timeouts: Timeouts = Timeouts()


class Controller:
    def __init__(
        self,
        config: ControllerConfig,
        links: Links,
        clock: Callable[[], float] = time.monotonic,
        today: Callable[[], date] = date.today,
    ) -> None:
        self.config = config
        self.links = links
        self.view = View(lang=config.lang, manual_entry=config.manual_entry)
        self._clock = clock
        self._today = today
        self._listeners: list[Callable[[], None]] = []
        self._identity: IdentityIn | None = None
        self._pending: str | None = None
        self._pending_category = ""
        self._printable: PrintTicket | None = None
        self._deadline: float | None = None
        self._spoken = False
        self._full: set[str] = set()
        self._snapshot: QueueSnapshot | None = None

    # --- plumbing
    def subscribe(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    def _changed(self) -> None:
        for listener in self._listeners:
            listener()

    def _show(self, screen: Screen, timeout: float | None = None) -> None:
        self.view.screen = screen
        self._deadline = None if timeout is None else self._clock() + timeout
        self._spoken = False
        self._update_countdown()
        if self.view.elderly:
            self._guide()

    def _guide(self) -> None:
        """Elderly mode: say what this screen asks for, or the number and the people ahead."""
        ticket = self.view.ticket
        if self.view.screen is Screen.TICKET and ticket is not None:
            text = msg("guide_number", self.view.lang, number=ticket.number, n=ticket.ahead)
            self.links.speak(text, self.view.lang)
            return
        key = {
            Screen.ATTRACT: "attract_title" if self.view.reader_ok else "reader_down_hint",
            Screen.CATEGORIES: "choose_title",
            Screen.BUSY: "issuing",
            Screen.KEYPAD: "keypad_title",
        }.get(self.view.screen)
        if self.view.screen is Screen.MESSAGE and self.view.notes:
            key = self.view.notes[0]
        if key:
            self.links.speak(msg(key, self.view.lang), self.view.lang)

    def _update_countdown(self) -> None:
        if self._deadline is None:
            self.view.countdown = None
        else:
            self.view.countdown = max(0, round(self._deadline - self._clock()))

    def _timeout(self, screen: Screen) -> float:
        t = self.config.timeouts
        return {Screen.CATEGORIES: t.categories, Screen.TICKET: t.ticket}.get(screen, t.message)

    # --- time
    def tick(self) -> None:
        """Called about once a second by the GUI's timer."""
        if self._deadline is None:
            return
        self._update_countdown()
        left = self.view.countdown or 0
        if left <= 0:
            self.home()
            return
        if self.view.elderly and not self._spoken and left <= self.config.timeouts.spoken_at:
            self._spoken = True
            self.links.speak(msg("countdown_spoken", self.view.lang, n=left), self.view.lang)
        self._changed()

    # --- citizen taps
    def extend(self) -> None:
        """「还需要时间」: the countdown starts again."""
        self._touch()
        self._changed()

    def set_lang(self, lang: str) -> None:
        if lang in LANGS:
            self.view.lang = lang
            self._touch()
            self._changed()

    def set_elderly(self, on: bool) -> None:
        self.view.elderly = on
        self._touch()
        if on:
            self._guide()
        self._changed()

    def _touch(self) -> None:
        """Any tap is activity: the countdown of the current screen starts again."""
        if self._deadline is not None:
            self._deadline = self._clock() + self._timeout(self.view.screen)
            self._spoken = False
            self._update_countdown()

    def no_id(self) -> None:
        """「无证取号」."""
        self._wipe()
        self.view.with_identity = False
        self._choose_or_issue()

    def manual(self) -> None:
        """「手工输入证件号」: the keypad."""
        if not self.config.manual_entry or self._pending:
            return
        self._wipe()
        self._show(Screen.KEYPAD, self.config.timeouts.categories)
        self._changed()

    def key(self, char: str) -> None:
        """A keypad key: a digit, ``X``, or ``⌫`` to delete the last character."""
        view = self.view
        if view.screen is not Screen.KEYPAD:
            return
        if char == "⌫":
            view.entry = view.entry[:-1]
        elif len(view.entry) < ID_LENGTH and (char.isdigit() or char == "X"):
            view.entry += char
        view.entry_state = entry_state(view.entry, self._today())
        self._touch()
        self._changed()

    def confirm_entry(self) -> None:
        view = self.view
        if view.screen is not Screen.KEYPAD or view.entry_state != "valid":
            return
        self._identity = IdentityIn(id_number=view.entry, source="manual")
        masked = mask_id_number(view.entry)
        view.entry, view.entry_state = "", "short"
        view.with_identity = True
        view.masked_identity = masked
        self._choose_or_issue()
        self._changed()

    def choose(self, code: str) -> None:
        category = next((c for c in self.view.choosable() if c.code == code), None)
        if category is None or category.reason is not None or self._pending:
            return
        self._issue(code)

    def reprint(self) -> None:
        if self._printable is not None and self.view.can_reprint:
            self.view.can_reprint = False
            self._print(self._printable)
            self._touch()
            self._changed()

    def home(self) -> None:
        """Back to attract; the citizen's data is wiped from memory and from the view."""
        self._wipe()
        self.view.elderly = False
        self.view.lang = self.config.lang
        self._show(Screen.ATTRACT)
        self._changed()

    def _wipe(self) -> None:
        self._identity = None
        self._pending = None
        self._printable = None
        view = self.view
        view.with_identity = False
        view.masked_identity = ""
        view.ticket = None
        view.notes = []
        view.can_reprint = False
        view.retry_attempt = 0
        view.entry, view.entry_state = "", "short"

    # --- worker events
    def handle(self, event: ev.KioskEvent) -> None:
        handler = getattr(self, f"_on_{type(event).__name__}", None)
        if handler is None:
            return
        handler(event)
        self._changed()

    def _on_CardRead(self, event: ev.CardRead) -> None:
        if self._pending:
            log.info("card ignored: a ticket is being issued")
            return
        card = event.card
        self._wipe()
        if card.is_expired(self._today()):
            self._message("card_expired")
            return
        self._identity = identity_of(card)
        self.view.with_identity = True
        self.view.masked_identity = f"{card.id_number.masked} {card.name.masked}"
        age = self.config.elderly_age
        if age is not None and card.age_on(self._today()) >= age:
            self.view.elderly = True
        self._choose_or_issue()

    def _on_CardFailed(self, event: ev.CardFailed) -> None:
        if not self._pending:
            self._wipe()
            self._message(event.reason)

    def _on_ReaderDown(self, _event: ev.ReaderDown) -> None:
        self.view.reader_ok = False
        self._report()

    def _on_ReaderUp(self, _event: ev.ReaderUp) -> None:
        self.view.reader_ok = True
        self._report()

    def _on_QueueSeen(self, event: ev.QueueSeen) -> None:
        snapshot = event.snapshot
        if self._snapshot is not None and self._snapshot.day != snapshot.day:
            self._full.clear()
        self._snapshot = snapshot
        self.view.server_ok = True
        self.view.hall_names = {
            "zh-CN": snapshot.hall,
            "zh-TW": snapshot.hall_tw or snapshot.hall,
            "en": snapshot.hall_en or snapshot.hall,
        }
        offered = self.config.categories
        self.view.categories = [
            CategoryView(
                c.code,
                {"zh-CN": c.name, "zh-TW": c.name_tw, "en": c.name_en},
                c.waiting,
                c.open,
                c.id_required,
                full=c.full or c.code in self._full,
                eta_minutes=c.eta_minutes,
            )
            for c in snapshot.categories
            if not offered or c.code in offered
        ]

    def _on_ServerLost(self, _event: ev.ServerLost) -> None:
        self.view.server_ok = False

    def _on_IssueRetrying(self, event: ev.IssueRetrying) -> None:
        if event.request_id == self._pending:
            self.view.retry_attempt = event.attempt

    def _on_Issued(self, event: ev.Issued) -> None:
        if event.request_id != self._pending:
            return
        self._pending = None
        ticket = event.ticket
        self.view.ticket = self._ticket_view(ticket)
        self.view.notes = [n for n in (_NOTES.get(ticket.outcome),) if n]
        note = _PRIORITY_NOTES.get(ticket.priority or "")
        if note:
            self.view.notes.append(note)
        self._printable = self._print_job(ticket)
        if ticket.outcome == "existing":
            self.view.can_reprint = True
        elif self.view.printing_paused:
            self.view.notes.insert(0, "printing_paused")
        else:
            self._print(self._printable)
        self._show(Screen.TICKET, self.config.timeouts.ticket)

    def _on_IssueRefused(self, event: ev.IssueRefused) -> None:
        if event.request_id != self._pending:
            return
        self._pending = None
        key = _REFUSALS.get(event.code, "refused")
        if event.code == "category_at_cap":
            self._full.add(self._pending_category)
            self.view.categories = [
                replace(c, full=c.code in self._full) for c in self.view.categories
            ]
        if key == "over_limit" and event.ticket is not None:
            self.view.ticket = self._ticket_view(event.ticket)
            self._printable = self._print_job(event.ticket)
            self.view.notes = ["over_limit"]
            self.view.can_reprint = True
            self._show(Screen.TICKET, self.config.timeouts.ticket)
            return
        self._message(key)

    def _on_Printed(self, event: ev.Printed) -> None:
        if self.view.ticket is not None and self.view.ticket.number == event.number:
            self.view.notes = [n for n in self.view.notes if n != "printing"]
            self.view.notes.insert(0, "taken_title")

    def _on_PrintFailed(self, event: ev.PrintFailed) -> None:
        self.view.printing_paused = True
        self.view.printer_status = event.status
        self._report()
        if self.view.ticket is not None and self.view.ticket.number == event.number:
            self.view.notes = [n for n in self.view.notes if n != "printing"]
            self.view.notes.insert(0, "print_failed")
            self.view.can_reprint = False

    def _on_PrinterState(self, event: ev.PrinterState) -> None:
        changed = event.status != self.view.printer_status
        self.view.printer_status = event.status
        if event.status in ("ok", "paper_near_end"):
            self.view.printing_paused = False
        if changed:
            self._report()

    # --- helpers
    def _message(self, key: str) -> None:
        self.view.notes = [key]
        self._show(Screen.MESSAGE, self.config.timeouts.message)

    def _choose_or_issue(self) -> None:
        offered = self.config.categories
        if len(offered) == 1:  # 一刷即取: the tap itself takes the ticket
            self._issue(offered[0])
            return
        if not self.view.categories:
            self._message("server_down")
            return
        self._show(Screen.CATEGORIES, self.config.timeouts.categories)

    def _issue(self, code: str) -> None:
        self._pending = uuid.uuid4().hex
        self._pending_category = code
        self.view.retry_attempt = 0
        self._show(Screen.BUSY)
        self.links.issue(self._pending, code, self._identity)

    def _print(self, job: PrintTicket) -> None:
        self.view.notes = [n for n in self.view.notes if n not in ("taken_title", "print_failed")]
        self.view.notes.insert(0, "printing")
        self.links.print_ticket(job)

    def _report(self) -> None:
        self.links.report(
            {
                "reader": "ok" if self.view.reader_ok else "fault",
                "printer": self.view.printer_status,
                "paper_near_end": self.view.printer_status == "paper_near_end",
                "printing_paused": self.view.printing_paused,
            }
        )

    def _names(self, code: str, fallback: str) -> dict[str, str]:
        for c in self.view.categories:
            if c.code == code:
                return c.names
        return {"zh-CN": fallback}

    def _ticket_view(self, ticket: TicketOut) -> TicketView:
        masked = ""
        if ticket.identity is not None:
            masked = " ".join(p for p in (ticket.identity.id_number, ticket.identity.name) if p)
        return TicketView(
            number=ticket.number,
            category=ticket.category,
            names=self._names(ticket.category, ticket.category_name),
            ahead=ticket.ahead,
            eta_minutes=ticket.eta_minutes,
            status_url=ticket.status_url,
            masked_identity=masked,
            priority=ticket.priority,
            outcome=ticket.outcome,
            due_at=ticket.due_at,
        )

    def _print_job(self, ticket: TicketOut) -> PrintTicket:
        view = self._ticket_view(ticket)
        lang = self.view.lang
        return PrintTicket(
            hall_name=ticket.hall_name,
            number=ticket.number,
            category_name=view.name(lang),
            people_ahead=ticket.ahead,
            wait_minutes=ticket.eta_minutes,
            issued_at=datetime.fromtimestamp(ticket.issued_at).replace(microsecond=0),
            masked_identity=view.masked_identity,
            status_url=ticket.status_url,
            lang=lang,
        )
