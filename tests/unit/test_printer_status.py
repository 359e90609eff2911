"""DLE EOT replies, printer specs and configuration."""

from __future__ import annotations

import importlib.util

import pytest

from drivers.printer import (
    CupsPrinter,
    FilePrinter,
    PrinterConfig,
    PrinterConfigError,
    PrinterDependencyError,
    PrinterError,
    PrinterStatus,
    PrinterStatusError,
    SerialPrinter,
    TcpPrinter,
    UsbPrinter,
    Win32Printer,
    open_printer,
    sample_ticket,
)
from drivers.printer.status import decode_status, reply_for

OK = {1: b"\x16", 2: b"\x12", 4: b"\x12"}


@pytest.mark.parametrize(
    ("changes", "status"),
    [
        ({}, PrinterStatus.OK),
        ({4: b"\x1e"}, PrinterStatus.PAPER_NEAR_END),  # bits 2+3
        ({4: b"\x16"}, PrinterStatus.PAPER_NEAR_END),  # a clone setting bit 2 only
        ({4: b"\x72"}, PrinterStatus.PAPER_OUT),  # bits 5+6
        ({1: b"\x1e", 2: b"\x32"}, PrinterStatus.PAPER_OUT),  # stopped at paper end
        ({1: b"\x1e", 2: b"\x16"}, PrinterStatus.COVER_OPEN),
        ({1: b"\x1e"}, PrinterStatus.OFFLINE),
        ({2: b"\x52"}, PrinterStatus.OFFLINE),  # error bit
        ({1: b""}, PrinterStatus.UNKNOWN),  # no answer
        ({4: b""}, PrinterStatus.UNKNOWN),
        ({1: b"\xff"}, PrinterStatus.UNKNOWN),  # wrong shape
        ({2: b"\x00"}, PrinterStatus.UNKNOWN),
        ({1: b"\x16\x16"}, PrinterStatus.UNKNOWN),  # two bytes
        ({1: b"8"}, PrinterStatus.UNKNOWN),
    ],
)
def test_decode_status(changes: dict[int, bytes], status: PrinterStatus) -> None:
    assert decode_status(OK | changes) is status


def test_no_replies_at_all_is_unknown_never_ok() -> None:
    assert decode_status({}) is PrinterStatus.UNKNOWN


@pytest.mark.parametrize("status", [s for s in PrinterStatus if s is not PrinterStatus.UNKNOWN])
def test_simulated_replies_decode_to_their_status(status: PrinterStatus) -> None:
    assert decode_status({n: reply_for(status, n) for n in (1, 2, 4)}) is status


def test_status_errors_speak_to_the_citizen() -> None:
    error = PrinterStatusError(PrinterStatus.PAPER_OUT)
    assert error.message_zh == "打印机缺纸，请联系工作人员"
    assert error.message_en == "the printer is out of paper, please ask staff"
    assert isinstance(error, PrinterError)
    assert PrinterStatusError(PrinterStatus.UNKNOWN).message_zh == "打印机无响应，请联系工作人员"


def test_specs_select_transports() -> None:
    tcp = open_printer("tcp:192.168.1.50:9100?encoding=gbk&paper_mm=58")
    assert isinstance(tcp, TcpPrinter) and (tcp.host, tcp.port) == ("192.168.1.50", 9100)
    assert tcp.config.encoding == "gbk" and tcp.config.dots == 384
    default_port = open_printer("tcp:printer.local")
    assert isinstance(default_port, TcpPrinter) and default_port.port == 9100
    ipv6 = open_printer("tcp:[::1]:9101")
    assert isinstance(ipv6, TcpPrinter) and (ipv6.host, ipv6.port) == ("::1", 9101)
    serial = open_printer("serial:/dev/ttyUSB0?baud=19200&rtscts=1&mode=raster")
    assert isinstance(serial, SerialPrinter)
    assert (serial.port, serial.baudrate, serial.rtscts) == ("/dev/ttyUSB0", 19200, True)
    assert serial.config.mode == "raster"
    usb = open_printer("usb:0416:5011")
    assert isinstance(usb, UsbPrinter) and usb.ids == (0x0416, 0x5011)
    assert isinstance(open_printer("file:/dev/usb/lp0"), FilePrinter)
    win = open_printer("win32:POS-80 Printer")
    assert isinstance(win, Win32Printer) and win.name == "POS-80 Printer"
    cups = open_printer("cups:ticket")
    assert isinstance(cups, CupsPrinter) and cups.queue == "ticket"
    assert not cups.can_read_status and tcp.can_read_status and usb.can_read_status


@pytest.mark.parametrize(
    "spec",
    [
        "bogus",
        "tcp:",
        "lpt:1",
        "usb:nothex:1",
        "tcp:host:port",
        "serial:/dev/ttyS0?baud=fast",
        "tcp:h?encoding=latin1",
        "tcp:h?paper_mm=70",
        "tcp:h?colour=red",
        "tcp:h?qr_native=maybe",
        "virtual:/tmp/x?fault=fire",
    ],
)
def test_bad_specs_are_config_errors(spec: str) -> None:
    with pytest.raises(PrinterConfigError) as caught:
        open_printer(spec)
    assert caught.value.message_zh == "打印机配置错误，请联系工作人员"


def test_config_options_are_typed() -> None:
    config = PrinterConfig().with_options(
        {"qr_native": "no", "status_timeout": "0.2", "max_char_bytes": "4", "cut": "partial"}
    )
    assert (config.qr_native, config.status_timeout, config.max_char_bytes) == (False, 0.2, 4)
    assert config.cut == "partial" and config.columns == 48


def test_usb_without_pyusb_names_what_to_install() -> None:
    printer = open_printer("usb:0416:5011?status_timeout=0.1")
    with pytest.raises(PrinterError) as caught:
        printer.print_ticket(sample_ticket())
    if importlib.util.find_spec("usb") is None:
        assert isinstance(caught.value, PrinterDependencyError)
        assert "pyusb" in str(caught.value) and "python-escpos[usb]" in str(caught.value)
    else:  # pyusb present, no such device on a test machine
        assert "0416" in str(caught.value) or "USB" in str(caught.value)


def test_win32_spooler_needs_pywin32() -> None:
    if importlib.util.find_spec("win32print") is not None:
        pytest.skip("pywin32 is installed: this is a Windows machine")
    with pytest.raises(PrinterDependencyError, match="pywin32"):
        open_printer("win32:POS-80").print_ticket(sample_ticket())
