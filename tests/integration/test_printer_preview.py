"""The preview and raster tickets draw real Chinese glyphs, not the font's missing-glyph box."""

from __future__ import annotations

import os
import shutil
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest
from PIL import ImageChops

from drivers.printer import FontNotFoundError, PrinterConfig, RecordingPrinter, sample_ticket
from drivers.printer.fonts import (
    MISSING_GLYPH_PROBE,
    find_cjk_font,
    glyph_bitmap,
    load_font,
)
from drivers.printer.raster import RasterRenderer

TICKET = sample_ticket(datetime(2024, 5, 8, 9, 31))
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


@pytest.fixture
def renderer() -> RasterRenderer:
    try:
        return RasterRenderer(PrinterConfig())
    except FontNotFoundError as exc:
        pytest.skip(f"no CJK font on this machine ({exc}); CI installs fonts-wqy-microhei")


def test_every_chinese_character_of_the_ticket_has_a_real_glyph(renderer: RasterRenderer) -> None:
    font = load_font(renderer.face, 24)
    box = glyph_bitmap(font, MISSING_GLYPH_PROBE)
    text = (
        TICKET.hall_name
        + TICKET.category_name
        + TICKET.notice
        + "前面还有人预计等待分钟取号时间证件〇："
    )
    for ch in set(text):
        assert glyph_bitmap(font, ch) != box, ch


def test_preview_differs_from_the_same_ticket_drawn_with_boxes(renderer: RasterRenderer) -> None:
    real = renderer.ticket(TICKET)
    boxes = renderer.ticket(replace(TICKET, category_name=MISSING_GLYPH_PROBE * 5))
    other = renderer.ticket(replace(TICKET, category_name="社会管理类"))
    # Drawn as boxes, 民生服务类 and five missing glyphs would be the same pixels.
    assert real.size == boxes.size == other.size
    assert ImageChops.difference(real, boxes).getbbox() is not None
    assert ImageChops.difference(real, other).getbbox() is not None
    # Only the category line differs between two real categories.
    changed = ImageChops.difference(real, other).getbbox()
    assert changed is not None and changed[3] - changed[1] < 80


def test_preview_is_a_ticket_sized_png(renderer: RasterRenderer, tmp_path: Path) -> None:
    image = RecordingPrinter(PrinterConfig(paper_mm=58)).preview(TICKET)
    assert image.width == 384 and 700 < image.height < 1400
    out = tmp_path / "ticket.png"
    image.save(out)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    ink = sum(image.histogram()[:128]) / (image.width * image.height)
    assert 0.03 < ink < 0.5


def test_a_font_without_chinese_is_refused_by_name(
    renderer: RasterRenderer, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not DEJAVU.is_file():
        pytest.skip("DejaVu Sans (a font without Chinese) is not installed")
    monkeypatch.setenv("YIHAO_CJK_FONT", str(DEJAVU))
    with pytest.raises(FontNotFoundError, match="no Chinese glyphs") as caught:
        find_cjk_font()
    assert "fonts-wqy-microhei" in str(caught.value)
    assert caught.value.message_zh == "缺少中文字体，请联系工作人员"


def test_no_font_anywhere_names_the_package(
    renderer: RasterRenderer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("YIHAO_CJK_FONT", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # no fc-list
    assert shutil.which("fc-list") is None
    if any(os.path.exists(p) for p in ("C:/Windows/Fonts/msyh.ttc",)):
        pytest.skip("a Windows CJK font is present")
    with pytest.raises(FontNotFoundError, match="fonts-wqy-microhei"):
        find_cjk_font()
