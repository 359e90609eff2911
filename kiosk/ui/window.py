"""The kiosk window: language and mode bar, the screens, the countdown bar."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QStackedWidget, QVBoxLayout, QWidget

from kiosk.controller import Controller
from kiosk.strings import LANG_NAMES, LANGS, msg
from kiosk.ui.screens import (
    AttractScreen,
    BusyScreen,
    CategoryScreen,
    KeypadScreen,
    MessageScreen,
    Screen,
    TicketScreen,
)
from kiosk.ui.theme import style_sheet
from kiosk.ui.widgets import HallButton, button, set_text, text_label
from kiosk.view import Screen as ScreenName

ADMIN_TAPS = 5
"""Taps on the hall name within :data:`ADMIN_WINDOW` seconds that open the admin screen."""
ADMIN_WINDOW = 3.0


class KioskWindow(QWidget):
    def __init__(self, controller: Controller, size: tuple[int, int] = (1080, 1920)) -> None:
        super().__init__()
        self.setObjectName("kiosk")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setWindowTitle("一号 自助取号")
        self.resize(*size)
        self.controller = controller
        self._elderly: bool | None = None
        self._shown: ScreenName | None = None
        self._admin_taps: list[float] = []
        self.on_admin = lambda: None
        self.landscape = landscape = size[0] > size[1]
        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 12, 24, 12)
        self.hall = HallButton()
        self.hall.clicked.connect(self._corner_tap)
        top = QHBoxLayout()
        if landscape:
            top.addWidget(self.hall, 1)
        else:
            outer.addWidget(self.hall)
        self.langs: dict[str, QPushButton] = {}
        for lang in LANGS:
            b = button(LANG_NAMES[lang], "secondary")
            b.setCheckable(True)
            b.clicked.connect(lambda _=False, lang=lang: controller.set_lang(lang))
            top.addWidget(b)
            self.langs[lang] = b
        outer.addLayout(top)
        self.banner = text_label("banner")
        outer.addWidget(self.banner)
        self.stack = QStackedWidget()
        kinds: dict[ScreenName, type[Screen]] = {
            ScreenName.ATTRACT: AttractScreen,
            ScreenName.CATEGORIES: CategoryScreen,
            ScreenName.BUSY: BusyScreen,
            ScreenName.TICKET: TicketScreen,
            ScreenName.MESSAGE: MessageScreen,
            ScreenName.KEYPAD: KeypadScreen,
        }
        self.screens = {name: kind(controller, landscape) for name, kind in kinds.items()}
        for screen in self.screens.values():
            self.stack.addWidget(screen)
        outer.addWidget(self.stack, 1)
        self.countdown = text_label()
        bottom = QHBoxLayout()
        self.home = button()
        self.home.clicked.connect(controller.home)
        self.extend = button()
        self.extend.clicked.connect(controller.extend)
        if landscape:
            bottom.addWidget(self.home, 1)
            bottom.addWidget(self.countdown, 1)
        else:
            outer.addWidget(self.countdown)
            bottom.addWidget(self.home, 1)
        bottom.addWidget(self.extend, 1)
        outer.addLayout(bottom)
        controller.subscribe(self.refresh)
        self._ticker = QTimer(self)
        self._ticker.timeout.connect(controller.tick)
        self._ticker.start(1000)
        self.refresh()

    def refresh(self) -> None:
        view = self.controller.view
        if view.elderly != self._elderly:
            self._elderly = view.elderly
            self.setStyleSheet(style_sheet(view.elderly, self.landscape))
        lang = view.lang
        self.hall.show_name(view.hall_name() or "一号")
        for code, b in self.langs.items():
            b.setChecked(code == lang)
            b.setText(("✓ " if code == lang else "") + LANG_NAMES[code])
        banner = []
        if not view.reader_ok:
            banner.append(msg("reader_fault", lang))
        if view.printing_paused:
            banner.append(msg("printing_paused", lang))
        if not view.server_ok:
            banner.append(msg("server_down", lang))
        set_text(self.banner, "\n".join(banner))
        screen = self.screens[view.screen]
        if view.screen is not self._shown:
            # Leaving a screen: every screen re-reads the view, so nothing personal stays
            # behind in a hidden one after the wipe.
            self._shown = view.screen
            for other in self.screens.values():
                other.show_view(view)
        else:
            screen.show_view(view)
        self.stack.setCurrentWidget(screen)
        away = view.screen is not ScreenName.ATTRACT and view.screen is not ScreenName.BUSY
        self.home.setText(msg("home", lang))
        self.home.setVisible(away)
        timed = view.countdown is not None
        set_text(self.countdown, msg("countdown", lang, n=view.countdown) if timed else "")
        self.extend.setText(msg("extend", lang))
        self.extend.setVisible(timed)

    def _corner_tap(self) -> None:
        now = time.monotonic()
        self._admin_taps = [t for t in self._admin_taps if now - t < ADMIN_WINDOW] + [now]
        if len(self._admin_taps) >= ADMIN_TAPS:
            self._admin_taps = []
            self.on_admin()
