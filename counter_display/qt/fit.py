"""Labels and buttons that keep their text whole: English lines are longer than Chinese ones.

Each is given a font pixel size (from the window height) and draws at that size, or smaller
where its widest line would not fit its width; a button breaks a long label into two lines
first. They never ask for more width than the layout gives them, so a long text cannot widen
a window.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetrics, QResizeEvent
from PySide6.QtWidgets import QLabel, QPushButton, QSizePolicy

from counter_display.qt.style import font

MIN_PIXELS = 8
WRAP_BELOW = 0.9
"""A button whose one-line label would shrink below this share of its size wraps instead."""
BUTTON_PADDING = 16
"""Pixels a button keeps free left and right of its label (together)."""


def widest(lines: list[str], chosen: QFont) -> int:
    metrics = QFontMetrics(chosen)
    return max((metrics.horizontalAdvance(line) for line in lines), default=0)


def fitted(lines: list[str], pixels: float, bold: bool, room: int) -> QFont:
    """``font(pixels)``, or the largest smaller size at which every line fits ``room`` pixels."""
    chosen = font(pixels, bold)
    width = widest(lines, chosen)
    if room <= 0 or width <= room:
        return chosen
    size = max(MIN_PIXELS, int(pixels * room / width))
    chosen = font(size, bold)
    while size > MIN_PIXELS and widest(lines, chosen) > room:
        size -= 1
        chosen = font(size, bold)
    return chosen


def two_lines(text: str) -> str:
    """``text`` broken at the space nearest its middle (unchanged without a space)."""
    spaces = [i for i, c in enumerate(text) if c == " "]
    if not spaces:
        return text
    cut = min(spaces, key=lambda i: abs(i - len(text) / 2))
    return f"{text[:cut]}\n{text[cut + 1 :]}"


class FitLabel(QLabel):
    """A label at a chosen pixel size, or smaller where its widest line would not fit."""

    def __init__(self, alignment: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignCenter) -> None:
        super().__init__("")
        self.setAlignment(alignment)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self._pixels, self._bold = 0.0, False

    def set_pixels(self, pixels: float, bold: bool = False) -> None:
        self._pixels, self._bold = pixels, bold
        self._fit()

    def setText(self, text: str) -> None:
        super().setText(text)
        self._fit()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        if self._pixels > 0:
            room = self.contentsRect().width() - 2 * self.margin()
            self.setFont(fitted(self.text().split("\n"), self._pixels, self._bold, room))


class FitButton(QPushButton):
    """A button whose label shrinks, or first wraps onto two lines, to fit its width."""

    def __init__(self) -> None:
        super().__init__("")
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self._label, self._pixels = "", 0.0

    @property
    def label(self) -> str:
        """The label as given (:meth:`text` may hold it broken onto two lines)."""
        return self._label

    def set_label(self, label: str) -> None:
        self._label = label
        self._fit()

    def set_pixels(self, pixels: float) -> None:
        self._pixels = pixels
        self._fit()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        room = self.width() - BUTTON_PADDING
        text = self._label
        if self._pixels > 0 and widest([text], font(self._pixels, True)) * WRAP_BELOW > room:
            text = two_lines(text)
        if text != self.text():
            self.setText(text)
        if self._pixels > 0:
            self.setFont(fitted(text.split("\n"), self._pixels, True, room))
