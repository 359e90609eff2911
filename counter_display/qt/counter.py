"""窗口屏: the counter's current number and sentence, 暂停服务, waiting count, evaluation mode."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QGridLayout, QVBoxLayout, QWidget

from counter_display.qt.fit import FitButton, FitLabel
from counter_display.qt.style import BACKGROUND, MUTED, NUMBER, PAUSED, TEXT
from counter_display.views import LEVELS, CounterView, PinView

BUTTON_COLOURS = ("#2e7d32", "#558b2f", "#9e9d24", "#ef6c00", "#c62828")


class CounterScreen(QWidget):
    """Reads a :class:`CounterView`; ``rate(number, level)`` is called when a citizen rates."""

    def __init__(self, rate: Callable[[str, int], None]) -> None:
        super().__init__()
        self._rate = rate
        self._view: CounterView | None = None
        self.setStyleSheet(f"background: {BACKGROUND}; color: {TEXT};")
        self.title = FitLabel()
        self.number = FitLabel()
        self.number.setStyleSheet(f"color: {NUMBER};")
        self.sentence = FitLabel()
        self.footer = FitLabel()
        self.footer.setStyleSheet(f"color: {MUTED};")
        self.buttons: list[FitButton] = []
        grid = QGridLayout()
        for i, level in enumerate(LEVELS):
            button = FitButton()
            button.setStyleSheet(
                f"background: {BUTTON_COLOURS[i]}; color: white; border-radius: 12px;"
            )
            button.clicked.connect(lambda _=False, lv=level: self._pressed(lv))
            grid.addWidget(button, 0, i)
            self.buttons.append(button)
        self.panel = QWidget()
        self.panel.setLayout(grid)
        layout = QVBoxLayout(self)
        for widget in (self.title, self.number, self.sentence, self.panel, self.footer):
            layout.addWidget(widget)
        self.panel.hide()

    def _pressed(self, level: int) -> None:
        if self._view is not None and self._view.evaluating:
            self._rate(self._view.evaluating, level)

    def show_pin(self, view: PinView) -> None:
        self._view = None
        self.title.setText(view.title)
        self.number.setStyleSheet(f"color: {NUMBER};")
        self.number.setText(view.pin)
        self.sentence.setText(view.hint)
        self.panel.hide()
        self.footer.setText("")

    def show_view(self, view: CounterView, note: str = "") -> None:
        """Draw ``view``; a non-empty ``note`` (the link to the server is down) replaces the
        footer."""
        self._view = view
        self.title.setText(view.name)
        self.number.setStyleSheet(f"color: {PAUSED if view.paused else NUMBER};")
        self.number.setText(view.big)
        self.sentence.setText(view.line)
        for button, (_level, label) in zip(self.buttons, view.ratings, strict=True):
            button.set_label(label)
        self.panel.setVisible(bool(view.evaluating))
        self.footer.setText(note or view.footer)

    def resizeEvent(self, event: QResizeEvent) -> None:
        h = self.height()
        self.title.set_pixels(h * 0.08, bold=True)
        self.number.set_pixels(h * 0.30, bold=True)
        self.sentence.set_pixels(h * 0.09, bold=True)
        self.footer.set_pixels(h * 0.06)
        for button in self.buttons:
            button.set_pixels(h * 0.05)
            button.setMinimumHeight(round(h * 0.16))
