"""What the hall hears: call, recall and kiosk guidance phrases in zh-CN, zh-TW and English.

A :class:`Phrase` has the text screens show (「请 A012 号到 3 号窗口办理」) and the spoken units
(请 A 零 一 二 号 到 三 号窗口 办理): ticket digits one by one, counters as numbers.
Each unit has a clip key, so the clip engine and the TTS engine say the same words.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass

from drivers.voice.numbers import (
    EN_DIGITS,
    EN_TEENS,
    EN_TENS,
    MAX_NUMBER,
    ZH_DIGITS,
    ZH_POWERS,
    Unit,
    letter,
    number,
    spell,
)

LANGS = ("zh-CN", "zh-TW", "en")
PAUSE_KEY = "pause"
"""Clip key of the short silence between clauses."""
_TICKET = re.compile(r"[A-Za-z]{0,2}[0-9]{1,4}")

_WORDS: dict[str, dict[str, str]] = {
    "zh-CN": {
        "please": "请",
        "number": "号",
        "go_to": "到",
        "counter": "号窗口",
        "to_serve": "办理",
        "recall": "再次呼叫",
        "your_number": "您的号码是",
        "ahead": "前面还有",
        "people": "人",
        "take_ticket": "请取走您的号票",
    },
    "zh-TW": {
        "please": "請",
        "number": "號",
        "go_to": "到",
        "counter": "號窗口",
        "to_serve": "辦理",
        "recall": "再次呼叫",
        "your_number": "您的號碼是",
        "ahead": "前面還有",
        "people": "人",
        "take_ticket": "請取走您的號票",
    },
    "en": {
        "number": "Number",
        "go_to_counter": "please go to counter",
        "recall": "Recall",
        "your_number": "Your number is",
        "people_ahead": "people ahead of you",
        "person_ahead": "person ahead of you",
        "take_ticket": "Please take your ticket",
    },
}
_DISPLAY = {
    "zh-CN": {
        "call": "请 {t} 号到 {c} 号窗口办理",
        "recall": "再次呼叫：请 {t} 号到 {c} 号窗口办理",
        "guide": "您的号码是 {t}，前面还有 {n} 人，请取走您的号票",
    },
    "zh-TW": {
        "call": "請 {t} 號到 {c} 號窗口辦理",
        "recall": "再次呼叫：請 {t} 號到 {c} 號窗口辦理",
        "guide": "您的號碼是 {t}，前面還有 {n} 人，請取走您的號票",
    },
    "en": {
        "call": "Number {t}, please go to counter {c}.",
        "recall": "Recall: number {t}, please go to counter {c}.",
        "guide": "Your number is {t}, {n} {people} ahead of you. Please take your ticket.",
    },
}


@dataclass(frozen=True)
class Phrase:
    """A sentence to announce: the displayed text and the spoken units."""

    text: str
    units: tuple[Unit, ...]
    lang: str
    ticket: str = ""

    @property
    def speech_text(self) -> str:
        """The units as one line for a TTS engine, e.g. 请A零一二号到十二号窗口办理."""
        if self.lang == "en":
            return " ".join(unit.text for unit in self.units).replace(" ,", ",")
        return "".join(unit.text for unit in self.units)


def _check(ticket: str, lang: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; known: {', '.join(LANGS)}")
    if not _TICKET.fullmatch(ticket):
        raise ValueError(f"not a ticket number: {ticket!r} (expected e.g. A012)")
    return ticket.upper()


def _pause(lang: str) -> Unit:
    return Unit(PAUSE_KEY, "," if lang == "en" else "，")


def _words(lang: str, *keys: str) -> list[Unit]:
    return [Unit(key, _WORDS[lang][key]) for key in keys]


def _call_units(ticket: str, counter: int, lang: str) -> list[Unit]:
    if counter < 1:
        raise ValueError(f"counter numbers start at 1, not {counter}")
    if lang == "en":
        return [
            *_words(lang, "number"),
            *spell(ticket, lang),
            _pause(lang),
            *_words(lang, "go_to_counter"),
            *number(counter, lang),
        ]
    return [
        *_words(lang, "please"),
        *spell(ticket, lang),
        *_words(lang, "number", "go_to"),
        *number(counter, lang),
        *_words(lang, "counter", "to_serve"),
    ]


def call_phrase(ticket: str, counter: int, lang: str = "zh-CN") -> Phrase:
    """「请 A012 号到 3 号窗口办理」 with its spoken units."""
    code = _check(ticket, lang)
    text = _DISPLAY[lang]["call"].format(t=code, c=counter)
    return Phrase(text, tuple(_call_units(code, counter, lang)), lang, code)


def call_text(ticket: str, counter: int, lang: str = "zh-CN") -> str:
    """The call as screens show it: 「请 A012 号到 3 号窗口办理」."""
    return call_phrase(ticket, counter, lang).text


def recall_phrase(ticket: str, counter: int, lang: str = "zh-CN") -> Phrase:
    """The recall (重呼): 「再次呼叫：请 A012 号到 3 号窗口办理」."""
    code = _check(ticket, lang)
    text = _DISPLAY[lang]["recall"].format(t=code, c=counter)
    units = [*_words(lang, "recall"), _pause(lang), *_call_units(code, counter, lang)]
    return Phrase(text, tuple(units), lang, code)


def guidance_phrase(ticket: str, ahead: int, lang: str = "zh-CN") -> Phrase:
    """Elderly mode, after printing: 「您的号码是 A012，前面还有 5 人，请取走您的号票」."""
    code = _check(ticket, lang)
    if lang == "en":
        people = "person" if ahead == 1 else "people"
        text = _DISPLAY[lang]["guide"].format(t=code, n=ahead, people=people)
        units = [
            *_words(lang, "your_number"),
            *spell(code, lang),
            _pause(lang),
            *number(ahead, lang),
            *_words(lang, f"{people}_ahead"),
            _pause(lang),
            *_words(lang, "take_ticket"),
        ]
    else:
        text = _DISPLAY[lang]["guide"].format(t=code, n=ahead)
        units = [
            *_words(lang, "your_number"),
            *spell(code, lang),
            _pause(lang),
            *_words(lang, "ahead"),
            *number(ahead, lang),
            *_words(lang, "people"),
            _pause(lang),
            *_words(lang, "take_ticket"),
        ]
    return Phrase(text, tuple(units), lang, code)


def vocabulary(lang: str) -> dict[str, str]:
    """Every unit any phrase in ``lang`` can use, clip key → text (the recording script)."""
    units = [letter(ch) for ch in string.ascii_uppercase]
    units += [Unit(f"d{d}", EN_DIGITS[d] if lang == "en" else ZH_DIGITS[d]) for d in range(10)]
    if lang == "en":
        units += [Unit(f"n{10 + i}", word) for i, word in enumerate(EN_TEENS)]
        units += [Unit(f"n{t}0", EN_TENS[t]) for t in range(2, 10)]
        units += [Unit("hundred", "hundred"), Unit("thousand", "thousand")]
    else:
        units += [Unit(key, text) for key, text, _ in ZH_POWERS]
    units += _words(lang, *_WORDS[lang])
    return {unit.key: unit.text for unit in units}


_SENTENCE_PARTS = re.compile(r"(?<![A-Za-z])([A-Z][0-9]{3})(?![0-9])|([0-9]+)")


def sentence_phrase(text: str, lang: str = "zh-CN") -> Phrase:
    """A free sentence (kiosk guidance, 「还剩 10 秒」) with its numbers spoken as numbers and
    ticket numbers digit by digit; the words in between are one unit each (TTS only: they
    have no recorded clip)."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; known: {', '.join(LANGS)}")
    units: list[Unit] = []
    at = 0
    for match in _SENTENCE_PARTS.finditer(text):
        if text[at : match.start()].strip():
            units.append(Unit("text", text[at : match.start()].strip()))
        ticket, digits = match.groups()
        if ticket:
            units += spell(ticket, lang)
        elif int(digits) <= MAX_NUMBER:
            units += number(int(digits), lang)
        else:
            units += spell(digits, lang)
        at = match.end()
    if text[at:].strip():
        units.append(Unit("text", text[at:].strip()))
    return Phrase(text, tuple(units), lang)
