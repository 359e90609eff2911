"""长辈模式 and standard mode, measured on the rendered widgets of every screen.

MIIT 《移动互联网应用(App)适老化通用设计规范》 numbers converted to the kiosk's panel: body
text ≥ 18 pt, the largest text ≥ 30 pt, touch targets ≥ 15 mm, line spacing ≥ 1.3,
contrast ≥ 4.5:1. Sizes come from the widgets Qt laid out (font info, geometry), line
spacing from the text layout Qt uses for the label, contrast from the grabbed pixels.
Every screen × mode × language × orientation is also saved as a PNG under
``$YIHAO_ARTIFACTS/kiosk`` (default: the test's tmp dir).
"""

from __future__ import annotations

import io
import itertools
import math
import os
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PIL import Image
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPoint, QRect
from PySide6.QtGui import QFontInfo, QTextDocument
from PySide6.QtWidgets import QAbstractButton, QLabel, QWidget

from kiosk.strings import LANGS, msg
from kiosk.ui.theme import LINE_HEIGHT as LINE_HEIGHT_PERCENT
from kiosk.ui.widgets import CategoryButton, plain_text
from kiosk.ui.window import KioskWindow
from tests.kiosk_kit import SCREENS, controller

PANEL_INCHES = 21.5
PANEL_PX = (1080, 1920)
DPI = math.hypot(*PANEL_PX) / PANEL_INCHES
"""≈ 102.5 dpi on the default 21.5″ 1080×1920 panel."""
BODY_PX = 18 / 72 * DPI
LARGEST_PX = 30 / 72 * DPI
TARGET_PX = 15 / 25.4 * DPI
LINE_SPACING = 1.3
CONTRAST = 4.5


def luminance(rgb: tuple[int, int, int]) -> float:
    def channel(c: int) -> float:
        v = c / 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def screen_image(window: QWidget) -> Image.Image:
    """The window as rendered, as a Pillow image."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    window.grab().toImage().save(buffer, "BMP")
    return Image.open(io.BytesIO(bytes(data.data()))).convert("RGB")


def pixel_contrast(screen: Image.Image, window: QWidget, widget: QWidget) -> float:
    """Background = the commonest colour of the widget's pixels on screen; ink = the colour
    that stands out most from it."""
    top_left = widget.mapTo(window, QPoint(0, 0))
    box = (
        top_left.x(),
        top_left.y(),
        top_left.x() + widget.width(),
        top_left.y() + widget.height(),
    )
    colours = screen.crop(box).getcolors(maxcolors=1 << 20) or []
    background = max(colours)[1]
    return max(contrast(background, colour) for _, colour in colours)


def line_pitch(label: QLabel) -> float:
    """Distance between two wrapped lines of this label's text, as Qt lays it out."""
    doc = QTextDocument()
    doc.setDefaultFont(label.font())
    doc.setHtml(label.text().replace("</p>", "<br>测</p>", 1))
    doc.setTextWidth(100000)
    doc.size()  # lays the document out
    layout = doc.firstBlock().layout()
    assert layout is not None and layout.lineCount() >= 2, label.text()
    return layout.lineAt(layout.lineCount() - 1).y() - layout.lineAt(layout.lineCount() - 2).y()


def visible(window: QWidget, kind: type) -> Iterator:  # type: ignore[type-arg]
    for widget in window.findChildren(kind):
        if widget.isVisibleTo(window) and widget.width() > 0:
            yield widget


def measure(window: KioskWindow, size: tuple[int, int]) -> list[str]:
    """Every MIIT number below its threshold on this screen, as readable lines."""
    screen = screen_image(window)
    problems: list[str] = []
    if (window.width(), window.height()) != size:
        problems.append(f"needs {window.width()}×{window.height()} px, the panel is {size}")
    sizes: list[int] = []
    for label in visible(window, QLabel):
        text = plain_text(label) if label.text().startswith("<") else label.text()
        if not text.strip():
            continue
        px = QFontInfo(label.font()).pixelSize()
        sizes.append(px)
        if px < BODY_PX:
            problems.append(f"text {text[:20]!r} is {px} px < {BODY_PX:.1f}")
        if label.text().startswith("<p"):
            ratio = line_pitch(label) / px
            if ratio < LINE_SPACING:
                problems.append(f"line spacing of {text[:20]!r} is {ratio:.2f} < 1.3")
        # Qt's proportional line height also pads below the last line: that much may go.
        trailing = px * (LINE_HEIGHT_PERCENT - 100) / 100
        if label.wordWrap() and label.height() + trailing < label.heightForWidth(label.width()):
            needed = label.heightForWidth(label.width())
            problems.append(f"text {text[:20]!r} is cut off ({label.height()} of {needed} px)")
        ratio = pixel_contrast(screen, window, label)
        if ratio < CONTRAST and label.visibleRegion().boundingRect().height() >= px:
            problems.append(f"contrast of {text[:20]!r} is {ratio:.1f} < 4.5")
    for button in visible(window, QAbstractButton):
        w, h = button.width(), button.height()
        if min(w, h) < TARGET_PX:
            problems.append(f"button {button.text()[:20]!r} is {w}×{h} px < {TARGET_PX:.0f}")
        if button.text() and button.sizeHint().width() > w:
            problems.append(f"button text {button.text()[:20]!r} is cut off ({w} px wide)")
        if button.text():
            px = QFontInfo(button.font()).pixelSize()
            sizes.append(px)
            if px < BODY_PX:
                problems.append(f"button text {button.text()[:20]!r} is {px} px")
            ratio = pixel_contrast(screen, window, button)
            if ratio < CONTRAST:
                problems.append(f"contrast of button {button.text()[:20]!r} is {ratio:.1f}")
    if max(sizes, default=0) < LARGEST_PX:
        problems.append(f"largest text {max(sizes, default=0)} px < {LARGEST_PX:.1f}")
    boxes = [
        QRect(b.mapTo(window, QPoint(0, 0)), b.size()) for b in visible(window, CategoryButton)
    ]
    for a, b in itertools.combinations(boxes, 2):
        if a.intersects(b):
            problems.append("two categories overlap")
        if not window.landscape and a.y() < b.y() + b.height() and b.y() < a.y() + a.height():
            problems.append("two categories share a row (portrait: one choice per row)")
    return problems


def artifacts() -> Path | None:
    root = os.environ.get("YIHAO_ARTIFACTS")
    return Path(root) / "kiosk" if root else None


@pytest.mark.parametrize("landscape", [False, True], ids=["portrait", "landscape"])
@pytest.mark.parametrize("elderly", [False, True], ids=["standard", "elderly"])
def test_every_screen_meets_the_miit_numbers(
    qtbot,
    tmp_path: Path,
    elderly: bool,
    landscape: bool,  # type: ignore[no-untyped-def]
) -> None:
    out = artifacts() or tmp_path
    out.mkdir(parents=True, exist_ok=True)
    failures: dict[str, list[str]] = {}
    for lang in LANGS:
        for name, reach in SCREENS.items():
            c = controller(elderly_age=None)
            size = (1920, 1080) if landscape else PANEL_PX
            window = KioskWindow(c, size)
            qtbot.addWidget(window)
            c.set_lang(lang)
            c.set_elderly(elderly)
            reach(c)
            window.show()
            qtbot.waitExposed(window)
            qtbot.wait(20)  # deferred deletes and layout requests
            mode = "elderly" if elderly else "standard"
            orientation = "landscape" if landscape else "portrait"
            window.grab().save(str(out / f"kiosk-{name}-{mode}-{lang}-{orientation}.png"))
            problems = measure(window, size)
            if problems:
                failures[f"{name} {lang}"] = problems
            window.close()
    assert not failures, failures


def test_a_timed_screen_shows_its_countdown_and_the_extend_button(qtbot) -> None:  # type: ignore[no-untyped-def]
    c = controller(elderly_age=None)
    window = KioskWindow(c)
    qtbot.addWidget(window)
    SCREENS["categories"](c)
    window.show()
    assert window.countdown.isVisible() and window.extend.isVisible()
    assert plain_text(window.countdown) == msg("countdown", "zh-CN", n=30)


def test_a_closed_category_says_so_in_words(qtbot) -> None:  # type: ignore[no-untyped-def]
    c = controller(elderly_age=None)
    window = KioskWindow(c)
    qtbot.addWidget(window)
    SCREENS["categories"](c)
    window.show()
    rows = {b.code.text(): b for b in window.findChildren(CategoryButton)}
    closed = [b for b in rows.values() if not b.isEnabled()]
    assert len(closed) == 1 and plain_text(closed[0].state) == "已停止取号"
