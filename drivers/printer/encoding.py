"""Chinese text for the printer's own font: explicit encoding inside ``FS &`` … ``FS .``.

python-escpos guesses (a regex on U+4E00–9FA5) and prints ``?`` for a line made of
``：`` or ``〇`` alone. Here every non-ASCII run is encoded with the printer's
double-byte encoding and wrapped in Chinese mode; ASCII stays single-byte outside it.
"""

from __future__ import annotations

import codecs
import itertools
from dataclasses import dataclass

from drivers.printer.errors import PrinterConfigError

FS_CHINESE_ON = b"\x1c&"
FS_CHINESE_OFF = b"\x1c."
ENCODINGS = ("gb18030", "gbk", "gb2312", "big5", "big5hkscs")
"""Encodings a Chinese printer ROM can hold (Python codec names)."""


@dataclass(frozen=True)
class ChineseEncoder:
    """Encodes text for one printer model."""

    encoding: str = "gb18030"
    """The printer's Chinese encoding; GB18030 by default, GBK or Big5 for some models."""
    max_char_bytes: int = 2
    """Longest encoded character the ROM font holds. Printer fonts carry the two-byte part
    of GB18030; four-byte characters (e.g. 𠮷) are printed as raster instead."""

    def __post_init__(self) -> None:
        try:
            name = codecs.lookup(self.encoding).name
        except LookupError:
            name = self.encoding
        if name not in ENCODINGS:
            raise PrinterConfigError(
                f"unsupported printer encoding {self.encoding!r}; use one of {', '.join(ENCODINGS)}"
            )
        object.__setattr__(self, "encoding", name)

    def can_print(self, text: str) -> bool:
        """True when every character of ``text`` is in the printer's font."""
        return all(self._char_bytes(ch) is not None for ch in text)

    def _char_bytes(self, ch: str) -> bytes | None:
        if " " <= ch <= "~":
            return ch.encode("ascii")
        try:
            data = ch.encode(self.encoding)
        except UnicodeEncodeError:
            return None
        return data if 1 < len(data) <= self.max_char_bytes else None

    def encode(self, text: str) -> bytes:
        """``text`` as printer bytes; raises ValueError if :meth:`can_print` is False."""
        out = bytearray()
        for is_ascii, run in itertools.groupby(text, key=lambda ch: " " <= ch <= "~"):
            chunk = "".join(run)
            if is_ascii:
                out += chunk.encode("ascii")
                continue
            encoded = [self._char_bytes(ch) for ch in chunk]
            if any(b is None for b in encoded):
                raise ValueError(f"{chunk!r} is not printable in {self.encoding}")
            out += FS_CHINESE_ON + b"".join(b for b in encoded if b) + FS_CHINESE_OFF
        return bytes(out)
