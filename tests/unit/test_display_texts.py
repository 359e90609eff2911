"""The output devices' words in zh-CN, zh-TW and English: the text table and the view models."""

from __future__ import annotations

import string
from pathlib import Path

import pytest

from caller_server.protocol import (
    CategoryQueue,
    CounterState,
    DeviceDown,
    DisplayState,
    EventOut,
    TicketBrief,
)
from counter_display.device import DeviceOptions
from counter_display.errors import DisplayError
from counter_display.texts import LANGS, TEXTS, load_texts, parse_lang
from counter_display.views import (
    THANKS_SECONDS,
    DisplayModel,
    call_sentence,
    pin_view,
    status_text,
)
from tests.devicekit import SIMPLIFIED_ONLY


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_text_exists_in_three_languages_with_the_same_blanks() -> None:
    for key, words in TEXTS.items():
        assert len(words) == len(LANGS) and all(words), key
        assert _fields(words[1]) == _fields(words[0]) == _fields(words[2]), key
        assert not set(words[1]) & set(SIMPLIFIED_ONLY), (key, words[1])


def test_the_call_sentence() -> None:
    assert call_sentence("A012", 3) == "请 A012 号到 3 号窗口"
    assert call_sentence("A012", 3, "zh-TW") == "請 A012 號到 3 號窗口"
    assert call_sentence("A012", 3, "en") == "Number A012, please go to counter 3"


@pytest.mark.parametrize(
    ("typed", "lang"), [("zh-CN", "zh-CN"), ("zh_tw", "zh-TW"), ("EN", "en"), (" en ", "en")]
)
def test_languages_are_read_leniently(typed: str, lang: str) -> None:
    assert parse_lang(typed) == lang


@pytest.mark.parametrize("typed", ["fr", "zh", "", "english"])
def test_an_unknown_language_is_refused_in_chinese_and_english(typed: str) -> None:
    with pytest.raises(ValueError) as err:
        parse_lang(typed)
    assert "不支持的语言" in str(err.value) and "unsupported language" in str(err.value)


def _state(hall_en: str = "Sample City Government Service Center") -> DisplayState:
    called = TicketBrief(number="B017", category="B", status="called", arrival_at=0.0)
    return DisplayState(
        seq=9,
        day="2026-12-01",
        hall="示例市政务服务中心",
        hall_tw="示例市政務服務中心",
        hall_en=hall_en,
        categories=[
            CategoryQueue(
                code="B",
                name="民生服务类",
                name_tw="民生服務類",
                name_en="Livelihood services",
                waiting=17,
                open=True,
                id_required=True,
            )
        ],
        counters=[
            CounterState(
                number=3,
                name="3号窗口",
                status="open",
                categories=["B"],
                current=called,
                clerk="wang",
            ),
            CounterState(
                number=8,
                name="8号窗口（绿色通道）",
                name_tw="8號窗口（綠色通道）",
                name_en="Counter 8 (priority lane)",
                status="paused",
                categories=["B"],
            ),
        ],
        recent=[EventOut(seq=9, kind="called", at=0.0, number="B017", counter=3)],
        notice="今日 17:00 停止取号",
    )


def _model(lang: str, counter: int | None = 3, state: DisplayState | None = None) -> DisplayModel:
    model = DisplayModel(counter=counter, lang=lang)
    model.apply(DeviceDown(type="snapshot", seq=1, state=state or _state()), now=0.0)
    return model


@pytest.mark.parametrize(
    ("lang", "name", "sentence", "footer"),
    [
        ("zh-CN", "3号窗口", "请 B017 号到 3 号窗口", "本窗口等候 17 人　｜　工作人员：wang"),
        ("zh-TW", "3號窗口", "請 B017 號到 3 號窗口", "本窗口等候 17 人　｜　工作人員：wang"),
        (
            "en",
            "Counter 3",
            "Number B017, please go to counter 3",
            "Waiting here: 17　｜　Staff: wang",
        ),
    ],
)
def test_counter_view_speaks_the_screens_language(
    lang: str, name: str, sentence: str, footer: str
) -> None:
    view = _model(lang).counter_view(now=0.0)
    assert view is not None
    assert (view.name, view.big, view.line, view.footer) == (name, "B017", sentence, footer)


@pytest.mark.parametrize(
    ("lang", "ratings"),
    [
        ("zh-CN", "非常满意 满意 基本满意 不满意 非常不满意"),
        ("zh-TW", "非常滿意 滿意 基本滿意 不滿意 非常不滿意"),
        ("en", "Very satisfied|Satisfied|Fairly satisfied|Dissatisfied|Very dissatisfied"),
    ],
)
def test_the_five_ratings(lang: str, ratings: str) -> None:
    view = _model(lang).counter_view(now=0.0)
    assert view is not None
    assert [label for _, label in view.ratings] == ratings.split("|" if lang == "en" else " ")
    assert [level for level, _ in view.ratings] == [5, 4, 3, 2, 1]


def test_a_paused_counter_with_a_name_of_its_own() -> None:
    expected = {
        "zh-CN": ("8号窗口（绿色通道）", "暂停服务", "请到其他窗口办理"),
        "zh-TW": ("8號窗口（綠色通道）", "暫停服務", "請到其他窗口辦理"),
        "en": ("Counter 8 (priority lane)", "Paused", "Please go to another counter"),
    }
    for lang, texts in expected.items():
        view = _model(lang, counter=8).counter_view(now=0.0)
        assert view is not None and (view.name, view.big, view.line) == texts, lang


@pytest.mark.parametrize(
    ("lang", "hall", "label", "paused"),
    [
        ("zh-CN", "示例市政务服务中心", "3号窗口", "暂停"),
        ("zh-TW", "示例市政務服務中心", "3號窗口", "暫停"),
        ("en", "Sample City Government Service Center", "Counter 3", "Paused"),
    ],
)
def test_wall_tiles_speak_the_walls_language(lang: str, hall: str, label: str, paused: str) -> None:
    view = _model(lang, counter=None).wall_view()
    assert view is not None and view.hall == hall
    assert (view.rows[0].label, view.rows[0].shown, view.rows[1].shown) == (label, "B017", paused)
    assert view.notice == "今日 17:00 停止取号", "the manager's notice is shown as typed"


@pytest.mark.parametrize(
    ("lang", "title", "recent", "waiting"),
    [
        ("zh-CN", "最近叫号", "B017　3号窗口", "等候  民生服务类 17 人"),
        ("zh-TW", "最近叫號", "B017　3號窗口", "等候  民生服務類 17 人"),
        ("en", "Recent calls", "B017　Counter 3", "Waiting:  Livelihood services 17"),
    ],
)
def test_wall_lists_speak_the_walls_language(
    lang: str, title: str, recent: str, waiting: str
) -> None:
    view = _model(lang, counter=None).wall_view()
    assert view is not None
    assert (view.recent_title, view.recent, view.waiting_line) == (title, [recent], waiting)


def test_a_name_missing_in_a_language_falls_back_to_the_chinese_one() -> None:
    """An older server (or a hall without an English name) still gives the wall a heading."""
    view = _model("en", counter=None, state=_state(hall_en="")).wall_view()
    assert view is not None and view.hall == "示例市政务服务中心"


@pytest.mark.parametrize(
    ("lang", "thanks", "refused"),
    [
        ("zh-CN", "感谢您的评价", "该号票已评价"),
        ("zh-TW", "感謝您的評價", "該號票已評價"),
        ("en", "Thank you for your rating", "this ticket has been rated already"),
    ],
)
def test_the_answer_to_a_rating(lang: str, thanks: str, refused: str) -> None:
    model = _model(lang)
    done = _state().model_copy(deep=True)
    done.counters[0].current = None
    finished = EventOut(seq=10, kind="finished", at=0.0, number="B017", counter=3)
    model.apply(DeviceDown(type="update", seq=2, state=done, events=[finished]), now=1.0)
    model.apply(
        DeviceDown(
            type="rated",
            ok=False,
            number="B017",
            detail="该号票已评价",
            detail_tw="該號票已評價",
            detail_en="this ticket has been rated already",
        ),
        now=2.0,
    )
    view = model.counter_view(now=2.0)
    assert view is not None and view.evaluating == "B017" and view.footer == refused
    model.apply(DeviceDown(type="rated", ok=True, number="B017", detail="感谢您的评价"), now=3.0)
    view = model.counter_view(now=3.0)
    assert view is not None and view.evaluating is None and view.line == thanks
    later = model.counter_view(now=3.0 + THANKS_SECONDS + 1)
    assert later is not None and later.line == {"zh-CN": "请稍候", "zh-TW": "請稍候"}.get(
        lang, "Please wait"
    )


def test_pin_screen_status_and_device_names(tmp_path: Path) -> None:
    options = DeviceOptions(role="counter", data_dir=tmp_path, counter=3)
    assert options.display_name == "3号窗口屏", "the manager sees the Chinese name"
    pin = pin_view("246810", options.label("en"), "en")
    assert (pin.title, pin.hint) == (
        "Counter 3 screen: waiting for pairing",
        "Manager: type this code in the console",
    )
    assert pin.banner == "Counter 3 screen: waiting for pairing · code 246810"
    assert pin_view("246810", options.label("zh-TW"), "zh-TW").title == "3號窗口屏 等待配對"
    assert status_text("offline", "en") == "Connection to the server lost, reconnecting…"
    assert status_text("offline", "zh-TW") == "與伺服器的連線中斷，正在重連…"
    assert status_text("online", "en") == ""


def test_a_text_without_all_three_languages_is_refused(tmp_path: Path) -> None:
    table = tmp_path / "texts.toml"
    table.write_text('[paused]\nzh-CN = "暂停服务"\nen = ""\n', encoding="utf-8")
    with pytest.raises(DisplayError, match=r"\[paused\] has no zh-TW, en text"):
        load_texts(table)
