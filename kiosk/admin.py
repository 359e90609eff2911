"""The admin screen: 5 taps on the hall name, the PIN, then the kiosk token (kept 0600)."""

from __future__ import annotations

import hmac

from PySide6.QtWidgets import QDialog, QLineEdit, QVBoxLayout, QWidget

from kiosk.config import KioskConfig, save_token
from kiosk.strings import msg
from kiosk.ui.widgets import button, set_text, text_label


class AdminDialog(QDialog):
    def __init__(self, config: KioskConfig, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.config = config
        lang = config.lang
        self.setWindowTitle(msg("admin_title", lang))
        box = QVBoxLayout(self)
        self.status = text_label()
        self.pin = QLineEdit()
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setPlaceholderText(msg("admin_pin", lang))
        self.token = QLineEdit()
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        self.token.setPlaceholderText(msg("admin_token", lang))
        self.save = button(msg("admin_save", lang))
        self.save.clicked.connect(self.submit)
        for widget in (self.status, self.pin, self.token, self.save):
            box.addWidget(widget)

    def submit(self) -> bool:
        """Save the token when the PIN is right; True when saved."""
        lang = self.config.lang
        pin = self.config.admin_pin
        if not pin or not hmac.compare_digest(self.pin.text().encode(), pin.encode()):
            set_text(self.status, msg("admin_wrong_pin", lang))
            self.pin.clear()
            return False
        if self.token.text().strip():
            save_token(self.token.text())
        self.token.clear()
        self.pin.clear()
        set_text(self.status, msg("admin_saved", lang))
        return True
