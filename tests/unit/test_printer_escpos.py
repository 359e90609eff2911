"""What the printer would print, read back from our own ESC/POS bytes."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest
from escpos.printer import Dummy

from drivers.printer import (
    FontNotFoundError,
    PrinterConfig,
    RecordingPrinter,
    Ticket,
    find_cjk_font,
    sample_ticket,
)
from drivers.printer.escpos_bytes import EscposBuilder
from tests.escpos_reader import (
    Command,
    Cut,
    EscposDecodeError,
    Line,
    Qr,
    Raster,
    lines,
    read_escpos,
)

ISSUED = datetime(2024, 5, 8, 9, 31)


@pytest.fixture
def cjk_font() -> None:
    """Raster output draws text: it needs a CJK font (CI installs fonts-wqy-microhei)."""
    try:
        find_cjk_font()
    except FontNotFoundError as exc:
        pytest.skip(f"no CJK font: {exc}")


def ticket(**changes: object) -> Ticket:
    return replace(sample_ticket(ISSUED), **changes)  # type: ignore[arg-type]


def job(t: Ticket, **config: object) -> bytes:
    return EscposBuilder(PrinterConfig(**config)).build(t)  # type: ignore[arg-type]


def line(events: list, text: str) -> Line:
    return next(e for e in events if isinstance(e, Line) and e.text == text)


@pytest.mark.parametrize("encoding", ["gb18030", "gbk"])
def test_sample_ticket_reads_back_as_printed(encoding: str) -> None:
    events = read_escpos(job(ticket(), encoding=encoding), encoding)
    assert events[0] == Command("init")
    assert events[-2:] == [Command("feed", 6), Cut(partial=False)]
    printed = lines(events)
    assert printed[0] == "示范市政务服务中心"
    assert "民生服务类" in printed
    assert "前面还有 5 人" in printed and "预计等待 15 分钟" in printed
    assert "证件：410104********1234 张*明" in printed
    assert "取号时间：2024-05-08 09:31" in printed
    assert "".join(printed[printed.index("取号时间：2024-05-08 09:31") + 1 :]) == ticket().notice
    number = line(events, "A012")
    assert (number.width, number.height, number.bold, number.align) == (4, 4, True, "center")
    assert line(events, "示范市政务服务中心").width == 2
    qr = next(e for e in events if isinstance(e, Qr))
    assert qr == Qr("https://hall.example.cn/t/7Kq2xW9a", module=6, ec="M")
    assert events.index(qr) < printed.index("扫码查看排队进度") + 10  # QR above its caption
    assert not any(isinstance(e, Raster) for e in events)


@pytest.mark.parametrize("encoding", ["gb18030", "gbk"])
def test_full_width_punctuation_and_ling_print_as_chinese(encoding: str) -> None:
    text = "第〇一组（综合）：身份证、户籍，“加急”。"
    events = read_escpos(job(ticket(notice=text), encoding=encoding), encoding)
    assert lines(events)[-1] == text
    data = job(ticket(category_name="："), encoding=encoding)
    # A line of one full-width colon is still sent in Chinese mode, encoded explicitly.
    assert b"\x1c&" + "：".encode(encoding) + b"\x1c." in data


def test_python_escpos_alone_prints_question_marks_for_such_lines() -> None:
    """Why we encode ourselves: python-escpos' guess sends ``：`` and ``〇`` through code pages."""
    printer = Dummy()
    printer.text("：〇\n")
    assert "：".encode("gb18030") not in printer.output
    assert b"?" in printer.output


def test_characters_outside_the_encoding_fall_back_to_raster_lines(cjk_font: None) -> None:
    # 𠮷 is a four-byte GB18030 character: not in a printer's ROM font.
    t = ticket(masked_identity="410104********1234 𠮷*明")
    events = read_escpos(job(t), "gb18030")
    printed = lines(events)
    assert not any("*明" in text for text in printed)
    assert "民生服务类" in printed  # the other lines stay text
    identity_at = next(i for i, e in enumerate(events) if isinstance(e, Raster))
    assert isinstance(events[identity_at + 1], Line)
    assert events[identity_at + 1].text.startswith("取号时间")
    raster = events[identity_at]
    assert isinstance(raster, Raster) and raster.width == 576
    assert raster.image().getbbox() is not None  # something is drawn


def test_big5_printer_gets_traditional_text_and_raster_for_simplified(cjk_font: None) -> None:
    traditional = ticket(
        hall_name="示範市政務服務中心", category_name="民生服務類", notice="", lang="zh-TW"
    )
    events = read_escpos(job(traditional, encoding="big5"), "big5")
    printed = lines(events)
    assert "示範市政務服務中心" in printed and "前面還有 5 人" in printed
    assert "取號時間：2024-05-08 09:31" in printed
    simplified = read_escpos(job(ticket(notice=""), encoding="big5"), "big5")
    assert "A012" in lines(simplified)
    assert "民生服务类" not in lines(simplified)  # 务 and 类 are not in Big5
    assert sum(isinstance(e, Raster) for e in simplified) >= 5


def test_control_characters_cannot_inject_commands() -> None:
    evil = ticket(hall_name="大厅\x1b@\x1dV\x00\n", category_name="民生\x10\x04\x01服务类")
    events = read_escpos(job(evil), "gb18030")
    assert sum(isinstance(e, Cut) for e in events) == 1
    assert events.count(Command("init")) == 1
    assert not any(e == Command("status", 1) for e in events)
    assert "大厅 @ V" in lines(events)


def test_long_category_wraps_and_long_number_shrinks_on_58mm() -> None:
    t = ticket(category_name="不动产登记及税费缴纳一窗受理类", number="VIP-A0123")
    events = read_escpos(job(t, paper_mm=58), "gb18030")
    printed = lines(events)
    assert "不动产登记及税费" in printed and "缴纳一窗受理类" in printed
    number = line(events, "VIP-A0123")
    assert number.width == 3  # 9 characters x 12 dots x 4 would not fit in 384 dots
    for e in events:
        if isinstance(e, Line):
            width = sum(2 if ord(c) > 0x2E7F else 1 for c in e.text) * e.width
            assert width <= 32, e


def test_image_qr_for_printers_without_native_qr() -> None:
    events = read_escpos(job(ticket(), qr_native=False), "gb18030")
    assert not any(isinstance(e, Qr) for e in events)
    qr = next(e for e in events if isinstance(e, Raster))
    box = qr.image().convert("L").point(lambda v: 255 - v).getbbox()
    assert box is not None
    left, top, right, bottom = box
    assert right - left == bottom - top  # a square code …
    assert (right - left) % 6 == 0  # … of 6-dot modules


def test_raster_mode_sends_only_images_that_match_the_preview(cjk_font: None) -> None:
    from drivers.printer.raster import to_bitmap
    from tests.escpos_reader import stitched

    printer = RecordingPrinter(PrinterConfig(mode="raster"))
    t = ticket()
    events = read_escpos(printer.render(t), "gb18030")
    assert not lines(events)
    assert {type(e) for e in events} == {Command, Raster, Cut}
    printed = stitched(events)
    expected = to_bitmap(printer.preview(t))
    assert printed.size == expected.size == (576, expected.height)
    assert printed.tobytes() == expected.tobytes()


def test_partial_cut_and_reader_rejects_stray_bytes() -> None:
    events = read_escpos(job(ticket(), cut="partial"), "gb18030")
    assert events[-1] == Cut(partial=True)
    with pytest.raises(EscposDecodeError, match="outside Chinese mode"):
        read_escpos("号\n".encode("gb18030"))
