"""Building blocks: wrapped text with MIIT line height, buttons, the QR code, the card hint."""

from __future__ import annotations

import html
import io

from PySide6.QtCore import QRectF, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from kiosk.ui.theme import ACCENT, INK, LINE_HEIGHT


def text_label(role: str = "", parent: QWidget | None = None) -> QLabel:
    label = QLabel(parent)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    if role:
        label.setProperty("role", role)
    return label


def set_text(label: QLabel, text: str) -> None:
    """Plain ``text`` shown with the kiosk's line height (escaped: no markup from data)."""
    body = html.escape(text).replace("\n", "<br>")
    label.setText(f'<p style="line-height:{LINE_HEIGHT}%">{body}</p>' if text else "")
    label.setVisible(bool(text))


def plain_text(label: QLabel) -> str:
    """What a label shows, without markup (for tests and the privacy check)."""
    from PySide6.QtGui import QTextDocument

    doc = QTextDocument()
    doc.setHtml(label.text())
    return doc.toPlainText()


def button(text: str = "", role: str = "") -> QPushButton:
    b = QPushButton(text)
    b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    b.setCursor(Qt.CursorShape.PointingHandCursor)
    if role:
        b.setProperty("role", role)
    return b


def qr_pixmap(url: str, size: int) -> QPixmap:
    """The status page URL as a QR code, ``size`` px square."""
    import qrcode

    image = qrcode.make(url, border=2)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    pixmap = QPixmap()
    pixmap.loadFromData(buffer.getvalue(), "PNG")
    return pixmap.scaled(
        size, size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.FastTransformation
    )


class CardHint(QWidget):
    """A card gliding down onto the reader below the screen, over and over."""

    STEPS = 40

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.step = 0
        self.setMinimumHeight(160)
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._advance)
        self._timer.start(60)

    def _advance(self) -> None:
        self.step = (self.step + 1) % self.STEPS
        self.update()

    def paintEvent(self, _event: object) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        w, h = self.width(), self.height()
        card_w, card_h = min(320.0, w * 0.5), min(200.0, h * 0.55)
        reader = QRectF((w - card_w * 1.3) / 2, h - 40, card_w * 1.3, 28)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(INK))
        p.drawRoundedRect(reader, 8, 8)
        travel = h - 40 - card_h - 10
        y = 10 + travel * min(1.0, self.step / (self.STEPS * 0.6))
        card = QRectF((w - card_w) / 2, y, card_w, card_h)
        p.setBrush(QColor("#ffffff"))
        p.setPen(QPen(QColor(ACCENT), 6))
        p.drawRoundedRect(card, 16, 16)
        p.setBrush(QColor(ACCENT))
        p.setPen(Qt.PenStyle.NoPen)
        p.drawRoundedRect(QRectF(card.x() + 24, card.y() + 30, card_w * 0.28, card_h * 0.5), 8, 8)
        for i in range(3):
            line = QRectF(card.x() + card_w * 0.42, card.y() + 40 + i * 36, card_w * 0.48, 14)
            p.drawRoundedRect(line, 6, 6)
        p.end()


class WrappedButton(QPushButton):
    """A button whose words are labels in a row, so that long text wraps instead of being cut."""

    def __init__(self, role: str) -> None:
        super().__init__()
        self.setProperty("role", role)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        policy = self.sizePolicy()
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self.row = QHBoxLayout(self)

    def hold(self, *labels: QLabel) -> None:
        """Taps on these labels go to the button."""
        for label in labels:
            label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)

    def sizeHint(self) -> QSize:
        return self.row.sizeHint()

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self.row.totalHeightForWidth(width)

    def minimumSizeHint(self) -> QSize:
        return self.row.minimumSize()


class HallButton(WrappedButton):
    """The hall name at the top (five taps open the admin screen); a long name wraps."""

    def __init__(self) -> None:
        super().__init__("hall")
        self.setFlat(True)
        self.label = text_label("hall")
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.row.addWidget(self.label, 1)
        self.hold(self.label)

    def show_name(self, name: str) -> None:
        set_text(self.label, name)


class CategoryButton(WrappedButton):
    """One category per row: its letter and name large, the queue or the reason in words."""

    def __init__(self, code: str, name: str, state: str, enabled: bool) -> None:
        super().__init__("category")
        self.code = text_label("title")
        self.name = text_label("lead")
        self.state = text_label()
        set_text(self.code, code)
        self.name.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.state.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        words = QVBoxLayout()
        words.addWidget(self.name, 1)
        words.addWidget(self.state)
        self.row.addWidget(self.code, 0)
        self.row.addLayout(words, 1)
        self.hold(self.code, self.name, self.state)
        self.show_row(name, state, enabled)

    def show_row(self, name: str, state: str, enabled: bool) -> None:
        """The category's name and its queue (or why it cannot be chosen) in words."""
        set_text(self.name, name)
        set_text(self.state, state)
        if enabled == self.isEnabled() and self.code.property("muted") is not None:
            return
        self.setEnabled(enabled)
        for label in (self.code, self.name, self.state):
            label.setProperty("muted", not enabled)
            label.style().unpolish(label)  # the muted colour comes from the style sheet
            label.style().polish(label)
