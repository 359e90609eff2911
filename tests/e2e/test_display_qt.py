"""The Qt screens, offscreen: counter, evaluation mode and wall at 1920×1080 and 3840×2160,
in each of the three languages.

Screenshots go to ``YIHAO_SCREENSHOTS`` (e.g. ``docs/img``) when set, else the test's
temporary directory: ``display-<screen>.png`` in zh-CN, ``display-<screen>-<lang>.png`` in
zh-TW and English. The wall's numbers are measured on the rendered pixels; every text is read
back from the rendered widget tree and must fit its widget.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from caller_server.protocol import (
    CategoryQueue,
    CounterState,
    DeviceDown,
    DeviceOut,
    DisplayState,
    EventOut,
    TicketBrief,
)

QtWidgets = pytest.importorskip("PySide6.QtWidgets", reason="PySide6 is not installed")
from PySide6.QtGui import QColor, QImage  # noqa: E402

from counter_display.qt.app import screen_texts  # noqa: E402
from counter_display.qt.counter import CounterScreen  # noqa: E402
from counter_display.qt.style import NUMBER  # noqa: E402
from counter_display.qt.wall import WallScreen  # noqa: E402
from counter_display.views import DisplayModel, pin_view  # noqa: E402
from tests.devicekit import SIMPLIFIED_ONLY, DeviceProcess, wait_for  # noqa: E402

NOW = time.time()
CATEGORIES = [
    ("A", ("投资项目类", "投資項目類", "Investment projects"), 4),
    ("B", ("民生服务类", "民生服務類", "Livelihood services"), 17),
    ("C", ("社会管理类", "社會管理類", "Social administration"), 9),
    ("D", ("综合咨询类", "綜合諮詢類", "General enquiries"), 3),
]
LANGS = ["zh-CN", "zh-TW", "en"]
CJK = re.compile(r"[\u3400-\u9fff]")
WALL = {
    "zh-CN": (
        "示例市政务服务中心",
        "1号窗口",
        "暂停",
        "最近叫号",
        "B011　1号窗口",
        "等候  投资项目类 4 人",
    ),
    "zh-TW": (
        "示例市政務服務中心",
        "1號窗口",
        "暫停",
        "最近叫號",
        "B011　1號窗口",
        "等候  投資項目類 4 人",
    ),
    "en": (
        "Sample City Government Service Center",
        "Counter 1",
        "Paused",
        "Recent calls",
        "B011　Counter 1",
        "Waiting:  Investment projects 4",
    ),
}
"""Per language: hall, first tile, a paused tile, recent title, first recent call, waiting."""


def _shot_name(screen: str, lang: str) -> str:
    """The zh-CN screenshots keep their names; the others get the language appended."""
    return f"display-{screen}.png" if lang == "zh-CN" else f"display-{screen}-{lang}.png"


def _assert_fits(screen: QtWidgets.QWidget) -> None:
    """Every visible text is drawn whole: no line wider or taller than its label or button."""
    for widget in screen.findChildren(QtWidgets.QWidget):
        if not isinstance(widget, QtWidgets.QLabel | QtWidgets.QPushButton):
            continue
        if not widget.isVisible() or not widget.text() or widget.objectName() == "ticker":
            continue
        lines = widget.text().split("\n")
        metrics = widget.fontMetrics()
        room = widget.contentsRect()
        width = max(metrics.horizontalAdvance(line) for line in lines)
        assert width <= room.width(), (widget.text(), width, room.width())
        height = metrics.height() * len(lines)
        assert height <= room.height() + 2, (widget.text(), height, room.height())


def _assert_traditional(texts: list[str]) -> None:
    simplified = {c for t in texts for c in t if c in SIMPLIFIED_ONLY}
    assert not simplified, (simplified, texts)


@pytest.fixture(scope="module")
def app() -> Iterator[object]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QFontDatabase

    instance = QtWidgets.QApplication.instance() or QtWidgets.QApplication([])
    if not any("WenQuanYi" in f or "Noto Sans CJK" in f for f in QFontDatabase.families()):
        pytest.skip("no CJK font (apt install fonts-wqy-microhei)")
    yield instance


def _shots(tmp_path: Path) -> Path:
    target = os.environ.get("YIHAO_SCREENSHOTS")
    path = Path(target) if target else tmp_path
    path.mkdir(parents=True, exist_ok=True)
    return path


def _state(paused: tuple[int, ...] = (), idle: tuple[int, ...] = ()) -> DisplayState:
    """Eight counters, each calling a ticket but those ``paused`` or ``idle``."""
    counters = []
    for n in range(1, 9):
        number = f"{'ABCD'[n % 4]}{10 + n:03d}"
        current = TicketBrief(
            number=number, category=number[0], status="called", arrival_at=NOW, called_at=NOW
        )
        counters.append(
            CounterState(
                number=n,
                name="8号窗口（绿色通道）" if n == 8 else f"{n}号窗口",
                name_tw="8號窗口（綠色通道）" if n == 8 else "",
                name_en="Counter 8 (priority lane)" if n == 8 else "",
                status="paused" if n in paused else "open",
                categories=["A", "B"] if n < 3 else ["B", "C"],
                current=None if n in paused or n in idle else current,
                clerk="wang" if n == 3 else None,
            )
        )
    recent = [
        EventOut(seq=100 - i, kind="called", at=NOW, number=c.current.number, counter=c.number)
        for i, c in enumerate(counters)
        if c.current is not None
    ]
    return DisplayState(
        seq=100,
        day="2026-12-01",
        hall="示例市政务服务中心",
        hall_tw="示例市政務服務中心",
        hall_en="Sample City Government Service Center",
        categories=[
            CategoryQueue(
                code=code,
                name=zh,
                name_tw=tw,
                name_en=en,
                waiting=n,
                open=True,
                id_required=True,
            )
            for code, (zh, tw, en), n in CATEGORIES
        ],
        counters=counters,
        recent=recent,
        notice="今日下午 17:00 停止取号，请合理安排时间。办理社保业务请携带身份证原件。",
    )


def _snapshot(counter: int | None, state: DisplayState) -> DeviceDown:
    device = DeviceOut(id="x", role="counter" if counter else "wall", name="x", counter=counter)
    return DeviceDown(type="snapshot", seq=1, device=device, state=state)


def _ink_height(image: QImage, colour: str) -> int:
    """Rows of ``image`` containing the number colour: the rendered glyph height."""
    target = QColor(colour)
    rows = 0
    for y in range(image.height()):
        for x in range(0, image.width(), 2):
            pixel = image.pixelColor(x, y)
            if abs(pixel.red() - target.red()) + abs(pixel.green() - target.green()) < 40:
                rows += 1
                break
    return rows


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("size", [(1920, 1080), (3840, 2160)])
def test_wall_numbers_are_readable_from_across_the_hall(
    app: object, tmp_path: Path, size: tuple[int, int], lang: str
) -> None:
    model = DisplayModel(lang=lang)
    model.apply(_snapshot(None, _state(paused=(5,))))
    wall = WallScreen()
    wall.resize(*size)
    wall.show()
    view = model.wall_view()
    assert view is not None
    wall.show_view(view)
    QtWidgets.QApplication.processEvents()
    image = wall.grab().toImage()
    assert (image.width(), image.height()) == size, "a long notice must not widen the wall"
    image.save(str(_shots(tmp_path) / _shot_name(f"wall-{size[0]}x{size[1]}", lang)))
    hall, first, paused, recent_title, first_call, waiting = WALL[lang]
    assert wall.header.text() == hall and wall.recent_title.text() == recent_title
    assert wall.tiles[0].label.text() == first and wall.tiles[4].number.text() == paused
    assert [t.number.text() for t in wall.tiles] == [r.number or paused for r in view.rows]
    assert wall.recent.text().split("\n")[0] == first_call
    assert wall.waiting.text().startswith(waiting)
    assert wall.ticker.text() in (view.notice + "　　　") * 3, "the notice is shown as typed"
    _assert_fits(wall)
    if lang == "zh-TW":
        _assert_traditional([t for t in screen_texts(wall) if t != wall.ticker.text()])
    # Every counter's number, measured on the rendered pixels, is over 1/10 of the height.
    for tile in wall.tiles:
        if tile.number.text() == paused:
            continue
        ink = _ink_height(tile.number.grab().toImage(), NUMBER)
        assert ink >= size[1] / 10, (tile.number.text(), ink, size)
    # The whole wall fits: no tile is cut off at the bottom.
    last = wall.tiles[-1]
    assert last.mapTo(wall, last.rect().bottomLeft()).y() <= wall.height()
    if lang != "zh-CN":
        wall.close()
        return
    # A new call flashes its number (yellow background on and off, a few times).
    called = EventOut(seq=101, kind="called", at=NOW, number="C016", counter=6)
    model.apply(DeviceDown(type="update", seq=2, state=_state(paused=(5,)), events=[called]))
    flashing = model.wall_view()
    assert flashing is not None and flashing.flash == "C016"
    wall.show_view(flashing)
    tile = next(t for t in wall.tiles if t.number.text() == "C016")
    seen: set[bool] = set()
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline and len(seen) < 2:
        QtWidgets.QApplication.processEvents()
        on = "background: #ffd54a" in tile.number.styleSheet()
        if on and True not in seen and size == (1920, 1080):
            wall.grab().save(str(_shots(tmp_path) / "display-wall-flash.png"))
        seen.add(on)
        time.sleep(0.02)
    assert seen == {True, False}, "the new call's number blinks"
    assert (
        wall.recent.text().split("\n")
        == view.recent
        == [f"{r.number}　{r.counter}号窗口" for r in view.rows if r.number]
    )
    wall.close()


COUNTER = {
    "zh-CN": (
        "3号窗口屏 等待配对",
        "3号窗口",
        "请 D013 号到 3 号窗口",
        "本窗口等候 26 人　｜　工作人员：wang",
        "请您对本次服务进行评价",
        ["非常满意", "满意", "基本满意", "不满意", "非常不满意"],
        "感谢您的评价",
        ("暂停服务", "请到其他窗口办理"),
    ),
    "zh-TW": (
        "3號窗口屏 等待配對",
        "3號窗口",
        "請 D013 號到 3 號窗口",
        "本窗口等候 26 人　｜　工作人員：wang",
        "請您對本次服務進行評價",
        ["非常滿意", "滿意", "基本滿意", "不滿意", "非常不滿意"],
        "感謝您的評價",
        ("暫停服務", "請到其他窗口辦理"),
    ),
    "en": (
        "Counter 3 screen: waiting for pairing",
        "Counter 3",
        "Number D013, please go to counter 3",
        "Waiting here: 26　｜　Staff: wang",
        "Please rate our service",
        ["Very satisfied", "Satisfied", "Fairly satisfied", "Dissatisfied", "Very dissatisfied"],
        "Thank you for your rating",
        ("Paused", "Please go to another counter"),
    ),
}
"""Per language: PIN title, counter title, sentence, footer, rating prompt, the five buttons,
the answer after rating, the paused screen."""


@pytest.mark.parametrize("lang", LANGS)
def test_counter_screen_and_evaluation_mode(app: object, tmp_path: Path, lang: str) -> None:
    pin_title, title, sentence, footer, prompt, ratings, thanks, paused_texts = COUNTER[lang]
    shown: list[str] = []
    rated: list[tuple[str, int]] = []
    model = DisplayModel(counter=3, lang=lang)
    model.apply(_snapshot(3, _state()))
    screen = CounterScreen(lambda number, level: rated.append((number, level)))
    screen.resize(1280, 720)
    screen.show()
    name = {"zh-CN": "3号窗口屏", "zh-TW": "3號窗口屏", "en": "Counter 3 screen"}[lang]
    screen.show_pin(pin_view("246810", name, lang))
    QtWidgets.QApplication.processEvents()
    assert screen.number.text() == "246810" and not screen.panel.isVisible()
    assert screen.title.text() == pin_title
    _assert_fits(screen)
    shown += screen_texts(screen)
    screen.grab().save(str(_shots(tmp_path) / _shot_name("pairing", lang)))
    view = model.counter_view()
    assert view is not None and view.number == "D013"
    screen.show_view(view)
    QtWidgets.QApplication.processEvents()
    assert screen_texts(screen) == [title, "D013", sentence, footer]
    _assert_fits(screen)
    shown += screen_texts(screen)
    screen.grab().save(str(_shots(tmp_path) / _shot_name("counter", lang)))

    finished = EventOut(seq=101, kind="finished", at=NOW, number="D013", counter=3)
    model.apply(DeviceDown(type="update", seq=2, state=_state(idle=(3,)), events=[finished]))
    view = model.counter_view()
    assert view is not None and view.evaluating == "D013"
    screen.show_view(view)
    QtWidgets.QApplication.processEvents()
    assert screen.panel.isVisible()
    assert screen.sentence.text() == prompt
    assert [b.label for b in screen.buttons] == ratings
    assert [b.text().replace("\n", " ") for b in screen.buttons] == ratings
    _assert_fits(screen)
    shown += screen_texts(screen)
    screen.grab().save(str(_shots(tmp_path) / _shot_name("evaluation", lang)))
    screen.buttons[1].click()
    assert rated == [("D013", 4)]
    # The server's answer: thanks, in the screen's language, instead of 「请稍候」.
    model.apply(DeviceDown(type="rated", ok=True, number="D013", detail="感谢您的评价"))
    view = model.counter_view()
    assert view is not None and view.evaluating is None
    screen.show_view(view)
    assert not screen.panel.isVisible() and screen.sentence.text() == thanks
    shown += screen_texts(screen)

    paused = DisplayModel(counter=5, lang=lang)
    paused.apply(_snapshot(5, _state(paused=(5,))))
    view = paused.counter_view()
    assert view is not None and view.paused
    screen.show_view(view)
    QtWidgets.QApplication.processEvents()
    assert (screen.number.text(), screen.sentence.text()) == paused_texts
    _assert_fits(screen)
    shown += screen_texts(screen)
    screen.grab().save(str(_shots(tmp_path) / _shot_name("counter-paused", lang)))
    screen.close()
    if lang == "zh-TW":
        _assert_traditional(shown)
    if lang == "en":
        assert not [t for t in shown if CJK.search(t)], shown


def test_english_device_process_shows_english(app: object, tmp_path: Path) -> None:
    """A real ``yihao-display --lang en --sim``: its unpaired screen (as the device logs it once
    shown) is all English."""
    device = DeviceProcess(
        tmp_path / "en", "counter", "--counter", "3", "--mdns", "off", "--lang", "en"
    )
    device.start()
    try:

        def shows() -> str | None:
            return next((line for line in device.output if "shows:" in line), None)

        line = wait_for(shows, timeout=30, what="the screen's texts")
    finally:
        device.stop()
    assert "'Yihao Counter 3 screen' shows: Counter 3 screen: waiting for pairing |" in line
    assert "Manager: type this code in the console" in line
    assert not CJK.search(line), line


def test_bad_language_is_refused_in_both_languages(tmp_path: Path) -> None:
    cmd = DeviceProcess(tmp_path / "x", "wall", "--lang", "fr").cmd
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stderr
    assert "不支持的语言 'fr'" in done.stderr and "unsupported language 'fr'" in done.stderr
    assert "zh-CN, zh-TW or en" in done.stderr


@pytest.mark.parametrize("role", ["wall", "counter"])
def test_fullscreen_fills_the_hall_panel(app: object, tmp_path: Path, role: str) -> None:
    """``yihao-display --fullscreen`` on a 1920×1080 panel (Qt's offscreen screen of that size):
    the window is full screen and covers the whole screen."""
    screen = {"name": "hall", "x": 0, "y": 0, "width": 1920, "height": 1080}
    config = tmp_path / "screen.json"
    config.write_text(json.dumps({"screens": [{**screen, "logicalDpi": 96, "dpr": 1}]}))
    extra = ("--counter", "3") if role == "counter" else ()
    device = DeviceProcess(
        tmp_path / role,
        role,
        "--fullscreen",
        "--mdns",
        "off",
        *extra,
        platform=f"offscreen:configfile={config}",
    )
    device.start()
    try:

        def shown() -> str | None:
            return next((line for line in device.output if "on a " in line), None)

        line = wait_for(shown, timeout=30, what="the window shown")
        assert "window 1920x1080 at 0,0 on a 1920x1080 screen, full screen" in line, line
    finally:
        device.stop()
