"""Shared fixtures of the ID card tests: real pcscd with vpcd, pty readers, thread hygiene.

Import the fixtures you use into the test module (``from … import pcscd  # noqa: F401``).
"""

from __future__ import annotations

import os
import queue
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from drivers.idcard.sim.citizens import Citizen, load_citizens
from drivers.idcard.sim.pty import PtySamServer
from drivers.idcard.sim.sam import SimulatedSam
from drivers.idcard.watcher import WatchEvent

VPCD_CONF = Path("/etc/reader.conf.d/vpcd")
VPCD_DRIVER = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")
VPCD_READER = "Virtual PCD 00 00"
PCSCD_RUN_DIR = Path("/run/pcscd")


def wait_until(condition: Callable[[], bool], timeout: float = 5.0, what: str = "") -> None:
    """Poll ``condition`` every 20 ms; fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what or condition}")
        time.sleep(0.02)


@pytest.fixture
def no_thread_leak() -> Iterator[None]:
    """Fail a test that leaves a thread running (python-zeroconf style)."""
    before = set(threading.enumerate())
    yield
    deadline = time.monotonic() + 2.0
    while True:
        leaked = [t for t in threading.enumerate() if t not in before and t.is_alive()]
        if not leaked or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    assert not leaked, f"threads left running: {[t.name for t in leaked]}"


@pytest.fixture(scope="session")
def citizens() -> dict[str, Citizen]:
    return {citizen.label: citizen for citizen in load_citizens()}


class EventLog:
    """Collects watcher events from the watcher thread."""

    def __init__(self) -> None:
        self.events: list[WatchEvent] = []
        self._queue: queue.Queue[WatchEvent] = queue.Queue()

    def __call__(self, event: WatchEvent) -> None:
        self._queue.put(event)

    def next(self, timeout: float = 5.0) -> WatchEvent:
        try:
            event = self._queue.get(timeout=timeout)
        except queue.Empty:
            pytest.fail(f"no watcher event within {timeout} s (so far: {self.events})")
        self.events.append(event)
        return event

    def quiet_for(self, seconds: float) -> list[WatchEvent]:
        """Events that arrive within ``seconds`` (expected: none)."""
        extra: list[WatchEvent] = []
        deadline = time.monotonic() + seconds
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                extra.append(self._queue.get(timeout=remaining))
            except queue.Empty:
                break
        self.events += extra
        return extra


@pytest.fixture
def event_log() -> EventLog:
    return EventLog()


@pytest.fixture
def sam() -> SimulatedSam:
    return SimulatedSam()


@pytest.fixture
def pty_reader(sam: SimulatedSam, tmp_path: Path) -> Iterator[PtySamServer]:
    """A simulated SAM reader on a real pty, reachable at a stable symlink."""
    pytest.importorskip("serial", reason="pyserial is missing: pip install 'yihao[kiosk]'")
    if not hasattr(os, "openpty"):
        pytest.skip("this platform has no pseudo-terminals")
    server = PtySamServer(sam, link=tmp_path / "ttyIDCARD")
    server.start()
    yield server
    server.stop()


def _vpcd_reader_listed() -> bool:
    from drivers.idcard.errors import IdCardError
    from drivers.idcard.pcsc_reader import list_pcsc_readers

    try:
        return VPCD_READER in list_pcsc_readers()
    except IdCardError:
        return False


@pytest.fixture(scope="session")
def pcscd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """A running pcscd with the vpcd reader: reused if one runs, else started and stopped by PID."""
    pytest.importorskip("smartcard", reason="pyscard is missing: pip install 'yihao[pcsc]'")
    if shutil.which("pcscd") is None:
        pytest.skip("pcscd is not installed: apt-get install pcscd")
    if not (VPCD_CONF.exists() and VPCD_DRIVER.exists()):
        pytest.skip("the vpcd reader driver is not installed: apt-get install vsmartcard-vpcd")
    if _vpcd_reader_listed():
        yield
        return
    try:
        PCSCD_RUN_DIR.mkdir(parents=True, exist_ok=True)
    except PermissionError:
        pytest.skip(f"cannot create {PCSCD_RUN_DIR} to start pcscd: run the tests as root")
    log_path = tmp_path_factory.mktemp("pcscd") / "pcscd.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            ["pcscd", "--foreground"], stdout=log, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + 10
        while not _vpcd_reader_listed():
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"pcscd did not offer {VPCD_READER}:\n{log_path.read_text()[-2000:]}")
            time.sleep(0.1)
        yield
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
