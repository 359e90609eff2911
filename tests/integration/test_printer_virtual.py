"""The virtual printer, fault injection and the printer CLI."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from PIL import Image

from drivers.printer import (
    PrinterConfigError,
    PrinterStatus,
    PrinterStatusError,
    VirtualPrinter,
    open_printer,
    sample_ticket,
)
from tests.escpos_reader import lines, read_escpos

TICKET = sample_ticket(datetime(2024, 5, 8, 9, 31))
ROOT = Path(__file__).resolve().parents[2]


def test_virtual_printer_stores_bytes_and_preview(tmp_path: Path) -> None:
    tmp_path = tmp_path / "tickets"
    printer = open_printer(f"virtual:{tmp_path}?paper_mm=58")
    result = printer.print_ticket(TICKET)
    assert result.status is PrinterStatus.OK
    assert sorted(p.name for p in tmp_path.iterdir()) == ["0001-A012.bin", "0001-A012.png"]
    data = (tmp_path / "0001-A012.bin").read_bytes()
    assert data == printer.render(TICKET) and len(data) == result.size
    assert "A012" in lines(read_escpos(data))
    with Image.open(tmp_path / "0001-A012.png") as png:
        assert png.width == 384 and png.height > 600
    printer.print_ticket(TICKET)  # a reprint is a second file, never an overwrite
    assert len(list(tmp_path.glob("*.bin"))) == 2


@pytest.mark.parametrize(
    ("fault", "status"),
    [
        ("paper_out", PrinterStatus.PAPER_OUT),
        ("cover_open", PrinterStatus.COVER_OPEN),
        ("offline", PrinterStatus.OFFLINE),
        ("no_reply", PrinterStatus.UNKNOWN),
        ("garbage", PrinterStatus.UNKNOWN),
    ],
)
def test_injected_faults_stop_the_print(tmp_path: Path, fault: str, status: PrinterStatus) -> None:
    tmp_path = tmp_path / "tickets"
    printer = open_printer(f"virtual:{tmp_path}?fault={fault}")
    assert printer.status() is status
    with pytest.raises(PrinterStatusError) as caught:
        printer.print_ticket(TICKET)
    assert caught.value.status is status
    assert not list(tmp_path.glob("*.bin"))


def test_paper_near_end_still_prints_and_faults_clear(tmp_path: Path) -> None:
    printer = VirtualPrinter(tmp_path, fault="paper_near_end")
    assert printer.print_ticket(TICKET).status is PrinterStatus.PAPER_NEAR_END
    printer.set_fault("paper_out")
    with pytest.raises(PrinterStatusError, match="out of paper"):
        printer.print_ticket(TICKET)
    printer.set_fault(None)
    assert printer.print_ticket(TICKET).status is PrinterStatus.OK
    with pytest.raises(PrinterConfigError, match="unknown fault"):
        printer.set_fault("jam")


def test_fault_file_injects_while_running(tmp_path: Path) -> None:
    printer = VirtualPrinter(tmp_path)
    (tmp_path / "fault").write_text("cover_open\n", encoding="utf-8")
    assert printer.status() is PrinterStatus.COVER_OPEN
    (tmp_path / "fault").write_text("", encoding="utf-8")
    assert printer.status() is PrinterStatus.OK


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "drivers.printer", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )


def test_cli_test_status_and_preview(tmp_path: Path) -> None:
    printed = run_cli("test", "--printer", f"virtual:{tmp_path / 'out'}")
    assert printed.returncode == 0, printed.stderr
    assert "printed A012" in printed.stdout
    data = next((tmp_path / "out").glob("*.bin")).read_bytes()
    texts = lines(read_escpos(data))
    assert {"A012", "民生服务类"} <= set(texts)
    assert any("410104********1234" in t for t in texts)

    status = run_cli("status", "--printer", f"virtual:{tmp_path / 'out'}?fault=paper_out")
    assert (status.returncode, status.stdout.strip()) == (1, "paper_out")

    refused = run_cli("test", "--printer", f"virtual:{tmp_path / 'out'}?fault=paper_out")
    assert refused.returncode == 1
    assert "打印机缺纸，请联系工作人员" in refused.stderr

    preview = run_cli("preview", "--out", str(tmp_path / "p.png"))
    assert preview.returncode == 0, preview.stderr
    with Image.open(tmp_path / "p.png") as png:
        assert png.size[0] == 576

    bad = run_cli("status", "--printer", "nonsense")
    assert bad.returncode == 1 and "bad printer spec" in bad.stderr


@pytest.mark.parametrize(
    ("args", "code", "said"),
    [
        (("preview", "--out", "{tmp}/missing/p.png"), 2, "does not exist; create it first"),
        (("preview", "--out", "{tmp}"), 2, "is a directory"),
        (("status", "--printer", "tcp:127.0.0.1:99999"), 1, "port 1-65535"),
        (("status", "--printer", "tcp::9100"), 1, "expected HOST:PORT"),
    ],
)
def test_cli_refuses_bad_arguments_without_a_traceback(
    tmp_path: Path, args: tuple[str, ...], code: int, said: str
) -> None:
    done = run_cli(*(arg.format(tmp=tmp_path) for arg in args))
    assert done.returncode == code
    assert said in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(("blocked", "named"), [("escpos", "python-escpos"), ("PIL", "Pillow")])
def test_cli_names_the_missing_extra(blocked: str, named: str, tmp_path: Path) -> None:
    code = (
        f"import sys; sys.modules[{blocked!r}] = None\n"
        "from drivers.printer.__main__ import main\n"
        f"sys.exit(main(['test', '--printer', 'virtual:{tmp_path}']))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert f"{named} is not installed: pip install 'yihao[kiosk]'" in done.stderr
    assert "打印组件未安装" in done.stderr
