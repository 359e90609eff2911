"""A small ESC/POS reader for tests: bytes back into printed lines, QR codes, images and cuts.

It understands exactly the commands a ticket may contain and fails loudly on anything else,
including a non-ASCII byte outside Chinese mode (``FS &`` … ``FS .``), which a real printer
would print as a code-page symbol.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PIL import Image, ImageOps

ESC, GS, FS, DLE, LF = 0x1B, 0x1D, 0x1C, 0x10, 0x0A
ALIGN = {0: "left", 1: "center", 2: "right", 48: "left", 49: "center", 50: "right"}
QR_EC = {48: "L", 49: "M", 50: "Q", 51: "H"}


class EscposDecodeError(ValueError):
    """The bytes contain something a ticket must not."""


@dataclass
class Line:
    """One printed line of text and the style it was printed in."""

    text: str
    width: int = 1
    height: int = 1
    bold: bool = False
    align: str = "left"


@dataclass
class Qr:
    """A native QR code (``GS ( k``)."""

    payload: str
    module: int
    ec: str


@dataclass
class Raster:
    """A ``GS v 0`` image: ``width`` dots, rows of packed bits (1 = black)."""

    width: int
    height: int
    bits: bytes

    def image(self) -> Image.Image:
        """The image as the printer would print it (black on white, mode ``1``)."""
        ink = Image.frombytes("1", (self.width, self.height), self.bits)
        return ImageOps.invert(ink.convert("L")).convert("1")


@dataclass
class Cut:
    partial: bool


@dataclass
class Command:
    """Any other recognised command, e.g. ``init``, ``feed``, ``status``."""

    name: str
    arg: int = 0


Event = Line | Qr | Raster | Cut | Command


@dataclass
class _State:
    align: str = "left"
    bold: bool = False
    width: int = 1
    height: int = 1
    chinese: bool = False
    text: list[str] = field(default_factory=list)
    qr: dict[int, int] = field(default_factory=dict)
    qr_data: bytes = b""


def _multibyte(data: bytes, i: int, encoding: str) -> tuple[str, int]:
    """Decode the double-byte (or GB18030 four-byte) character starting at ``i``."""
    size = 4 if encoding == "gb18030" and 0x30 <= data[i + 1] <= 0x39 else 2
    try:
        return data[i : i + size].decode(encoding), i + size
    except UnicodeDecodeError as exc:
        raise EscposDecodeError(f"bad {encoding} bytes {data[i : i + size].hex()} at {i}") from exc


def read_escpos(data: bytes, encoding: str = "gb18030") -> list[Event]:
    """Decode a print job into events, in printing order."""
    events: list[Event] = []
    st = _State()
    i = 0
    while i < len(data):
        b = data[i]
        if 0x20 <= b <= 0x7E:
            st.text.append(chr(b))
            i += 1
        elif b >= 0x80:
            if not st.chinese:
                raise EscposDecodeError(f"byte {b:#04x} outside Chinese mode at {i}")
            ch, i = _multibyte(data, i, encoding)
            st.text.append(ch)
        elif b == LF:
            events.append(Line("".join(st.text), st.width, st.height, st.bold, st.align))
            st.text.clear()
            i += 1
        elif b == ESC and data[i + 1 : i + 2] == b"@":
            st = _State()
            events.append(Command("init"))
            i += 2
        elif b == ESC:
            i = _esc(data, i, st, events)
        elif b == GS:
            i = _gs(data, i, st, events)
        elif b == FS and data[i + 1 : i + 2] in (b"&", b"."):
            st.chinese = data[i + 1] == ord("&")
            i += 2
        elif b == DLE and data[i + 1] == 0x04:
            events.append(Command("status", data[i + 2]))
            i += 3
        else:
            raise EscposDecodeError(f"unknown byte {b:#04x} at {i}")
    if st.text:
        raise EscposDecodeError(f"text without a line feed at the end: {''.join(st.text)!r}")
    return events


def _esc(data: bytes, i: int, st: _State, events: list[Event]) -> int:
    op, arg = chr(data[i + 1]), data[i + 2]
    if op == "a":
        st.align = ALIGN[arg]
    elif op == "E":
        st.bold = bool(arg & 1)
    elif op == "!":
        st.bold = bool(arg & 0x08)
        st.height = 2 if arg & 0x10 else 1
        st.width = 2 if arg & 0x20 else 1
    elif op == "d":
        events.append(Command("feed", arg))
    elif op in "t3":
        events.append(Command(f"ESC {op}", arg))
    else:
        raise EscposDecodeError(f"unknown command ESC {op!r} at {i}")
    return i + 3


def _gs(data: bytes, i: int, st: _State, events: list[Event]) -> int:
    op = chr(data[i + 1])
    if op == "!":
        n = data[i + 2]
        st.width, st.height = (n >> 4) + 1, (n & 0x0F) + 1
        return i + 3
    if op == "V":
        mode = data[i + 2]
        events.append(Cut(partial=mode in (1, 49, 66)))
        return i + (4 if mode in (65, 66) else 3)
    if op == "v" and data[i + 2] == ord("0"):
        if st.text:
            raise EscposDecodeError(f"image inside an unfinished text line at {i}")
        width = 8 * int.from_bytes(data[i + 4 : i + 6], "little")
        height = int.from_bytes(data[i + 6 : i + 8], "little")
        end = i + 8 + width // 8 * height
        events.append(Raster(width, height, data[i + 8 : end]))
        return end
    if op == "(" and data[i + 2] == ord("k"):
        size = int.from_bytes(data[i + 3 : i + 5], "little")
        body = data[i + 5 : i + 5 + size]
        if body[0] != ord("1"):
            raise EscposDecodeError(f"2D code type {body[0]} is not QR at {i}")
        fn = body[1]
        if fn == 80:
            st.qr_data = body[3:]
        elif fn == 81:
            events.append(Qr(st.qr_data.decode("utf-8"), st.qr[67], QR_EC[st.qr[69]]))
        else:
            st.qr[fn] = body[2]
        return i + 5 + size
    raise EscposDecodeError(f"unknown command GS {op!r} at {i}")


def lines(events: list[Event]) -> list[str]:
    """The text lines alone."""
    return [e.text for e in events if isinstance(e, Line)]


def stitched(events: list[Event]) -> Image.Image:
    """Every raster image of the job stacked as printed."""
    rasters = [e.image() for e in events if isinstance(e, Raster)]
    out = Image.new("1", (max(r.width for r in rasters), sum(r.height for r in rasters)), 1)
    y = 0
    for raster in rasters:
        out.paste(raster, (0, y))
        y += raster.height
    return out
