"""Call phrasing: what screens show and what the hall hears."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drivers.voice import (
    LANGS,
    call_phrase,
    call_text,
    guidance_phrase,
    recall_phrase,
    sentence_phrase,
    vocabulary,
)
from drivers.voice.numbers import number


def spoken(phrase_units: tuple) -> str:  # type: ignore[type-arg]
    return " ".join(unit.text for unit in phrase_units)


def test_call_text_in_three_languages() -> None:
    assert call_text("A012", 3) == "请 A012 号到 3 号窗口办理"
    assert call_text("A012", 3, "zh-TW") == "請 A012 號到 3 號窗口辦理"
    assert call_text("A012", 3, "en") == "Number A012, please go to counter 3."


def test_ticket_digits_one_by_one_counter_as_a_number() -> None:
    phrase = call_phrase("A012", 12)
    assert spoken(phrase.units) == "请 A 零 一 二 号 到 十 二 号窗口 办理"
    assert phrase.speech_text == "请A零一二号到十二号窗口办理"
    assert call_phrase("a012", 12).ticket == "A012"
    english = call_phrase("B100", 21, "en")
    assert english.speech_text == "Number B one zero zero, please go to counter twenty one"


@pytest.mark.parametrize(
    ("n", "zh", "en"),
    [
        (0, "零", "zero"),
        (2, "二", "two"),
        (10, "十", "ten"),
        (12, "十二", "twelve"),
        (20, "二十", "twenty"),
        (35, "三十五", "thirty five"),
        (100, "一百", "one hundred"),
        (105, "一百零五", "one hundred five"),
        (110, "一百一十", "one hundred ten"),
        (1001, "一千零一", "one thousand one"),
        (1010, "一千零一十", "one thousand ten"),
        (2300, "二千三百", "two thousand three hundred"),
        (9999, "九千九百九十九", "nine thousand nine hundred ninety nine"),
    ],
)
def test_numbers(n: int, zh: str, en: str) -> None:
    assert "".join(u.text for u in number(n, "zh-CN")) == zh
    assert " ".join(u.text for u in number(n, "en")) == en


def test_recall_and_elderly_guidance() -> None:
    assert recall_phrase("A012", 3).text == "再次呼叫：请 A012 号到 3 号窗口办理"
    assert recall_phrase("A012", 3).speech_text == "再次呼叫，请A零一二号到三号窗口办理"
    guide = guidance_phrase("A012", 5)
    assert guide.text == "您的号码是 A012，前面还有 5 人，请取走您的号票"
    assert guide.speech_text == "您的号码是A零一二，前面还有五人，请取走您的号票"
    assert guidance_phrase("A012", 1, "en").text.endswith(
        "1 person ahead of you. Please take your ticket."
    )
    assert (
        guidance_phrase("A012", 5, "zh-TW").text == "您的號碼是 A012，前面還有 5 人，請取走您的號票"
    )


@pytest.mark.parametrize("bad", ["", "A", "A-12", "ABC1", "A12345", "１２"])
def test_bad_ticket_numbers(bad: str) -> None:
    with pytest.raises(ValueError, match="ticket number"):
        call_phrase(bad, 3)


def test_bad_language_and_counter() -> None:
    with pytest.raises(ValueError, match="language"):
        call_phrase("A012", 3, "fr")
    with pytest.raises(ValueError, match="0 to 9999"):
        call_phrase("A012", 10000)
    for phrase in (call_phrase, recall_phrase):
        with pytest.raises(ValueError, match="start at 1"):
            phrase("A012", 0)


@given(
    st.from_regex(r"[A-Z]{0,2}[0-9]{1,4}", fullmatch=True),
    st.integers(min_value=0, max_value=9999),
    st.sampled_from(LANGS),
)
def test_every_spoken_unit_is_in_the_clip_vocabulary(ticket: str, n: int, lang: str) -> None:
    words = vocabulary(lang)
    counter = max(n, 1)
    for phrase in (
        call_phrase(ticket, counter, lang),
        recall_phrase(ticket, counter, lang),
        guidance_phrase(ticket, n, lang),
    ):
        for unit in phrase.units:
            assert unit.key == "pause" or words[unit.key] == unit.text


def test_a_free_sentence_reads_numbers_as_numbers_and_tickets_digit_by_digit() -> None:
    zh = sentence_phrase("您的号码是 B012，前面还有 15 人", "zh-CN")
    assert zh.text == "您的号码是 B012，前面还有 15 人"
    assert spoken(zh.units) == "您的号码是 B 零 一 二 ，前面还有 十 五 人"
    en = sentence_phrase("Back to start in 10 s", "en")
    assert spoken(en.units) == "Back to start in ten s"
    assert spoken(sentence_phrase("请选择您要办理的业务").units) == "请选择您要办理的业务"
    with pytest.raises(ValueError, match="unknown language"):
        sentence_phrase("hello", "fr")
