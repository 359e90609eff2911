"""The five screens. Each ``show_view`` only reads the view; taps call the controller."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QBoxLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QScroller,
    QVBoxLayout,
    QWidget,
)

from kiosk.controller import Controller
from kiosk.strings import msg
from kiosk.ui.theme import scale
from kiosk.ui.widgets import CardHint, CategoryButton, button, qr_pixmap, set_text, text_label
from kiosk.view import CategoryView, View


def note_text(key: str, view: View) -> str:
    """A note under the ticket; an appointment says when and what: 「您预约了 10:00 民生服务类」."""
    ticket = view.ticket
    if key == "priority_appointment" and ticket is not None and ticket.due_at is not None:
        at = datetime.fromtimestamp(ticket.due_at).strftime("%H:%M")
        return msg("appointment_at", view.lang, time=at, category=ticket.name(view.lang))
    return msg(key, view.lang)


def waiting_text(category: CategoryView, lang: str) -> str:
    """「3 人等候 · 约 12 分钟」."""
    return msg("waiting_eta", lang, n=category.waiting, m=category.eta_minutes)


class Screen(QWidget):
    def __init__(self, controller: Controller, landscape: bool) -> None:
        super().__init__()
        self.controller = controller
        self.landscape = landscape
        self.box = QVBoxLayout(self)
        self.box.setContentsMargins(40, 12, 40, 12)

    def columns(self, ratio: tuple[int, int] = (3, 2)) -> tuple[QVBoxLayout, QVBoxLayout]:
        """Two columns side by side in landscape, one above the other in portrait."""
        direction = (
            QBoxLayout.Direction.LeftToRight if self.landscape else QBoxLayout.Direction.TopToBottom
        )
        row = QBoxLayout(direction)
        first, second = QVBoxLayout(), QVBoxLayout()
        row.addLayout(first, ratio[0])
        row.addLayout(second, ratio[1])
        self.box.addLayout(row)
        return first, second

    def show_view(self, view: View) -> None:
        raise NotImplementedError


class AttractScreen(Screen):
    def __init__(self, controller: Controller, landscape: bool) -> None:
        super().__init__(controller, landscape)
        self.title = text_label("title" if landscape else "hero")
        self.hint = text_label()
        self.card = CardHint()
        self.arrow = text_label("arrow")
        set_text(self.arrow, "↓")
        self.open_title = text_label("hall")
        self.open_list = text_label()
        self.elderly = button(role="secondary")
        self.elderly.clicked.connect(lambda: controller.set_elderly(not controller.view.elderly))
        self.no_id = button()
        self.no_id.clicked.connect(controller.no_id)
        self.manual = button(role="secondary")
        self.manual.clicked.connect(controller.manual)
        first, second = self.columns()
        first.addStretch(1)
        for widget in (self.title, self.card):
            first.addWidget(widget)
        hint = QHBoxLayout()  # the arrow beside the hint: portrait height goes to the words
        hint.addWidget(self.arrow, 0)
        hint.addWidget(self.hint, 1)
        first.addLayout(hint)
        first.addStretch(1)
        second.addStretch(1)
        for widget in (self.open_title, self.open_list):
            second.addWidget(widget)
        second.addStretch(1)
        buttons = QGridLayout()
        buttons.addWidget(self.elderly, 0, 0)
        buttons.addWidget(self.manual, 0, 1)
        if landscape:
            buttons.addWidget(self.no_id, 0, 2)
        else:  # 1080 px wide: the main choice gets a row of its own
            buttons.addWidget(self.no_id, 1, 0, 1, 2)
        self.box.addLayout(buttons)

    def show_view(self, view: View) -> None:
        lang = view.lang
        ok = view.reader_ok
        set_text(self.title, msg("attract_title" if ok else "reader_down_title", lang))
        set_text(self.hint, msg("attract_hint" if ok else "reader_down_hint", lang))
        self.card.setVisible(view.reader_ok)
        self.arrow.setVisible(view.reader_ok and not self.landscape)
        lines = [
            f"{c.code}  {c.name(lang)}  ·  {waiting_text(c, lang)}"
            for c in view.categories
            if c.reason is None
        ]
        set_text(self.open_title, msg("open_now", lang) if lines else "")
        set_text(self.open_list, "\n".join(lines))
        self.elderly.setText(msg("elderly_off" if view.elderly else "elderly_on", lang))
        self.no_id.setText(msg("no_id", lang))
        self.manual.setText(msg("manual", lang))
        self.manual.setVisible(view.manual_entry)
        self.no_id.setVisible(view.no_id_possible())


class CategoryScreen(Screen):
    def __init__(self, controller: Controller, landscape: bool) -> None:
        super().__init__(controller, landscape)
        self.title = text_label("title")
        self.who = text_label()
        self.box.addWidget(self.title)
        self.box.addWidget(self.who)
        inner = QWidget()
        # One category per row in portrait; landscape (1080 px high) shows two per row so
        # that an elderly citizen sees every choice without scrolling.
        self.per_row = 2 if landscape else 1
        self.list = QGridLayout(inner)
        self.list.setContentsMargins(0, 0, 0, 0)
        self.scroller = QScrollArea()
        self.scroller.setWidget(inner)
        self.scroller.setWidgetResizable(True)
        self.scroller.setFrameShape(QFrame.Shape.NoFrame)
        self.scroller.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroller.viewport().setAutoFillBackground(False)
        inner.setAutoFillBackground(False)
        QScroller.grabGesture(
            self.scroller.viewport(), QScroller.ScrollerGestureType.LeftMouseButtonGesture
        )
        self.box.addWidget(self.scroller, 1)
        self.more = text_label()
        self.box.addWidget(self.more)
        self.scroller.verticalScrollBar().valueChanged.connect(self._more_hint)
        self.scroller.verticalScrollBar().rangeChanged.connect(self._more_hint)
        self._lang = ""
        self.buttons: list[CategoryButton] = []
        self._shown: tuple[list[tuple[str, str, str, bool]], bool] = ([], False)

    def show_view(self, view: View) -> None:
        lang = self._lang = view.lang
        self._more_hint()
        set_text(self.title, msg("choose_title", lang))
        set_text(self.who, view.masked_identity)
        rows = [
            (
                c.code,
                c.name(lang),
                msg(c.reason, lang) if c.reason else waiting_text(c, lang),
                not c.reason,
            )
            for c in view.choosable()
        ]
        if (rows, view.elderly) == self._shown:
            return
        same_layout = view.elderly == self._shown[1] and [r[0] for r in rows] == [
            r[0] for r in self._shown[0]
        ]
        self._shown = (rows, view.elderly)
        if same_layout:  # a count or a language changed: the buttons stay, their words change
            for b, (_code, name, state, enabled) in zip(self.buttons, rows, strict=True):
                b.show_row(name, state, enabled)
            return
        for old in self.buttons:
            self.list.removeWidget(old)
            old.hide()
            old.deleteLater()
        self.buttons = []
        self.list.setSpacing(scale(view.elderly).gap)
        for i, (code, name, state, enabled) in enumerate(rows):
            b = CategoryButton(code, name, state, enabled)
            b.clicked.connect(lambda _=False, code=code: self.controller.choose(code))
            self.list.addWidget(b, i // self.per_row, i % self.per_row)
            self.buttons.append(b)
        self.list.setRowStretch(self.list.rowCount(), 1)

    def _more_hint(self) -> None:
        """「向上滑动查看更多」 while some categories are below the fold."""
        bar = self.scroller.verticalScrollBar()
        set_text(self.more, msg("more_below", self._lang) if bar.value() < bar.maximum() else "")


class KeypadScreen(Screen):
    """Manual ID entry with live check-digit feedback (hall option)."""

    KEYS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "X", "0", "⌫")

    def __init__(self, controller: Controller, landscape: bool) -> None:
        super().__init__(controller, landscape)
        self.title = text_label("title")
        self.entry = text_label("lead")
        self.feedback = text_label()
        grid = QGridLayout()
        self.keys: dict[str, QPushButton] = {}
        for i, key in enumerate(self.KEYS):
            b = button(key, "secondary")
            b.clicked.connect(lambda _=False, key=key: controller.key(key))
            grid.addWidget(b, i // 3, i % 3)
            self.keys[key] = b
        self.ok = button()
        self.ok.clicked.connect(controller.confirm_entry)
        first, second = self.columns((1, 1))
        for widget in (self.title, self.entry, self.feedback):
            first.addWidget(widget)
        if landscape:  # 1080 px high: OK under the number, beside the keys
            first.addWidget(self.ok)
        first.addStretch(1)
        second.addLayout(grid)
        if not landscape:
            second.addWidget(self.ok)
        second.addStretch(1)

    def show_view(self, view: View) -> None:
        lang, entry = view.lang, view.entry
        set_text(self.title, msg("keypad_title", lang))
        grouped = " ".join(p for p in (entry[:6], entry[6:14], entry[14:]) if p)
        set_text(self.entry, grouped or "_")
        if view.entry_state == "short":
            set_text(self.feedback, msg("entry_short", lang, n=18 - len(entry)))
        else:
            set_text(self.feedback, msg(f"entry_{view.entry_state}", lang))
        self.keys["⌫"].setText(f"⌫ {msg('delete', lang)}")
        self.ok.setText(msg("ok", lang))
        self.ok.setEnabled(view.entry_state == "valid")


class BusyScreen(Screen):
    def __init__(self, controller: Controller, landscape: bool) -> None:
        super().__init__(controller, landscape)
        self.title = text_label("title")
        self.retry = text_label()
        self.box.addStretch(1)
        self.box.addWidget(self.title)
        self.box.addWidget(self.retry)
        self.box.addStretch(2)

    def show_view(self, view: View) -> None:
        set_text(self.title, msg("issuing", view.lang) + " …")
        attempt = view.retry_attempt
        set_text(self.retry, msg("retrying", view.lang, n=attempt) if attempt else "")


class TicketScreen(Screen):
    def __init__(self, controller: Controller, landscape: bool) -> None:
        super().__init__(controller, landscape)
        self.headline = text_label("lead")
        self.number = QLabel()
        self.number.setProperty("role", "number")
        self.number.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.category = text_label("title")
        self.ahead = text_label()
        self.identity = text_label()
        self.notes = text_label()
        self.qr = QLabel()
        self.qr.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.qr_hint = text_label()
        self.reprint = button()
        self.reprint.clicked.connect(controller.reprint)
        first, second = self.columns((1, 1))
        # Landscape is only 1080 px high: the message goes to the top of the narrower column.
        (second if landscape else first).addWidget(self.headline)
        for widget in (self.number, self.category, self.ahead, self.identity):
            first.addWidget(widget)
        first.addStretch(1)
        for widget in (self.notes, self.qr, self.qr_hint):
            second.addWidget(widget)
        second.addStretch(1)
        second.addWidget(self.reprint)
        self.box.addStretch(1)
        self._qr_url = ""

    def show_view(self, view: View) -> None:
        lang, ticket = view.lang, view.ticket
        notes = list(view.notes)
        headline = notes.pop(0) if notes else "taken_title"
        set_text(self.headline, msg(headline, lang))
        set_text(self.notes, "\n".join(note_text(n, view) for n in notes))
        self.reprint.setText(msg("reprint", lang))
        self.reprint.setVisible(view.can_reprint)
        if ticket is None:
            self.number.clear()
            for label in (self.category, self.ahead, self.identity, self.qr_hint):
                set_text(label, "")
            self.qr.clear()
            self._qr_url = ""
            return
        self.number.setText(ticket.number)
        set_text(self.category, ticket.name(lang))
        wait = [msg("ahead", lang, n=ticket.ahead), msg("eta", lang, n=ticket.eta_minutes)]
        set_text(self.ahead, ("  ·  " if self.landscape else "\n").join(wait))
        shown = (
            f"{msg('identity', lang)}：{ticket.masked_identity}" if ticket.masked_identity else ""
        )
        set_text(self.identity, shown)
        if ticket.status_url != self._qr_url:
            self._qr_url = ticket.status_url
            self.qr.setPixmap(qr_pixmap(ticket.status_url, 260))
        set_text(self.qr_hint, msg("qr_hint", lang))


class MessageScreen(Screen):
    def __init__(self, controller: Controller, landscape: bool) -> None:
        super().__init__(controller, landscape)
        self.icon = text_label("icon")
        self.icon.setText("!")
        self.icon.setFixedSize(140, 140)
        self.text = text_label("title")
        self.box.addStretch(1)
        self.box.addWidget(self.icon, alignment=Qt.AlignmentFlag.AlignHCenter)
        self.box.addWidget(self.text)
        self.box.addStretch(2)

    def show_view(self, view: View) -> None:
        set_text(self.text, msg(view.notes[0], view.lang) if view.notes else "")
