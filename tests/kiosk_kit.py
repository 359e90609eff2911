"""Helpers of the kiosk tests: links that record, the screen states, a running kiosk."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from caller_server.protocol import (
    CategoryQueue,
    IdentityIn,
    MaskedIdentity,
    QueueSnapshot,
    TicketOut,
)
from drivers.idcard.sim.citizens import load_citizens
from drivers.printer.ticket import Ticket as PrintTicket
from kiosk import events as ev
from kiosk.controller import Controller, ControllerConfig


@dataclass
class RecordingLinks:
    """Stands in for the worker threads where a test drives the controller with events."""

    issued: list[tuple[str, str, IdentityIn | None]] = field(default_factory=list)
    printed: list[PrintTicket] = field(default_factory=list)
    spoken: list[str] = field(default_factory=list)
    reports: list[dict[str, object]] = field(default_factory=list)

    def issue(self, request_id: str, category: str, identity: IdentityIn | None) -> None:
        self.issued.append((request_id, category, identity))

    def print_ticket(self, ticket: PrintTicket) -> None:
        self.printed.append(ticket)

    def speak(self, text: str, lang: str) -> None:
        self.spoken.append(text)

    def report(self, health: dict[str, object]) -> None:
        self.reports.append(health)


def snapshot(closed: str = "", full: str = "") -> QueueSnapshot:
    names = {
        "A": ("投资项目类", "投資項目類", "Investment projects", True),
        "B": ("民生服务类", "民生服務類", "Livelihood services", True),
        "C": ("社会管理类", "社會管理類", "Social administration", True),
        "D": ("综合咨询", "綜合諮詢", "General enquiries", False),
    }
    categories = [
        CategoryQueue(
            code=code,
            name=zh,
            name_tw=tw,
            name_en=en,
            waiting=3 * i + 2,
            open=code not in closed,
            id_required=needs_id,
            full=code in full,
            eta_minutes=4 * i + 6,
        )
        for i, (code, (zh, tw, en, needs_id)) in enumerate(names.items())
    ]
    return QueueSnapshot(
        seq=1,
        day="2026-12-01",
        hall="示例市政务服务中心",
        hall_tw="示例市政務服務中心",
        hall_en="Sample City Government Service Center",
        at=time.time(),
        categories=categories,
        counters=[],
        waiting=[],
    )


def ticket_out(outcome: str = "new", priority: str | None = None) -> TicketOut:
    return TicketOut(
        number="B012",
        category="B",
        category_name="民生服务类",
        status="waiting",
        ahead=5,
        eta_minutes=15,
        status_url="http://127.0.0.1:8600/t/7Kq2xW9aAbCd",
        token="7Kq2xW9aAbCd",
        identity=MaskedIdentity(id_number="410105********0034", name="张*国"),
        priority=priority,
        issued_at=time.time(),
        hall_name="示例市政务服务中心",
        outcome=outcome,  # type: ignore[arg-type]
    )


def citizen_card(label: str = "mainland-hui-ssc"):  # type: ignore[no-untyped-def]
    for citizen in load_citizens():
        if citizen.label == label:
            return citizen.expected_card()
    raise KeyError(label)


def _issued(c: Controller, outcome: str = "new", priority: str | None = None) -> None:
    c.handle(ev.CardRead(citizen_card()))
    c.choose("B")
    assert c._pending is not None
    c.handle(ev.Issued(c._pending, ticket_out(outcome, priority)))


def _refused(code: str, with_ticket: bool = False) -> Callable[[Controller], None]:
    def apply(c: Controller) -> None:
        c.handle(ev.CardRead(citizen_card()))
        c.choose("B")
        assert c._pending is not None
        c.handle(ev.IssueRefused(c._pending, code, ticket_out() if with_ticket else None))

    return apply


def _busy(c: Controller) -> None:
    c.handle(ev.CardRead(citizen_card()))
    c.choose("B")
    assert c._pending is not None
    c.handle(ev.IssueRetrying(c._pending, 2))


def _printed(c: Controller) -> None:
    _issued(c, priority="elderly")
    c.handle(ev.Printed("B012"))


def _print_failed(c: Controller) -> None:
    _issued(c)
    c.handle(ev.PrintFailed("B012", "paper_out"))


def _reader_fault(c: Controller) -> None:
    c.handle(ev.ReaderDown("unplugged"))


def _typing(c: Controller, number: str = "1101081992082") -> None:
    c.manual()
    for char in number:
        c.key(char)


SCREENS: dict[str, Callable[[Controller], None]] = {
    "attract": lambda c: None,
    "attract-reader-fault": _reader_fault,
    "categories": lambda c: c.handle(ev.CardRead(citizen_card())),
    "busy": _busy,
    "ticket": _printed,
    "ticket-print-failed": _print_failed,
    "ticket-existing": lambda c: _issued(c, "existing"),
    "over-limit": _refused("person_daily_limit", with_ticket=True),
    "card-expired": lambda c: c.handle(ev.CardRead(citizen_card("expired"))),
    "card-pulled": lambda c: c.handle(ev.CardFailed("card_pulled")),
    "server-down": _refused("network"),
    "category-full": _refused("category_at_cap"),
    "keypad": _typing,
    "keypad-invalid": lambda c: _typing(c, "110108199208210028"),
}
"""Every screen the kiosk can show, reached by the events that lead there."""


def controller(links: RecordingLinks | None = None, **config: object) -> Controller:
    config = {"manual_entry": True, **config}
    c = Controller(ControllerConfig(**config), links or RecordingLinks())  # type: ignore[arg-type]
    c.handle(ev.QueueSeen(snapshot(closed="C")))
    return c
