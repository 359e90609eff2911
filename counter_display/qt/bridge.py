"""Electrum's pattern: the core's plain callbacks (worker threads) re-emitted as Qt signals."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from caller_server.protocol import DeviceDown
from counter_display.device import DeviceCore


class Bridge(QObject):
    """Queued signals: slots run on the GUI thread whatever thread emitted."""

    pin = Signal(object)
    message = Signal(object)
    status = Signal(str)

    def __init__(self, core: DeviceCore) -> None:
        super().__init__()
        core.on_pin.append(self.pin.emit)
        core.on_message.append(self._message)
        core.on_status.append(self.status.emit)

    def _message(self, message: DeviceDown) -> None:
        self.message.emit(message)
