"""The Qt application of the counter and wall roles: bridge → view model → screen."""

from __future__ import annotations

import logging
import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QWidget

from caller_server.protocol import DeviceDown
from counter_display.device import DeviceCore
from counter_display.qt.bridge import Bridge
from counter_display.qt.counter import CounterScreen
from counter_display.qt.wall import WallScreen
from counter_display.texts import text
from counter_display.views import DisplayModel, pin_view, status_text

log = logging.getLogger(__name__)

GEOMETRY_REPORT_MS = 1000


class DeviceWindow:
    """Connects the bridge's signals to one screen through the view model."""

    def __init__(self, core: DeviceCore) -> None:
        self.core = core
        self.lang = core.options.lang
        self.model = DisplayModel(counter=core.options.counter, lang=self.lang)
        self.status = ""
        role = core.options.role
        self.counter = CounterScreen(self._rate) if role == "counter" else None
        self.wall = WallScreen() if role == "wall" else None
        screen = self.counter or self.wall
        assert screen is not None
        self.widget: QWidget = screen
        self.name = core.options.label(self.lang)
        screen.setWindowTitle(text("window_title", self.lang, name=self.name))
        self.bridge = Bridge(core)
        self.bridge.pin.connect(self._pin)
        self.bridge.message.connect(self._message)
        self.bridge.status.connect(self._status)
        self._tick = QTimer(self.widget, interval=1000)
        self._tick.timeout.connect(self._refresh)
        self._tick.start()

    def _rate(self, number: str, level: int) -> None:
        self.core.send_rating(number, level)

    def _pin(self, pin: str | None) -> None:
        if pin is None:
            return
        view = pin_view(pin, self.name, self.lang)
        if self.counter is not None:
            self.counter.show_pin(view)
        if self.wall is not None:
            self.wall.show_pin(view)

    def _message(self, message: DeviceDown) -> None:
        self.model.apply(message)
        self._refresh()

    def _status(self, status: str) -> None:
        self.status = status_text(status, self.lang)
        self._refresh()

    def _refresh(self) -> None:
        if self.core.identity.server is None:
            return
        if self.counter is not None and (view := self.model.counter_view()) is not None:
            self.counter.show_view(view, self.status)
        if self.wall is not None and (wall := self.model.wall_view()) is not None:
            self.wall.show_view(wall)


def screen_texts(widget: QWidget) -> list[str]:
    """The texts a screen shows now: its visible labels and buttons, in layout order."""
    found = [w for w in widget.findChildren(QWidget) if isinstance(w, QLabel | QPushButton)]
    return [w.text() for w in found if w.isVisible() and w.text()]


def present(widget: QWidget, fullscreen: bool, size: tuple[int, int] | None) -> None:
    """Show the screen full screen on its display (a hall panel) or as a window of ``size``,
    and log what it got once shown and what it says (installers check the panel's resolution
    and language there)."""
    if size:
        widget.resize(*size)
    if fullscreen:
        widget.showFullScreen()
    else:
        widget.show()
    # The platform resizes a full-screen window asynchronously: report once it has.
    QTimer.singleShot(GEOMETRY_REPORT_MS, lambda: _log_geometry(widget))


def _log_geometry(widget: QWidget) -> None:
    screen, shown = widget.screen().geometry(), widget.geometry()
    log.info(
        "window %dx%d at %d,%d on a %dx%d screen%s",
        shown.width(),
        shown.height(),
        shown.x(),
        shown.y(),
        screen.width(),
        screen.height(),
        ", full screen" if widget.isFullScreen() else "",
    )
    shown_texts = " | ".join(t.replace("\n", " ") for t in screen_texts(widget))
    log.info("screen %r shows: %s", widget.windowTitle(), shown_texts)


def run_qt(core: DeviceCore, fullscreen: bool, size: tuple[int, int] | None) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    window = DeviceWindow(core)
    core.start()
    present(window.widget, fullscreen, size)
    try:
        return app.exec()
    finally:
        core.close()
