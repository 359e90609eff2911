"""Shared fixtures of the ID card tests: real pcscd with vpcd, pty readers, thread hygiene.

Import the fixtures you use into the test module (``from … import pcscd  # noqa: F401``).
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from drivers.idcard.sim.citizens import Citizen, load_citizens
from drivers.idcard.sim.pty import PtySamServer
from drivers.idcard.sim.sam import SimulatedSam
from drivers.idcard.sim.vpcd import VPCD_PORT
from drivers.idcard.watcher import WatchEvent

VPCD_CONF = Path("/etc/reader.conf.d/vpcd")
VPCD_DRIVER = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")
VPCD_READER = "Virtual PCD 00 00"
PCSCD_RUN_DIR = Path("/run/pcscd")


Waiter = Callable[..., None]


def _wait_until(condition: Callable[[], bool], timeout: float = 5.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what or condition}")
        time.sleep(0.02)


@pytest.fixture
def wait_until() -> Waiter:
    """``wait_until(condition, timeout=5.0, what="")`` polls every 20 ms, fails on timeout."""
    return _wait_until


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


@dataclass(frozen=True)
class VirtualReader:
    """The vpcd reader of the test pcscd: its PC/SC name and the TCP port for virtual cards."""

    name: str
    port: int


def _vpcd_reader_listed() -> bool:
    from drivers.idcard.errors import IdCardError
    from drivers.idcard.pcsc_reader import list_pcsc_readers

    try:
        return VPCD_READER in list_pcsc_readers()
    except IdCardError:
        return False


def _free_port_pair() -> int:
    """A port p with p and p+1 free, below the ephemeral range.

    vpcd's default 35963 lies inside Linux's ephemeral range (32768-60999): on a
    busy machine an outgoing connection can hold it and vpcd then fails to
    listen ("Address already in use").
    """
    for port in range(29563, 29663, 2):
        try:
            for candidate in (port, port + 1):
                with socket.socket() as probe:
                    probe.bind(("0.0.0.0", candidate))
        except OSError:
            continue
        return port
    pytest.fail("no free TCP port pair for vpcd in 29563-29662")


def _system_vpcd_port() -> int:
    match = re.search(r"CHANNELID\s+(0x[0-9A-Fa-f]+|\d+)", VPCD_CONF.read_text())
    return int(match.group(1), 0) if match else VPCD_PORT


def _start_pcscd(config_dir: Path, log_path: Path) -> subprocess.Popen[bytes] | None:
    """Start pcscd in the foreground; None (and stopped) when it offers no vpcd reader."""
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            ["pcscd", "--foreground", "--config", str(config_dir)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 5
    while process.poll() is None and time.monotonic() < deadline:
        if _vpcd_reader_listed():
            return process
        time.sleep(0.1)
    _stop(process)
    return None


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


@pytest.fixture(scope="session")
def pcscd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtualReader]:
    """A running pcscd with a vpcd reader.

    Started here with its own reader.conf.d (vpcd on a port outside the
    ephemeral range) and stopped by its PID at the end of the session. A pcscd
    already running (the socket path is fixed) is reused with the system vpcd
    configuration.
    """
    pytest.importorskip("smartcard", reason="pyscard is missing: pip install 'yihao[pcsc]'")
    if shutil.which("pcscd") is None:
        pytest.skip("pcscd is not installed: apt-get install pcscd")
    if not (VPCD_CONF.exists() and VPCD_DRIVER.exists()):
        pytest.skip("the vpcd reader driver is not installed: apt-get install vsmartcard-vpcd")
    try:
        PCSCD_RUN_DIR.mkdir(parents=True, exist_ok=True)
    except PermissionError:
        pytest.skip(f"cannot create {PCSCD_RUN_DIR} to start pcscd: run the tests as root")
    workdir = tmp_path_factory.mktemp("pcscd")
    log_path = workdir / "pcscd.log"
    deadline = time.monotonic() + 30
    while not _vpcd_reader_listed():
        port = _free_port_pair()
        config_dir = workdir / f"reader.conf.d-{port}"
        config_dir.mkdir(exist_ok=True)
        (config_dir / "vpcd").write_text(
            f'FRIENDLYNAME "Virtual PCD"\nDEVICENAME /dev/null:0x{port:X}\n'
            f"LIBPATH {VPCD_DRIVER}\nCHANNELID 0x{port:X}\n"
        )
        process = _start_pcscd(config_dir, log_path)
        if process is not None:
            try:
                yield VirtualReader(VPCD_READER, port)
            finally:
                _stop(process)
            return
        if time.monotonic() > deadline:
            pytest.fail(f"pcscd did not offer {VPCD_READER}:\n{log_path.read_text()[-2000:]}")
        time.sleep(1)
    yield VirtualReader(VPCD_READER, _system_vpcd_port())
