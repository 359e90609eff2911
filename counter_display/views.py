"""View models the screens read: plain data computed from the pushed display state.

No Qt here: the same objects drive the widgets and the tests.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from caller_server.protocol import DeviceDown, DisplayState, EventOut

STATUS_ZH = {"open": "", "paused": "暂停服务", "closed": "暂停服务"}
EVALUATION_SECONDS = 60.0
"""How long the evaluation buttons stay after 办结 when nobody presses one."""
LEVELS = ((5, "非常满意"), (4, "满意"), (3, "基本满意"), (2, "不满意"), (1, "非常不满意"))


def call_sentence(number: str, counter: int) -> str:
    return f"请 {number} 号到 {counter} 号窗口"


@dataclass(frozen=True)
class CounterView:
    counter: int
    name: str
    number: str
    sentence: str
    paused: bool
    waiting: int
    evaluating: str | None
    """The finished ticket the citizen may rate now, or None."""
    clerk: str | None = None
    """Who works at this counter today (the clerk's user name or number), or None."""

    @property
    def footer(self) -> str:
        """The bottom line: how many wait here, and who serves."""
        waiting = f"本窗口等候 {self.waiting} 人"
        return f"{waiting}　｜　工作人员 Staff：{self.clerk}" if self.clerk else waiting


@dataclass(frozen=True)
class WallRow:
    counter: int
    name: str
    number: str
    paused: bool


@dataclass(frozen=True)
class WallView:
    hall: str
    rows: list[WallRow]
    recent: list[str]
    waiting: list[tuple[str, int]]
    notice: str
    flash: str | None
    """The number just called (the wall flashes it), or None."""


@dataclass
class DisplayModel:
    """The latest state plus what the events of the last update mean for this device."""

    counter: int | None = None
    state: DisplayState | None = None
    evaluating: str | None = None
    evaluating_until: float = 0.0
    flash: str | None = None
    rating_answer: str | None = None
    new_calls: list[EventOut] = field(default_factory=list)

    def apply(self, message: DeviceDown, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        self.new_calls = []
        if message.type == "rated":
            self.rating_answer = message.detail
            if message.ok:
                self.evaluating = None
            return
        if message.state is not None:
            self.state = message.state
        if message.type == "snapshot":
            self.evaluating, self.flash = None, None
            if message.device is not None and message.device.counter is not None:
                self.counter = message.device.counter
            return
        for event in message.events:
            if event.kind in ("called", "recalled"):
                self.new_calls.append(event)
                self.flash = event.number
            if event.counter != self.counter or self.counter is None:
                continue
            if event.kind == "finished" and event.number:
                self.evaluating, self.evaluating_until = event.number, now + EVALUATION_SECONDS
                self.rating_answer = None
            elif event.kind in ("called", "recalled", "rated"):
                self.evaluating = None

    def counter_view(self, now: float | None = None) -> CounterView | None:
        now = time.monotonic() if now is None else now
        if self.state is None or self.counter is None:
            return None
        found = next((c for c in self.state.counters if c.number == self.counter), None)
        if found is None:
            return None
        if self.evaluating and now > self.evaluating_until:
            self.evaluating = None
        current = found.current
        called = current is not None and current.status in ("called", "serving")
        number = current.number if current is not None and called else ""
        waiting = sum(c.waiting for c in self.state.categories if c.code in found.categories)
        paused = found.status != "open"
        return CounterView(
            counter=found.number,
            name=found.name,
            number=number,
            sentence=call_sentence(number, found.number) if number else "",
            paused=paused,
            waiting=waiting,
            evaluating=self.evaluating,
            clerk=found.clerk,
        )

    def wall_view(self) -> WallView | None:
        if self.state is None:
            return None
        rows = [
            WallRow(
                counter=c.number,
                name=c.name,
                number=c.current.number if c.current is not None else "",
                paused=c.status != "open",
            )
            for c in self.state.counters
        ]
        recent = [
            f"{e.number}　{e.counter}号窗口"
            for e in self.state.recent
            if e.number and e.counter is not None
        ]
        return WallView(
            hall=self.state.hall,
            rows=rows,
            recent=recent,
            waiting=[(c.name, c.waiting) for c in self.state.categories],
            notice=self.state.notice,
            flash=self.flash,
        )
