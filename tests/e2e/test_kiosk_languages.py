"""What the screens say: the wait estimate and full categories before the tap, and every screen
re-rendered in the citizen's language (Qt translations from assets/i18n)."""

from __future__ import annotations

import os
import re

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QAbstractButton, QLabel

from kiosk import events as ev
from kiosk.strings import LANGS, MESSAGES, msg
from kiosk.ui.widgets import CategoryButton, plain_text
from kiosk.ui.window import KioskWindow
from tests.kiosk_kit import SCREENS, citizen_card, controller, snapshot


def shown_texts(window: KioskWindow, qtbot) -> list[str]:  # type: ignore[no-untyped-def]
    """Every text a citizen can see in the window (after Qt shows the widgets just added), but
    the countdown: it follows the real clock (30 s may become 29 s on a slow run)."""
    qtbot.wait(20)
    texts = []
    for label in window.findChildren(QLabel):
        if label.isVisibleTo(window) and label.text() and label is not window.countdown:
            texts.append(plain_text(label) if label.text().startswith("<") else label.text())
    for b in window.findChildren(QAbstractButton):
        if b.isVisibleTo(window) and b.text():
            texts.append(b.text())
    return texts


def untranslated(lang: str) -> list[str]:
    """The literal pieces of zh-CN sources that the ``lang`` translation does not contain."""
    pieces = []
    for key, source in MESSAGES.items():
        translated = msg(key, lang)
        for piece in re.split(r"\{\w+\}", source):
            piece = piece.strip(" ·：:，,")
            if len(piece) >= 2 and piece not in translated:
                pieces.append(piece)
    return pieces


def test_attract_lists_open_categories_with_waiting_and_estimate(qtbot) -> None:  # type: ignore[no-untyped-def]
    c = controller(elderly_age=None)
    c.handle(ev.QueueSeen(snapshot(closed="C", full="D")))
    window = KioskWindow(c)
    qtbot.addWidget(window)
    window.show()
    listed = plain_text(window.screens[c.view.screen].open_list)  # type: ignore[attr-defined]
    assert listed.splitlines() == [
        "A 投资项目类 · 2 人等候 · 约 6 分钟",
        "B 民生服务类 · 5 人等候 · 约 10 分钟",
    ]
    c.set_lang("en")
    listed = plain_text(window.screens[c.view.screen].open_list)  # type: ignore[attr-defined]
    assert listed.splitlines()[1] == "B Livelihood services · 5 waiting · about 10 min"
    assert plain_text(window.hall.label) == "Sample City Government Service Center"


def test_a_full_category_is_disabled_with_its_reason_before_the_tap(qtbot) -> None:  # type: ignore[no-untyped-def]
    c = controller(elderly_age=None)
    c.handle(ev.QueueSeen(snapshot(closed="C", full="B")))
    window = KioskWindow(c)
    qtbot.addWidget(window)
    c.handle(ev.CardRead(citizen_card()))
    window.show()
    qtbot.wait(20)
    rows = {
        plain_text(b.code): b for b in window.findChildren(CategoryButton) if b.isVisibleTo(window)
    }
    states = {code: (plain_text(b.state), b.isEnabled()) for code, b in rows.items()}
    assert states == {
        "A": ("2 人等候 · 约 6 分钟", True),
        "B": ("今日号已取完", False),
        "C": ("已停止取号", False),
        "D": ("11 人等候 · 约 18 分钟", True),
    }
    rows["B"].click()
    assert c.view.screen.value == "categories" and c._pending is None


def test_switching_language_re_renders_every_screen(qtbot) -> None:  # type: ignore[no-untyped-def]
    stale: dict[str, list[str]] = {}
    for name, reach in SCREENS.items():
        c = controller(elderly_age=None)
        window = KioskWindow(c)
        qtbot.addWidget(window)
        reach(c)
        window.show()
        chinese = shown_texts(window, qtbot)
        for lang in LANGS[1:]:
            c.set_lang(lang)
            texts = shown_texts(window, qtbot)
            assert texts != chinese, (name, lang)
            left = [p for p in untranslated(lang) if any(p in t for t in texts)]
            if left:
                stale[f"{name} {lang}"] = left
        c.set_lang("zh-CN")
        assert shown_texts(window, qtbot) == chinese, name
        window.close()
    assert not stale, stale


def test_a_category_that_fills_up_while_shown_is_disabled_in_place(qtbot) -> None:  # type: ignore[no-untyped-def]
    c = controller(elderly_age=None)
    window = KioskWindow(c)
    qtbot.addWidget(window)
    c.handle(ev.CardRead(citizen_card()))
    window.show()
    qtbot.wait(20)
    before = {plain_text(b.code): b for b in window.findChildren(CategoryButton) if b.isVisible()}
    assert before["B"].isEnabled()
    c.handle(ev.QueueSeen(snapshot(closed="C", full="B")))
    qtbot.wait(20)
    after = {plain_text(b.code): b for b in window.findChildren(CategoryButton) if b.isVisible()}
    assert after == before  # the same buttons, their words changed
    assert not after["B"].isEnabled() and plain_text(after["B"].state) == "今日号已取完"
    assert after["B"].state.property("muted") is True
    after["B"].click()
    assert c._pending is None
