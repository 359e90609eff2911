"""Numbers as spoken units: ticket digits one by one, counters and counts as numbers."""

from __future__ import annotations

from dataclasses import dataclass

ZH_DIGITS = "零一二三四五六七八九"
ZH_POWERS = (("thousand", "千", 1000), ("hundred", "百", 100), ("ten", "十", 10))
EN_DIGITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
EN_TEENS = (
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
)
EN_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
MAX_NUMBER = 9999


@dataclass(frozen=True)
class Unit:
    """One spoken piece: ``key`` names its recorded clip, ``text`` is what TTS reads."""

    key: str
    text: str


def digit(d: int, lang: str) -> Unit:
    """A single digit, e.g. 零 or ``zero``."""
    return Unit(f"d{d}", EN_DIGITS[d] if lang == "en" else ZH_DIGITS[d])


def letter(ch: str) -> Unit:
    """A Latin letter, read by its name."""
    return Unit(f"letter_{ch.lower()}", ch.upper())


def spell(code: str, lang: str) -> list[Unit]:
    """A ticket number read character by character: A012 → A 零 一 二."""
    return [digit(int(ch), lang) if ch.isdigit() else letter(ch) for ch in code]


def number(n: int, lang: str) -> list[Unit]:
    """``n`` (0 … 9999) read as a number: 12 → 十二, 105 → 一百零五, 12 → ``twelve``."""
    if not 0 <= n <= MAX_NUMBER:
        raise ValueError(f"cannot read {n}: numbers go from 0 to {MAX_NUMBER}")
    return _english(n) if lang == "en" else _chinese(n)


def _chinese(n: int) -> list[Unit]:
    units: list[Unit] = []
    rest = n
    zero_pending = False
    for key, text, power in ZH_POWERS:
        d, rest = divmod(rest, power)
        if d == 0:
            zero_pending = bool(units)
            continue
        if zero_pending:
            units.append(digit(0, "zh"))
        if not (power == 10 and d == 1 and not units):  # 十二, not 一十二
            units.append(digit(d, "zh"))
        units.append(Unit(key, text))
        zero_pending = False
    if rest:
        if zero_pending:
            units.append(digit(0, "zh"))
        units.append(digit(rest, "zh"))
    return units or [digit(0, "zh")]


def _english(n: int) -> list[Unit]:
    units: list[Unit] = []
    thousands, rest = divmod(n, 1000)
    hundreds, rest = divmod(rest, 100)
    if thousands:
        units += [digit(thousands, "en"), Unit("thousand", "thousand")]
    if hundreds:
        units += [digit(hundreds, "en"), Unit("hundred", "hundred")]
    if 10 <= rest < 20:
        units.append(Unit(f"n{rest}", EN_TEENS[rest - 10]))
    else:
        tens, ones = divmod(rest, 10)
        if tens:
            units.append(Unit(f"n{tens}0", EN_TENS[tens]))
        if ones or not units:
            units.append(digit(ones, "en"))
    return units
