"""Ticket data, layout blocks and line breaking."""

from __future__ import annotations

import itertools
from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drivers.printer import Ticket, sample_ticket
from drivers.printer.layout import (
    QrBlock,
    TextBlock,
    clean,
    columns,
    fit_block,
    ticket_blocks,
    wrap,
)

CLOSING = "，。、；：？！）》」…"


def by_columns(width: int):  # type: ignore[no-untyped-def]
    return lambda text: columns(text) <= width


@given(
    st.text(alphabet="政务服务中心请留意叫号过身份证ABC012 " + CLOSING + "（《", max_size=80),
    st.integers(min_value=4, max_value=48),
)
def test_wrap_keeps_every_character_within_the_width(text: str, width: int) -> None:
    lines = wrap(text, by_columns(width))
    assert all(columns(line) <= width for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    # Closing punctuation never starts a line when the line before could take it.
    for before, line in itertools.pairwise(lines):
        if line[0] in CLOSING:
            assert columns(before + line[0]) > width


def test_wrap_keeps_latin_words_and_numbers_whole() -> None:
    assert wrap("证件：410104********1234 张*明", by_columns(24)) == [
        "证件：410104********1234",
        "张*明",
    ]


def test_centred_lines_are_balanced() -> None:
    scale, lines = fit_block(
        TextBlock("示范市政务服务中心", scale=2), lambda t, s: columns(t) * s <= 32
    )
    assert scale == 2
    assert [len(line) for line in lines] == [5, 4]


def test_one_line_blocks_shrink_instead_of_wrapping() -> None:
    block = TextBlock("A0123456", scale=4, one_line=True)
    assert fit_block(block, lambda t, s: columns(t) * 12 * s <= 384) == (4, ["A0123456"])
    block = TextBlock("A01234567", scale=4, one_line=True)
    assert fit_block(block, lambda t, s: columns(t) * 12 * s <= 384) == (3, ["A01234567"])


def test_columns_count_full_width_as_two() -> None:
    assert columns("A012") == 4
    assert columns("号：〇") == 6


def test_clean_turns_control_characters_into_spaces() -> None:
    assert clean("民生\x1b@服务\n类 ") == "民生 @服务 类"


def test_blocks_follow_the_ticket() -> None:
    blocks = ticket_blocks(sample_ticket(datetime(2024, 5, 8, 9, 31)))
    texts = [b.text for b in blocks if isinstance(b, TextBlock)]
    assert texts[:2] == ["示范市政务服务中心", "民生服务类"]
    assert "取号时间：2024-05-08 09:31" in texts
    assert [b.data for b in blocks if isinstance(b, QrBlock)] == [sample_ticket().status_url]
    bare = Ticket("大厅", "B001", "民生服务类", 0, None, datetime(2024, 5, 8), lang="en")
    bare_texts = [b.text for b in ticket_blocks(bare) if isinstance(b, TextBlock)]
    assert bare_texts == [
        "大厅",
        "民生服务类",
        "B001",
        "0 people ahead",
        "Issued: 2024-05-08 00:00",
    ]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"masked_identity": "410104198001011234 张*明"}, "unmasked"),
        ({"masked_identity": "11010519491231002X"}, "unmasked"),
        ({"people_ahead": -1}, "people_ahead"),
        ({"number": " "}, "queue number"),
        ({"number": "../../etc/A012"}, "queue number"),
        ({"number": "A012\n"}, "queue number"),
        ({"lang": "fr"}, "language"),
    ],
)
def test_ticket_rejects_bad_values(changes: dict[str, object], message: str) -> None:
    values: dict[str, object] = {
        "hall_name": "大厅",
        "number": "A012",
        "category_name": "民生服务类",
        "people_ahead": 1,
        "wait_minutes": 3,
        "issued_at": datetime(2024, 5, 8),
    }
    with pytest.raises(ValueError, match=message):
        Ticket(**(values | changes))  # type: ignore[arg-type]
