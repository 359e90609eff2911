"""The Qt screens, offscreen: counter, evaluation mode and wall at 1920×1080 and 3840×2160.

Screenshots go to ``YIHAO_SCREENSHOTS`` (e.g. ``docs/img``) when set, else the test's
temporary directory. The wall's numbers are measured on the rendered pixels.
"""

from __future__ import annotations

import json
import os
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

from counter_display.qt.counter import CounterScreen  # noqa: E402
from counter_display.qt.style import NUMBER  # noqa: E402
from counter_display.qt.wall import WallScreen  # noqa: E402
from counter_display.views import DisplayModel  # noqa: E402
from tests.devicekit import DeviceProcess, wait_for  # noqa: E402

NOW = time.time()
CATEGORIES = [
    ("A", "投资项目类", 4),
    ("B", "民生服务类", 17),
    ("C", "社会管理类", 9),
    ("D", "综合咨询类", 3),
]


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


def _state(paused: tuple[int, ...] = ()) -> DisplayState:
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
                status="paused" if n in paused else "open",
                categories=["A", "B"] if n < 3 else ["B", "C"],
                current=None if n in paused else current,
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
        categories=[
            CategoryQueue(
                code=code,
                name=name,
                name_tw=name,
                name_en=code,
                waiting=n,
                open=True,
                id_required=True,
            )
            for code, name, n in CATEGORIES
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


@pytest.mark.parametrize("size", [(1920, 1080), (3840, 2160)])
def test_wall_numbers_are_readable_from_across_the_hall(
    app: object, tmp_path: Path, size: tuple[int, int]
) -> None:
    model = DisplayModel()
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
    image.save(str(_shots(tmp_path) / f"display-wall-{size[0]}x{size[1]}.png"))
    assert [t.number.text() for t in wall.tiles] == [r.number or "暂停" for r in view.rows][:8]
    assert wall.tiles[4].number.text() == "暂停"
    # Every counter's number, measured on the rendered pixels, is over 1/10 of the height.
    for tile in wall.tiles:
        if tile.number.text() == "暂停":
            continue
        ink = _ink_height(tile.number.grab().toImage(), NUMBER)
        assert ink >= size[1] / 10, (tile.number.text(), ink, size)
    # The whole wall fits: no tile is cut off at the bottom.
    last = wall.tiles[-1]
    assert last.mapTo(wall, last.rect().bottomLeft()).y() <= wall.height()
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
        wall.recent.text().split("<br>")
        == view.recent
        == [f"{r.number}　{r.counter}号窗口" for r in view.rows if r.number]
    )
    wall.close()


def test_counter_screen_and_evaluation_mode(app: object, tmp_path: Path) -> None:
    rated: list[tuple[str, int]] = []
    model = DisplayModel(counter=3)
    model.apply(_snapshot(3, _state()))
    screen = CounterScreen(lambda number, level: rated.append((number, level)))
    screen.resize(1280, 720)
    screen.show()
    screen.show_pin("246810", "3号窗口屏")
    QtWidgets.QApplication.processEvents()
    assert screen.number.text() == "246810" and not screen.panel.isVisible()
    screen.grab().save(str(_shots(tmp_path) / "display-pairing.png"))
    view = model.counter_view()
    assert view is not None and view.number == "D013"
    screen.show_view(view)
    QtWidgets.QApplication.processEvents()
    assert screen.sentence.text() == "请 D013 号到 3 号窗口"
    assert screen.footer.text() == "本窗口等候 26 人　｜　工作人员 Staff：wang"
    footer = screen.footer
    assert footer.fontMetrics().horizontalAdvance(footer.text()) <= footer.width(), "not cut off"
    screen.grab().save(str(_shots(tmp_path) / "display-counter.png"))

    finished = EventOut(seq=101, kind="finished", at=NOW, number="D013", counter=3)
    model.apply(DeviceDown(type="update", seq=2, state=_state(), events=[finished]))
    view = model.counter_view()
    assert view is not None and view.evaluating == "D013"
    screen.show_view(view)
    QtWidgets.QApplication.processEvents()
    assert screen.panel.isVisible()
    assert [b.text() for b in screen.buttons] == [
        "非常满意",
        "满意",
        "基本满意",
        "不满意",
        "非常不满意",
    ]
    screen.grab().save(str(_shots(tmp_path) / "display-evaluation.png"))
    screen.buttons[1].click()
    assert rated == [("D013", 4)]

    paused = DisplayModel(counter=5)
    paused.apply(_snapshot(5, _state(paused=(5,))))
    view = paused.counter_view()
    assert view is not None and view.paused
    screen.show_view(view)
    QtWidgets.QApplication.processEvents()
    assert screen.number.text() == "暂停服务"
    screen.grab().save(str(_shots(tmp_path) / "display-counter-paused.png"))
    screen.close()


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
