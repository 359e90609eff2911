"""Real links: a loopback TCP printer and a serial printer on a pty pair, every DLE EOT reply."""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path

import pytest

from drivers.printer import (
    PrinterConfig,
    PrinterConnectionError,
    PrinterDependencyError,
    PrinterStatus,
    PrinterStatusError,
    SerialPrinter,
    TcpPrinter,
    TicketPrinter,
    open_printer,
    sample_ticket,
)
from tests.escpos_reader import Qr, lines, read_escpos
from tests.integration.printer_fixtures import PtyPrinterPeer, TcpPrinterSink, replies_for

FAST = PrinterConfig(status_timeout=0.2, timeout=2.0)
TICKET = sample_ticket(datetime(2024, 5, 8, 9, 31))

CASES: list[tuple[str, Mapping[int, bytes], PrinterStatus]] = [
    ("ok", replies_for(PrinterStatus.OK), PrinterStatus.OK),
    ("near_end", replies_for(PrinterStatus.PAPER_NEAR_END), PrinterStatus.PAPER_NEAR_END),
    ("paper_out", replies_for(PrinterStatus.PAPER_OUT), PrinterStatus.PAPER_OUT),
    ("cover_open", replies_for(PrinterStatus.COVER_OPEN), PrinterStatus.COVER_OPEN),
    ("offline", replies_for(PrinterStatus.OFFLINE), PrinterStatus.OFFLINE),
    ("no_reply", {}, PrinterStatus.UNKNOWN),
    ("partial_reply", {1: b"\x16"}, PrinterStatus.UNKNOWN),
    ("garbage", {1: b"\xff", 2: b"\x12", 4: b"\x12"}, PrinterStatus.UNKNOWN),
    ("two_bytes", {1: b"\x16\x16", 2: b"\x12", 4: b"\x12"}, PrinterStatus.UNKNOWN),
]


def received(peer: Callable[[], bytes], size: int) -> bytes:
    """The printer side's job once ``size`` bytes arrived (or after 2 s)."""
    deadline = time.monotonic() + 2
    while len(peer()) < size and time.monotonic() < deadline:
        time.sleep(0.01)
    return peer()


def check_print(printer: TicketPrinter, expected: PrinterStatus, peer: Callable[[], bytes]) -> None:
    """Print and check the outcome against what the printer side received."""
    if expected.can_print:
        result = printer.print_ticket(TICKET)
        assert result.status is expected
        job = received(peer, result.size)
        assert result.size == len(job) > 0
        events = read_escpos(job, "gb18030")
        assert "A012" in lines(events) and "民生服务类" in lines(events)
        assert any(isinstance(e, Qr) and e.payload == TICKET.status_url for e in events)
        assert job == printer.render(TICKET)
    else:
        with pytest.raises(PrinterStatusError) as caught:
            printer.print_ticket(TICKET)
        assert caught.value.status is expected
        assert "请联系工作人员" in caught.value.message_zh
        time.sleep(0.1)
        assert peer() == b""  # nothing was sent: the kiosk knows the ticket was not printed


@pytest.mark.parametrize(("name", "replies", "expected"), CASES, ids=[c[0] for c in CASES])
def test_tcp_printer(name: str, replies: Mapping[int, bytes], expected: PrinterStatus) -> None:
    with TcpPrinterSink(replies) as sink:
        printer = TcpPrinter("127.0.0.1", sink.port, FAST)
        assert printer.status() is expected
        check_print(printer, expected, lambda: bytes(sink.peers[-1].job))
        assert sink.peers[-1].queries[0] == 1
    if expected.can_print:
        assert sink.peers[-1].queries == [1, 2, 4]


@pytest.mark.parametrize(("name", "replies", "expected"), CASES, ids=[c[0] for c in CASES])
def test_serial_printer_on_a_pty(
    name: str, replies: Mapping[int, bytes], expected: PrinterStatus
) -> None:
    with PtyPrinterPeer(replies) as peer:
        printer = SerialPrinter(peer.port, 115200, config=FAST)
        assert printer.status() is expected
        peer.peer.job.clear()
        check_print(printer, expected, lambda: bytes(peer.peer.job))


def test_unknown_status_can_be_overridden_by_configuration() -> None:
    with TcpPrinterSink({}) as sink:
        config = PrinterConfig(status_timeout=0.2, print_when_unknown=True)
        result = TcpPrinter("127.0.0.1", sink.port, config).print_ticket(TICKET)
        assert result.status is PrinterStatus.UNKNOWN
        assert received(lambda: sink.job, result.size) == TcpPrinter("h", 1, config).render(TICKET)


def test_status_check_can_be_switched_off() -> None:
    with TcpPrinterSink({}) as sink:
        printer = open_printer(f"tcp:127.0.0.1:{sink.port}?check_status=0")
        result = printer.print_ticket(TICKET)
        assert received(lambda: sink.job, result.size) == printer.render(TICKET)
    assert result.status is None
    assert sink.peers[0].queries == []


def test_no_printer_listening_is_a_connection_error() -> None:
    with TcpPrinterSink({}) as sink:
        port = sink.port
    with pytest.raises(PrinterConnectionError) as caught:
        TcpPrinter("127.0.0.1", port, FAST).print_ticket(TICKET)
    assert caught.value.message_zh == "打印机连接失败，请联系工作人员"


def test_missing_serial_port_is_a_connection_error(tmp_path: Path) -> None:
    with pytest.raises(PrinterConnectionError):
        SerialPrinter(str(tmp_path / "ttyUSB9"), config=FAST).status()


def test_file_transport_writes_the_job(tmp_path: Path) -> None:
    out = tmp_path / "lp0"
    printer = open_printer(f"file:{out}")
    result = printer.print_ticket(TICKET)
    assert result.status is None
    assert out.read_bytes() == printer.render(TICKET)
    assert printer.status() is PrinterStatus.UNKNOWN
    with pytest.raises(PrinterConnectionError):
        open_printer(f"file:{tmp_path / 'missing' / 'lp0'}").print_ticket(TICKET)


def test_cups_transport_sends_one_raw_job_with_lp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake_lp = bin_dir / "lp"
    fake_lp.write_text(f'#!/bin/sh\necho "$@" > {tmp_path}/args\ncat > {tmp_path}/job\n')
    fake_lp.chmod(fake_lp.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    printer = open_printer("cups:ticket_q")
    printer.print_ticket(TICKET)
    assert (tmp_path / "job").read_bytes() == printer.render(TICKET)
    assert (tmp_path / "args").read_text().split()[:4] == ["-d", "ticket_q", "-o", "raw"]
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(PrinterDependencyError, match="cups-client"):
        printer.print_ticket(TICKET)
