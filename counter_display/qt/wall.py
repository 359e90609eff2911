"""综合屏: every counter's current number, the last 8 calls, waiting per category, a ticker.

Sized from the window height: a counter's number is drawn at :data:`NUMBER_SHARE` of the
height (glyphs over 1/10 of the screen, readable from 15 m); a new call flashes.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from counter_display.qt.fit import FitLabel
from counter_display.qt.style import BACKGROUND, MUTED, NUMBER, PAUSED, TEXT, font
from counter_display.views import PinView, WallView

NUMBER_SHARE = 0.145
"""Font pixel size of a counter's number, as a share of the window height."""
FLASHES = 6


class CounterTile(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.label = FitLabel()
        self.number = FitLabel()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 0, 8, 0)
        layout.addWidget(self.label, 2)
        layout.addWidget(self.number, 3)


class WallScreen(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.setStyleSheet(f"background: {BACKGROUND}; color: {TEXT};")
        self.header = FitLabel()
        self.tiles: list[CounterTile] = []
        self.grid = QGridLayout()
        self.grid.setSpacing(4)
        self.recent_title = FitLabel(Qt.AlignmentFlag.AlignLeft)
        self.recent_title.setStyleSheet(f"color: {MUTED};")
        self.recent = FitLabel(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.waiting = FitLabel()
        self.ticker = QLabel("", alignment=Qt.AlignmentFlag.AlignVCenter)
        self.ticker.setStyleSheet(f"color: {NUMBER}; background: #12335c; padding-left: 12px;")
        self.ticker.setObjectName("ticker")
        # A long notice scrolls; it must never widen the window.
        self.ticker.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        side = QVBoxLayout()
        side.addWidget(self.recent_title)
        side.addWidget(self.recent, 1)
        body = QHBoxLayout()
        body.addLayout(self.grid, 7)
        body.addLayout(side, 3)
        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addLayout(body, 1)
        layout.addWidget(self.waiting)
        layout.addWidget(self.ticker)
        self._view: WallView | None = None
        self._flash_left = 0
        self._flash_number: str | None = None
        self._ticker_offset = 0
        self._flash_timer = QTimer(self, interval=400)
        self._flash_timer.timeout.connect(self._flash)
        self._ticker_timer = QTimer(self, interval=250)
        self._ticker_timer.timeout.connect(self._scroll)
        self._ticker_timer.start()

    def show_pin(self, view: PinView) -> None:
        self.header.setText(view.banner)

    def show_view(self, view: WallView) -> None:
        self._view = view
        self.header.setText(view.hall)
        self.recent_title.setText(view.recent_title)
        while len(self.tiles) < len(view.rows):
            tile = CounterTile()
            i = len(self.tiles)
            self.grid.addWidget(tile, i // 2, i % 2)
            self.tiles.append(tile)
        for tile, row in zip(self.tiles, view.rows, strict=False):
            tile.label.setText(row.label)
            tile.number.setText(row.shown)
            colour = PAUSED if row.paused else NUMBER
            tile.number.setStyleSheet(f"color: {colour};")
        self.recent.setText("\n".join(view.recent[:8]))
        self.waiting.setText(view.waiting_line)
        self._scroll()
        if view.flash and view.flash != self._flash_number:
            self._flash_number, self._flash_left = view.flash, FLASHES
            self._flash_timer.start()
        self._apply_fonts()

    def _flash(self) -> None:
        self._flash_left -= 1
        on = self._flash_left % 2 == 1
        for tile in self.tiles:
            if tile.number.text() == self._flash_number:
                background = "#ffd54a" if on else "transparent"
                colour = BACKGROUND if on else NUMBER
                tile.number.setStyleSheet(f"color: {colour}; background: {background};")
        if self._flash_left <= 0:
            self._flash_timer.stop()

    def _scroll(self) -> None:
        notice = self._view.notice if self._view else ""
        if not notice:
            self.ticker.setText("")
            return
        text = notice + "　　　"
        self._ticker_offset = (self._ticker_offset + 1) % len(text)
        self.ticker.setText((text[self._ticker_offset :] + text)[: max(len(text), 60)])

    def number_font_pixels(self) -> int:
        return round(self.height() * NUMBER_SHARE)

    def _apply_fonts(self) -> None:
        h = self.height()
        self.header.set_pixels(h * 0.055, bold=True)
        for tile in self.tiles:
            tile.label.set_pixels(h * 0.05, bold=True)
            tile.number.set_pixels(self.number_font_pixels(), bold=True)
        self.recent_title.set_pixels(h * 0.045)
        self.recent.set_pixels(h * 0.058, bold=True)
        self.waiting.set_pixels(h * 0.045, bold=True)
        self.ticker.setFont(font(h * 0.045))
        self.ticker.setFixedHeight(round(h * 0.07))

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._apply_fonts()
