"""``yihao-kiosk`` as its own process: a tap on the pty SAM reader prints on the TCP printer;
``yihao-kiosk check`` reports each part and exits 0 only when all are fine."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import wave
from collections.abc import Iterator
from pathlib import Path

import pytest

from drivers.idcard.sim.citizens import Citizen
from drivers.idcard.sim.pty import PtySamServer
from drivers.idcard.sim.sam import SimulatedSam
from drivers.printer.status import PrinterStatus
from tests.escpos_reader import lines, read_escpos
from tests.integration.printer_fixtures import TcpPrinterSink, replies_for
from tests.integration.test_api_http import RunningHall, running_hall

pytest_plugins = ["tests.integration.idcard_fixtures"]

OUR_FRAME = re.compile(r'File "(?![^"]*site-packages)[^"]*/(kiosk|caller_server|drivers)/')
"""A traceback line in our code (not in a library's)."""
KIOSK = Path(sys.executable).with_name("yihao-kiosk")
"""The console script of the virtual environment running the tests."""


@pytest.fixture(scope="module")
def hall(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningHall]:
    directory = tmp_path_factory.mktemp("kiosk-process")
    with running_hall(directory, f"sqlite:///{directory / 'yihao.db'}") as running:
        yield running


def kiosk_env(home: Path) -> dict[str, str]:
    return {**os.environ, "QT_QPA_PLATFORM": "offscreen", "YIHAO_HOME": str(home)}


def wait_for(condition, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


def start_kiosk(
    hall: RunningHall, tmp_path: Path, sink: TcpPrinterSink, port: str, *extra: str
) -> subprocess.Popen[bytes]:
    cmd = [str(KIOSK), "-v", "--server", hall.url, "--token", hall.token("kiosk")]
    cmd += ["--reader", f"serial:{port}", "--printer", f"tcp:127.0.0.1:{sink.port}", *extra]
    with (tmp_path / "kiosk.log").open("ab") as log:
        return subprocess.Popen(cmd, env=kiosk_env(tmp_path), stdout=log, stderr=subprocess.STDOUT)


def wait_reported(hall: RunningHall, kiosk_id: str) -> None:
    def reported() -> bool:
        url = f"{hall.url}/api/v1/kiosks"
        found = hall.http.get(url, headers=hall.auth("manager")).json()
        return any(k["id"] == kiosk_id and k["reader"] == "ok" for k in found)

    wait_for(reported, 30, "the kiosk's first health report")


def stop(kiosk: subprocess.Popen[bytes], tmp_path: Path) -> None:
    if kiosk.poll() is None:
        kiosk.send_signal(signal.SIGTERM)
    try:
        assert kiosk.wait(30) == 0
    finally:
        if kiosk.poll() is None:
            kiosk.kill()
            kiosk.wait(5)
    log = (tmp_path / "kiosk.log").read_text(errors="replace")
    # None of our code failed.
    assert not OUR_FRAME.search(log), log


def test_a_tap_on_the_serial_reader_prints_the_ticket(
    hall: RunningHall,
    pty_reader: PtySamServer,
    sam: SimulatedSam,
    citizens: dict[str, Citizen],
    tmp_path: Path,
) -> None:
    with TcpPrinterSink(replies_for(PrinterStatus.OK)) as sink:
        kiosk = start_kiosk(
            hall, tmp_path, sink, pty_reader.port, "--categories", "B", "--kiosk-id", "kiosk-proc"
        )
        try:
            wait_reported(hall, "kiosk-proc")
            sam.place(citizens["foreign-2023-Y"])
            wait_for(lambda: b"\x1dV" in sink.job, 15, "the cut at the end of the ticket")
        finally:
            stop(kiosk, tmp_path)
    printed = lines(read_escpos(sink.job))
    numbers = [line for line in printed if line.startswith("B") and line[1:].isdigit()]
    assert len(numbers) == 1, printed
    assert "911724********002X 玛*亚" in "\n".join(printed)
    assert b"91172419900214002X" not in sink.job


def test_elderly_guidance_is_spoken_through_drivers_voice(
    hall: RunningHall,
    pty_reader: PtySamServer,
    sam: SimulatedSam,
    citizens: dict[str, Citizen],
    tmp_path: Path,
) -> None:
    spoken = tmp_path / "spoken"
    with TcpPrinterSink(replies_for(PrinterStatus.OK)) as sink:
        kiosk = start_kiosk(
            hall, tmp_path, sink, pty_reader.port, "--categories", "A",
            "--kiosk-id", "kiosk-voice", "--voice", f"wav:{spoken}",
        )  # fmt: skip
        try:
            wait_reported(hall, "kiosk-voice")
            sam.place(citizens["over-85"])  # born 1935: 长辈模式 by itself
            wait_for(lambda: b"\x1dV" in sink.job, 15, "the ticket")
            wait_for(lambda: len(list(spoken.glob("*.wav"))) >= 1, 60, "spoken guidance")
        finally:
            stop(kiosk, tmp_path)
    durations = []
    for wav in sorted(spoken.glob("*.wav")):
        with wave.open(str(wav)) as audio:
            durations.append(audio.getnframes() / audio.getframerate())
    # 「您的号码是 A…，前面还有 … 人，请取走您的号票」 takes seconds, not a click
    assert max(durations) > 1.5, durations


def run_check(hall: RunningHall, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    cmd = [str(KIOSK), "check", "--server", hall.url, *args]
    return subprocess.run(
        cmd, env=kiosk_env(tmp_path), capture_output=True, text=True, timeout=60, check=False
    )


def test_check_passes_when_all_is_fine_and_names_what_is_not(
    hall: RunningHall, pty_reader: PtySamServer, tmp_path: Path
) -> None:
    reader = f"serial:{pty_reader.port}"
    with TcpPrinterSink(replies_for(PrinterStatus.OK)) as fine:
        good = run_check(
            hall, tmp_path, "--token", hall.token("kiosk"), "--reader", reader,
            "--printer", f"tcp:127.0.0.1:{fine.port}",
        )  # fmt: skip
    assert good.returncode == 0, good.stdout + good.stderr
    assert good.stdout.count("✓") == 4 and "全部正常 / all fine" in good.stdout
    with TcpPrinterSink(replies_for(PrinterStatus.COVER_OPEN)) as cover:
        bad = run_check(
            hall, tmp_path, "--token", "not-a-token", "--reader", reader,
            "--printer", f"tcp:127.0.0.1:{cover.port}",
        )  # fmt: skip
    assert bad.returncode == 1
    failed = [line for line in bad.stdout.splitlines() if line.startswith("✗")]
    assert [line.split(":")[0] for line in failed] == ["✗ 令牌 token", "✗ 打印机 printer"]
    assert "cover_open" in bad.stdout
