"""The Qt application of the counter and wall roles: bridge → view model → screen."""

from __future__ import annotations

import logging
import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget

from caller_server.protocol import DeviceDown
from counter_display.device import DeviceCore
from counter_display.qt.bridge import Bridge
from counter_display.qt.counter import CounterScreen
from counter_display.qt.wall import WallScreen
from counter_display.views import DisplayModel

log = logging.getLogger(__name__)

GEOMETRY_REPORT_MS = 1000

STATUS_ZH = {
    "online": "",
    "offline": "与服务器的连接中断，正在重连…",
    "refused": "服务器已取消配对",
    "wrong_server": "服务器证书不符，已拒绝连接",
}


class DeviceWindow:
    """Connects the bridge's signals to one screen through the view model."""

    def __init__(self, core: DeviceCore) -> None:
        self.core = core
        self.model = DisplayModel(counter=core.options.counter)
        self.status = ""
        role = core.options.role
        self.counter = CounterScreen(self._rate) if role == "counter" else None
        self.wall = WallScreen() if role == "wall" else None
        screen = self.counter or self.wall
        assert screen is not None
        self.widget: QWidget = screen
        screen.setWindowTitle(f"一号 {core.options.display_name}")
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
        if self.counter is not None:
            self.counter.show_pin(pin, self.core.options.display_name)
        if self.wall is not None:
            self.wall.show_pin(pin, self.core.options.display_name)

    def _message(self, message: DeviceDown) -> None:
        self.model.apply(message)
        self._refresh()

    def _status(self, status: str) -> None:
        self.status = STATUS_ZH.get(status, status)
        self._refresh()

    def _refresh(self) -> None:
        if self.core.identity.server is None:
            return
        if self.counter is not None and (view := self.model.counter_view()) is not None:
            note = self.status or (self.model.rating_answer if view.evaluating else "")
            self.counter.show_view(view, note or "")
        if self.wall is not None and (wall := self.model.wall_view()) is not None:
            self.wall.show_view(wall)


def present(widget: QWidget, fullscreen: bool, size: tuple[int, int] | None) -> None:
    """Show the screen full screen on its display (a hall panel) or as a window of ``size``,
    and log what it got once shown (installers check the panel's resolution there)."""
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


def run_qt(core: DeviceCore, fullscreen: bool, size: tuple[int, int] | None) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    window = DeviceWindow(core)
    core.start()
    present(window.widget, fullscreen, size)
    try:
        return app.exec()
    finally:
        core.close()
