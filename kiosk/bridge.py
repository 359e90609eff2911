"""The one bridge between the worker threads and Qt (the Electrum pattern).

Links call :meth:`Bridge.post` on their own threads; the signal is delivered on the thread
the bridge lives in (the GUI thread), where the controller handles it.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from kiosk.events import KioskEvent


class Bridge(QObject):
    posted = Signal(object)

    def post(self, event: KioskEvent) -> None:
        """Thread-safe: queued to the GUI thread."""
        self.posted.emit(event)
