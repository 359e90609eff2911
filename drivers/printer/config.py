"""Typed printer configuration; every field can also be given in the printer spec's query."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, get_type_hints

from drivers.printer.encoding import ChineseEncoder
from drivers.printer.errors import PrinterConfigError

PAPER_DOTS = {58: 384, 80: 576}
"""Printable width in dots at 203 dpi for each paper width in millimetres."""
_PROFILES = {58: "POS-5890", 80: "P822D"}
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


@dataclass(frozen=True)
class PrinterConfig:
    """How tickets are laid out and sent to one printer."""

    mode: Literal["text", "raster"] = "text"
    """``text`` uses the printer's Chinese ROM font; ``raster`` prints the ticket as an image
    (for printers without a Chinese font)."""
    encoding: str = "gb18030"
    """Chinese encoding of the printer's font: gb18030, gbk, gb2312, big5 or big5hkscs."""
    max_char_bytes: int = 2
    """Longest encoded character the ROM font holds; longer ones are printed as raster."""
    paper_mm: int = 80
    """Paper width in millimetres: 58 or 80."""
    qr_native: bool = True
    """Let the printer draw the QR code (``GS ( k``); False sends it as an image."""
    cut: Literal["full", "partial"] = "full"
    """Cut mode at the end of a ticket."""
    check_status: bool = True
    """Ask ``DLE EOT`` before each print where the transport can read."""
    print_when_unknown: bool = False
    """Print even when the printer does not answer the status query (risks a lost ticket)."""
    status_timeout: float = 0.5
    """Seconds to wait for each status reply."""
    timeout: float = 5.0
    """Seconds allowed to connect and to write a ticket."""
    font: str = ""
    """CJK font file for raster mode and previews; empty: ``YIHAO_CJK_FONT`` or fontconfig."""
    profile: str = ""
    """python-escpos printer profile; empty picks one matching the paper width."""

    def __post_init__(self) -> None:
        if self.mode not in ("text", "raster"):
            raise PrinterConfigError(f"mode must be text or raster, not {self.mode!r}")
        if self.paper_mm not in PAPER_DOTS:
            raise PrinterConfigError(f"paper_mm must be 58 or 80, not {self.paper_mm}")
        if self.cut not in ("full", "partial"):
            raise PrinterConfigError(f"cut must be full or partial, not {self.cut!r}")
        if self.status_timeout <= 0 or self.timeout <= 0:
            raise PrinterConfigError("timeouts must be positive")
        self.encoder()  # validates the encoding

    @property
    def dots(self) -> int:
        """Printable width in dots."""
        return PAPER_DOTS[self.paper_mm]

    @property
    def columns(self) -> int:
        """Characters per line in the 12-dot-wide font A."""
        return self.dots // 12

    @property
    def escpos_profile(self) -> str:
        """The python-escpos profile name to build bytes with."""
        return self.profile or _PROFILES[self.paper_mm]

    def encoder(self) -> ChineseEncoder:
        """The encoder for this printer's ROM font."""
        return ChineseEncoder(self.encoding, self.max_char_bytes)

    def with_options(self, options: Mapping[str, str]) -> PrinterConfig:
        """A copy with fields replaced by string options (from a spec's query)."""
        hints = get_type_hints(PrinterConfig)
        names = {f.name for f in dataclasses.fields(self)}
        changes: dict[str, Any] = {}
        for key, raw in options.items():
            if key not in names:
                raise PrinterConfigError(f"unknown printer option {key!r}; known: {sorted(names)}")
            changes[key] = _convert(key, raw, hints[key])
        return dataclasses.replace(self, **changes)


def _convert(key: str, raw: str, kind: object) -> object:
    try:
        if kind is bool:
            if raw.lower() not in _TRUE | _FALSE:
                raise ValueError(raw)
            return raw.lower() in _TRUE
        if kind is int:
            return int(raw)
        if kind is float:
            return float(raw)
    except ValueError as exc:
        raise PrinterConfigError(f"bad value {raw!r} for printer option {key!r}") from exc
    return raw
