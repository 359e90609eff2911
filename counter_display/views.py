"""View models the screens read: plain data computed from the pushed display state.

No Qt here: the same objects drive the widgets and the tests. Every text a screen draws is
chosen here in the device's language (:mod:`counter_display.texts`); the widgets only lay it
out.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from caller_server.protocol import CounterState, DeviceDown, DisplayState, EventOut
from counter_display.texts import DEFAULT_LANG, TEXTS, text

EVALUATION_SECONDS = 60.0
"""How long the evaluation buttons stay after 办结 when nobody presses one."""
THANKS_SECONDS = 5.0
"""How long the thanks stays after a citizen rated."""
LEVELS = (5, 4, 3, 2, 1)
"""The 好差评 levels, best first: 非常满意 … 非常不满意 (the last two are bad reviews)."""


def call_sentence(number: str, counter: int, lang: str = DEFAULT_LANG) -> str:
    return text("call", lang, number=number, counter=counter)


def pick(zh: str, tw: str, en: str, lang: str) -> str:
    """One of a name the server sent in three languages; a missing one falls back to zh-CN."""
    return {"zh-TW": tw, "en": en}.get(lang, zh) or zh


def counter_name(counter: CounterState, lang: str) -> str:
    """The hall's name for a counter in ``lang``; without one, 「3號窗口」 / "Counter 3"."""
    given = {"zh-CN": counter.name, "zh-TW": counter.name_tw, "en": counter.name_en}.get(lang)
    return given or text("counter", lang, counter=counter.number)


def status_text(status: str, lang: str) -> str:
    """What the screen says about its link to the server (nothing while online)."""
    key = f"status_{status}"
    return text(key, lang) if key in TEXTS else ("" if status == "online" else status)


@dataclass(frozen=True)
class PinView:
    """The screen of a device that is not paired: its PIN, large, and what to do with it."""

    pin: str
    title: str
    hint: str
    banner: str
    """The wall's one line: name, 等待配对 and the PIN."""


def pin_view(pin: str, name: str, lang: str = DEFAULT_LANG) -> PinView:
    return PinView(
        pin=pin,
        title=text("pairing", lang, name=name),
        hint=text("pairing_hint", lang),
        banner=text("pairing_wall", lang, name=name, pin=pin),
    )


@dataclass(frozen=True)
class CounterView:
    counter: int
    name: str
    """The counter's name in the screen's language."""
    number: str
    sentence: str
    paused: bool
    waiting: int
    evaluating: str | None
    """The finished ticket the citizen may rate now, or None."""
    clerk: str | None = None
    """Who works at this counter today (the clerk's user name or number), or None."""
    lang: str = DEFAULT_LANG
    answer: str = ""
    """The answer to a rating: why it failed (while evaluating) or thanks (a few seconds)."""

    @property
    def big(self) -> str:
        """The large line: the ticket being rated or called, or 暂停服务."""
        if self.evaluating:
            return self.evaluating
        if self.paused:
            return text("paused", self.lang)
        return self.number or "—"

    @property
    def line(self) -> str:
        """The line under it: the call sentence, or what the citizen should do."""
        if self.evaluating:
            return text("rate_prompt", self.lang)
        if self.paused:
            return text("paused_hint", self.lang)
        return self.sentence or self.answer or text("please_wait", self.lang)

    @property
    def ratings(self) -> list[tuple[int, str]]:
        """The five 好差评 buttons: level and label."""
        return [(level, text(f"rate_{level}", self.lang)) for level in LEVELS]

    @property
    def footer(self) -> str:
        """The bottom line: how many wait here, and who serves (or a rating's failure)."""
        if self.evaluating and self.answer:
            return self.answer
        waiting = text("waiting_here", self.lang, n=self.waiting)
        if not self.clerk:
            return waiting
        return f"{waiting}　｜　{text('staff', self.lang, clerk=self.clerk)}"


@dataclass(frozen=True)
class WallRow:
    counter: int
    label: str
    """「3号窗口」 in the wall's language."""
    number: str
    paused: bool
    lang: str = DEFAULT_LANG

    @property
    def shown(self) -> str:
        """What the tile's big number says: the ticket, 暂停, or a dash."""
        return text("paused_short", self.lang) if self.paused else (self.number or "—")


@dataclass(frozen=True)
class WallView:
    hall: str
    rows: list[WallRow]
    recent: list[str]
    waiting: list[tuple[str, int]]
    notice: str
    flash: str | None
    """The number just called (the wall flashes it), or None."""
    lang: str = DEFAULT_LANG

    @property
    def recent_title(self) -> str:
        return text("recent_title", self.lang)

    @property
    def waiting_line(self) -> str:
        """「等候  投资项目类 4 人　民生服务类 17 人」 in the wall's language."""
        each = "　".join(text("waiting_in", self.lang, name=name, n=n) for name, n in self.waiting)
        return f"{text('waiting', self.lang)}  {each}"


@dataclass
class DisplayModel:
    """The latest state plus what the events of the last update mean for this device."""

    counter: int | None = None
    state: DisplayState | None = None
    evaluating: str | None = None
    evaluating_until: float = 0.0
    flash: str | None = None
    answer: str = ""
    """The answer to the last rating, in ``lang`` (see :attr:`CounterView.answer`)."""
    answer_until: float = 0.0
    new_calls: list[EventOut] = field(default_factory=list)
    lang: str = DEFAULT_LANG
    """The screen's language: zh-CN, zh-TW or en."""

    def apply(self, message: DeviceDown, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        self.new_calls = []
        if message.type == "rated":
            if message.ok:
                self.evaluating = None
                self.answer, self.answer_until = (
                    text("rate_thanks", self.lang),
                    now + THANKS_SECONDS,
                )
            else:
                detail = message.detail or ""
                self.answer = pick(detail, message.detail_tw, message.detail_en, self.lang)
                self.answer_until = self.evaluating_until
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
                self.answer = ""
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
        return CounterView(
            counter=found.number,
            name=counter_name(found, self.lang),
            number=number,
            sentence=call_sentence(number, found.number, self.lang) if number else "",
            paused=found.status != "open",
            waiting=waiting,
            evaluating=self.evaluating,
            clerk=found.clerk,
            lang=self.lang,
            answer=self.answer if now <= self.answer_until else "",
        )

    def wall_view(self) -> WallView | None:
        state = self.state
        if state is None:
            return None
        lang = self.lang
        rows = [
            WallRow(
                counter=c.number,
                label=text("counter", lang, counter=c.number),
                number=c.current.number if c.current is not None else "",
                paused=c.status != "open",
                lang=lang,
            )
            for c in state.counters
        ]
        recent = [
            text("recent_call", lang, number=e.number, counter=e.counter)
            for e in state.recent
            if e.number and e.counter is not None
        ]
        return WallView(
            hall=pick(state.hall, state.hall_tw, state.hall_en, lang),
            rows=rows,
            recent=recent,
            waiting=[
                (pick(c.name, c.name_tw, c.name_en, lang), c.waiting) for c in state.categories
            ],
            notice=state.notice,
            flash=self.flash,
            lang=lang,
        )
