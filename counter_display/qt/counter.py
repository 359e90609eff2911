"""窗口屏: the counter's current number and sentence, 暂停服务, waiting count, evaluation mode."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from counter_display.qt.style import BACKGROUND, MUTED, NUMBER, PAUSED, TEXT, font
from counter_display.views import LEVELS, CounterView

BUTTON_COLOURS = ("#2e7d32", "#558b2f", "#9e9d24", "#ef6c00", "#c62828")


class CounterScreen(QWidget):
    """Reads a :class:`CounterView`; ``rate(number, level)`` is called when a citizen rates."""

    def __init__(self, rate: Callable[[str, int], None]) -> None:
        super().__init__()
        self._rate = rate
        self._view: CounterView | None = None
        self.setStyleSheet(f"background: {BACKGROUND}; color: {TEXT};")
        self.title = QLabel("", alignment=Qt.AlignmentFlag.AlignCenter)
        self.number = QLabel("", alignment=Qt.AlignmentFlag.AlignCenter)
        self.number.setStyleSheet(f"color: {NUMBER};")
        self.sentence = QLabel("", alignment=Qt.AlignmentFlag.AlignCenter)
        self.footer = QLabel("", alignment=Qt.AlignmentFlag.AlignCenter)
        self.footer.setStyleSheet(f"color: {MUTED};")
        self.buttons: list[QPushButton] = []
        grid = QGridLayout()
        for i, (level, label) in enumerate(LEVELS):
            button = QPushButton(label)
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
        self.show_pin(None)

    def _pressed(self, level: int) -> None:
        if self._view is not None and self._view.evaluating:
            self._rate(self._view.evaluating, level)

    def show_pin(self, pin: str | None, name: str = "") -> None:
        if pin is None:
            return
        self._view = None
        self.title.setText(f"{name} 等待配对")
        self.number.setText(pin)
        self.sentence.setText("请管理员在管理端输入此配对码")
        self.panel.hide()
        self.footer.setText("")

    def show_view(self, view: CounterView, note: str = "") -> None:
        self._view = view
        self.title.setText(view.name or f"{view.counter}号窗口")
        self.number.setStyleSheet(f"color: {PAUSED if view.paused else NUMBER};")
        if view.evaluating:
            self.number.setText(view.evaluating)
            self.sentence.setText("请您对本次服务进行评价")
            self.panel.show()
        elif view.paused:
            self.number.setText("暂停服务")
            self.sentence.setText("请到其他窗口办理")
            self.panel.hide()
        else:
            self.number.setText(view.number or "—")
            self.sentence.setText(view.sentence or "请稍候")
            self.panel.hide()
        self.footer.setText(note or view.footer)

    def resizeEvent(self, event: object) -> None:
        h = self.height()
        self.title.setFont(font(h * 0.08, bold=True))
        self.number.setFont(font(h * 0.30, bold=True))
        self.sentence.setFont(font(h * 0.09, bold=True))
        self.footer.setFont(font(h * 0.06))
        for button in self.buttons:
            button.setFont(font(h * 0.05, bold=True))
            button.setMinimumHeight(round(h * 0.16))
