"""zh-TW of the messages written in Simplified Chinese: characters, Taiwan words, hall words."""

from __future__ import annotations

import pytest

from caller_server.web import i18n
from caller_server.zhtw import HALL_WORDS, traditional


@pytest.mark.parametrize(
    ("simplified", "expected"),
    [
        ("号票 A012 当前已办结，不能叫号", "號票 A012 當前已辦結，不能叫號"),
        ("3 号窗口已 12 分钟未叫号，仍有群众等候", "3 號窗口已 12 分鐘未叫號，仍有群眾等候"),
        ("身份证号码有误，请核对", "身分證號碼有誤，請核對"),  # the glossary's row
        ("打印机缺纸，请联系工作人员", "印表機缺紙，請聯繫工作人員"),  # the glossary's row
        ("网络异常，请稍后再试", "網路異常，請稍後再試"),  # the glossary's row
        ("绿色通道：长者优先", "綠色通道：長者優先"),
        ("按业务权重轮到B类，按取号先后", "按業務權重輪到B類，按取號先後"),
        ("数据库写入失败", "資料庫寫入失敗"),
    ],
)
def test_messages_read_as_written_in_taiwan(simplified: str, expected: str) -> None:
    assert traditional(simplified) == expected


def test_counter_stays_a_counter() -> None:
    """窗口 is a counter in a service hall, never a computer's 視窗."""
    assert traditional("请到 7 号窗口办理") == "請到 7 號窗口辦理"
    assert "視窗" not in traditional("转至本窗口的号票优先")


def test_each_hall_word_is_applied() -> None:
    for cn, tw in HALL_WORDS:
        assert traditional(f"（{cn}）") == f"（{tw}）"


def test_say_picks_the_language() -> None:
    zh, en = "没有找到该号票", "no such ticket"
    assert [i18n.say(lang, zh, en) for lang in i18n.LANGS] == [zh, "沒有找到該號票", en]
