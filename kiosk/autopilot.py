"""Simulated citizens choose a category by themselves (``--auto-tap``, the demo)."""

from __future__ import annotations

import random

from PySide6.QtCore import QTimer

from kiosk.controller import Controller
from kiosk.view import Screen


class Autopilot:
    """On the category screen, taps one of the open categories after ``delay`` seconds."""

    def __init__(self, controller: Controller, delay: float = 0.4, seed: int | None = None) -> None:
        self.controller = controller
        self.delay = delay
        self._rng = random.Random(seed)
        self._armed = False
        controller.subscribe(self._changed)

    def _changed(self) -> None:
        if self.controller.view.screen is Screen.CATEGORIES and not self._armed:
            self._armed = True
            QTimer.singleShot(int(self.delay * 1000), self._choose)

    def _choose(self) -> None:
        self._armed = False
        view = self.controller.view
        open_now = [c.code for c in view.choosable() if c.reason is None]
        if view.screen is Screen.CATEGORIES and open_now:
            self.controller.choose(self._rng.choice(open_now))
