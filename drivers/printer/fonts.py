"""Finding a font with Chinese glyphs for raster tickets and previews.

Order: the configured path, then ``YIHAO_CJK_FONT``, then fontconfig (``fc-list :lang=zh-cn``),
then well-known Windows and macOS paths. Debian/Ubuntu: ``apt install fonts-wqy-microhei``.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from drivers.printer.errors import FontNotFoundError, missing_library

try:
    from PIL import Image, ImageDraw, ImageFont
except ImportError as exc:  # pragma: no cover - depends on the installed extras
    raise missing_library("Pillow") from exc

logger = logging.getLogger(__name__)

FONT_ENV = "YIHAO_CJK_FONT"
MISSING_GLYPH_PROBE = "\U0010fffd"
"""A private-use code point no font maps: it always draws the font's missing-glyph box."""
_KNOWN_PATHS = (
    "C:/Windows/Fonts/msyh.ttc",
    "C:/Windows/Fonts/simhei.ttf",
    "C:/Windows/Fonts/simsun.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "/System/Library/Fonts/STHeiti Medium.ttc",
)
_INSTALL_HINT = (
    "install a Chinese font (Debian/Ubuntu: apt install fonts-wqy-microhei) "
    f"or set {FONT_ENV}=/path/to/font.ttc"
)


@dataclass(frozen=True)
class FontFace:
    """One face of a font file (``.ttc`` collections hold several)."""

    path: str
    index: int = 0


def _fontconfig_faces() -> list[FontFace]:
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return []
    out = subprocess.run(
        [fc_list, ":lang=zh-cn", "file", "index", "family"],
        capture_output=True,
        text=True,
        timeout=10,
        check=False,
    ).stdout
    found: list[tuple[bool, str, int]] = []
    for line in out.splitlines():
        path, _, rest = line.partition(": ")
        fields = dict(part.split("=", 1) for part in rest.split(":") if "=" in part)
        family = rest.split(":")[0]
        found.append(("mono" in family.lower(), path, int(fields.get("index", "0"))))
    # Proportional faces first (their Latin is narrower than a Mono face's), then a stable order.
    return [FontFace(path, index) for _, path, index in sorted(found)]


def find_cjk_font(configured: str = "") -> FontFace:
    """The font to draw Chinese with; raises FontNotFoundError naming what to install."""
    explicit = configured or os.environ.get(FONT_ENV, "")
    if explicit:
        face = FontFace(explicit)
        if not Path(explicit).is_file():
            raise FontNotFoundError(f"font file {explicit!r} does not exist; {_INSTALL_HINT}")
        if not has_glyph(load_font(face, 24), "号"):
            raise FontNotFoundError(f"font {explicit!r} has no Chinese glyphs; {_INSTALL_HINT}")
        return face
    candidates = _fontconfig_faces() + [FontFace(p) for p in _KNOWN_PATHS if Path(p).is_file()]
    for face in candidates:
        if has_glyph(load_font(face, 24), "号"):
            logger.debug("CJK font: %s (face %d)", face.path, face.index)
            return face
    raise FontNotFoundError(f"no font with Chinese glyphs found; {_INSTALL_HINT}")


@lru_cache(maxsize=32)
def load_font(face: FontFace, size: int) -> ImageFont.FreeTypeFont:
    """The face at ``size`` pixels."""
    try:
        return ImageFont.truetype(face.path, size, index=face.index)
    except OSError as exc:
        raise FontNotFoundError(f"cannot load font {face.path!r}: {exc}; {_INSTALL_HINT}") from exc


def glyph_bitmap(font: ImageFont.FreeTypeFont, ch: str) -> bytes:
    """The pixels ``font`` draws for ``ch`` on a canvas one em square."""
    size = int(font.size)
    canvas = Image.new("L", (2 * size, 2 * size), 0)
    ImageDraw.Draw(canvas).text((0, 0), ch, fill=255, font=font)
    return canvas.tobytes()


def has_glyph(font: ImageFont.FreeTypeFont, ch: str) -> bool:
    """True when ``font`` draws ``ch`` as itself rather than as its missing-glyph box."""
    return glyph_bitmap(font, ch) != glyph_bitmap(font, MISSING_GLYPH_PROBE)
