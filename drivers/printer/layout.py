"""The ticket as a list of blocks, shared by the ESC/POS text renderer and the raster renderer.

Both renderers walk the same blocks in the same order; each measures text its own way
(printer columns or font pixels) and uses :func:`fit_block` to choose the scale and the
line breaks.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Literal

from drivers.printer.ticket import Ticket

Align = Literal["left", "center", "right"]
Fits = Callable[[str, int], bool]
"""``fits(text, scale)``: does ``text`` at magnification ``scale`` fit on one line?"""

# Kinsoku: punctuation that may not start a line, and that may not end one.
_NO_LINE_START = set("，。、；：？！）》」』】〕”’…·,.;:?!)%")
_NO_LINE_END = set("（《「『【〔“‘(")


@dataclass(frozen=True)
class TextBlock:
    """Text at an integer magnification (1 = the printer's 12x24 font)."""

    text: str
    scale: int = 1
    bold: bool = False
    align: Align = "center"
    one_line: bool = False
    """Shrink the scale until the text fits on one line instead of wrapping it."""


@dataclass(frozen=True)
class QrBlock:
    """A QR code of ``data``; ``module`` is the size of one module in printer dots."""

    data: str
    module: int = 6


@dataclass(frozen=True)
class RuleBlock:
    """A horizontal separator."""


Block = TextBlock | QrBlock | RuleBlock


def clean(text: str) -> str:
    """Printable text: control characters (which would be printer commands) become spaces."""
    return " ".join("".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text).split())


def ticket_blocks(ticket: Ticket) -> list[Block]:
    """The ticket's layout, top to bottom."""
    labels = ticket.labels
    blocks: list[Block] = [
        TextBlock(clean(ticket.hall_name), scale=2, bold=True),
        RuleBlock(),
        TextBlock(clean(ticket.category_name), scale=2),
        TextBlock(clean(ticket.number), scale=4, bold=True, one_line=True),
        TextBlock(labels.ahead.format(n=ticket.people_ahead), scale=2),
    ]
    if ticket.wait_minutes is not None:
        blocks.append(TextBlock(labels.wait.format(n=ticket.wait_minutes)))
    if ticket.status_url:
        blocks += [QrBlock(ticket.status_url), TextBlock(labels.scan)]
    blocks.append(RuleBlock())
    if ticket.masked_identity:
        blocks.append(TextBlock(labels.identity + clean(ticket.masked_identity), align="left"))
    blocks.append(
        TextBlock(labels.issued + ticket.issued_at.strftime("%Y-%m-%d %H:%M"), align="left")
    )
    if ticket.notice:
        blocks.append(TextBlock(clean(ticket.notice), align="left"))
    return blocks


def columns(text: str) -> int:
    """Width in printer columns: full-width and wide characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def fit_block(block: TextBlock, fits: Fits) -> tuple[int, list[str]]:
    """The scale to print ``block`` at and its lines."""
    if block.one_line:
        scale = block.scale
        while scale > 1 and not fits(block.text, scale):
            scale -= 1
        return scale, [block.text]

    def fits_line(line: str, limit: int | None = None) -> bool:
        return fits(line, block.scale) and (limit is None or len(line.strip()) <= limit)

    lines = wrap(block.text, fits_line)
    if block.align != "center" or len(lines) < 2:
        return block.scale, lines
    # Centred text: even lines (示范市政务 / 服务中心) rather than a long line and a stub.
    for limit in range(-(-len(block.text) // len(lines)), len(block.text)):
        balanced = wrap(block.text, partial(fits_line, limit=limit))
        if len(balanced) == len(lines):
            return block.scale, balanced
    return block.scale, lines


def _tokens(text: str) -> list[str]:
    """Unbreakable pieces: a Latin word, one CJK character, or a space; with kinsoku applied."""
    tokens: list[str] = []
    for ch in text:
        if not tokens:
            tokens.append(ch)
            continue
        last = tokens[-1]
        while ch in _NO_LINE_START and last.isspace() and len(tokens) > 1:
            tokens.pop()  # no space before closing punctuation: it joins the word before
            last = tokens[-1]
        latin_word = ch.isascii() and not ch.isspace() and ch not in _NO_LINE_END
        same_word = latin_word and last[-1].isascii() and not last.isspace()
        if same_word or ch in _NO_LINE_START or last[-1] in _NO_LINE_END:
            tokens[-1] += ch
        else:
            tokens.append(ch)
    return tokens


def wrap(text: str, fits: Callable[[str], bool]) -> list[str]:
    """Break ``text`` into lines that each satisfy ``fits``.

    Breaks between CJK characters and at spaces, keeps Latin words (numbers, URLs) whole
    unless one alone is too long, and keeps closing punctuation off the start of a line.
    """
    lines: list[str] = []
    line = ""
    for token in _tokens(text):
        if fits(line + token):
            line += token
            continue
        if line.strip():
            lines.append(line.strip())
        line = "" if token.isspace() else token
        while line and not fits(line):
            cut = next((n for n in range(len(line) - 1, 1, -1) if fits(line[:n])), 1)
            lines.append(line[:cut])
            line = line[cut:]
    if line.strip():
        lines.append(line.strip())
    return lines
