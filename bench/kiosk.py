"""Kiosk benchmark: card present → first printer byte, and memory over many taps.

Prints numbers, asserts nothing. A real ``yihao serve`` (SQLite, loopback), the real kiosk
(links, bridge, controller, Qt window offscreen) reading a simulated SAM reader on a pty paced
at 115,200 baud, printing to a loopback TCP printer that answers DLE EOT.

* latency: from the moment the SAM finds the card (the kiosk's poll that sees it) to the
  first byte the printer receives, and to the cut (the whole ticket sent), minus the time the
  reader line was busy after that: each request's wire time and each answer for as long as
  the simulator really took to send it (the read answer alone is ~1,295 bytes ≈ 112 ms at
  115,200 baud; the address query after it counts too): the software time. Also shown: from
  the card landing on the reader (includes the 0.3 s poll wait);
* memory: the resident set of this process (the kiosk; the server is another process)
  every few hundred taps, with the in-process simulated reader (no wire) for speed; a clerk
  serves each ticket, so the queue (and each snapshot the kiosk polls) stays short as in a
  hall. Without that, every snapshot lists one more waiting ticket than the last and the
  kiosk's memory grows with the queue, not with its taps.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/kiosk.py [--taps 100] [--memory-taps 1000]
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# This file is bench/kiosk.py: with bench/ first on the path, ``import kiosk`` would find it.
sys.path[0] = str(REPO)
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import httpx  # noqa: E402
from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from caller_server.domain.hall import SAMPLE_HALL  # noqa: E402
from caller_server.domain.identity import check_character  # noqa: E402
from drivers.idcard.card import CardType  # noqa: E402
from drivers.idcard.sim.citizens import Citizen, load_citizens  # noqa: E402
from drivers.idcard.sim.pty import PtySamServer, wire_seconds  # noqa: E402
from drivers.idcard.sim.sam import SimulatedSam  # noqa: E402
from drivers.printer.status import PrinterStatus, reply_for  # noqa: E402
from kiosk.app import Kiosk, build  # noqa: E402
from kiosk.config import KioskConfig  # noqa: E402
from kiosk.view import Screen  # noqa: E402
from tests.serverkit import ServerProcess, free_port  # noqa: E402

BAUD = 115200
READ_ANSWER_MIN = 1000
"""Bytes: the read answer (text + photo) is the only answer this long."""


class TimedSam(SimulatedSam):
    """Notes when the module finds a card, and each request it receives after that."""

    def __init__(self) -> None:
        super().__init__()
        self.found_at: float | None = None
        self.requests: list[tuple[float, int]] = []
        """(when the request had crossed the line, its size) after the card was found."""

    def receive(self, data: bytes) -> bytes:
        answer = super().receive(data)
        now = time.perf_counter()
        if self.found_at is not None:
            self.requests.append((now, len(data)))
        elif len(answer) > 9 and answer[9] == 0x9F:
            self.found_at = now
        return answer

    def start_tap(self) -> None:
        self.found_at, self.requests = None, []


class TimedPty(PtySamServer):
    """The pty reader, noting when each (paced) answer started and finished crossing the line."""

    def __init__(self, sam: TimedSam, link: Path) -> None:
        super().__init__(sam, baudrate=BAUD, paced=True, link=link)
        self.sends: list[tuple[float, float]] = []

    def _send(self, data: bytes) -> None:
        started = time.perf_counter()
        super()._send(data)
        self.sends.append((started, time.perf_counter()))

    def busy(self, sam: TimedSam, start: float, end: float) -> float:
        """Seconds the reader line carried bytes between ``start`` and ``end``: each request's
        wire time, and each answer as long as the simulator really took to send it."""
        requests = sum(wire_seconds(n, BAUD) for t, n in sam.requests if start < t <= end)
        answers = sum(max(0.0, min(e, end) - max(s, start)) for s, e in self.sends)
        return requests + answers


class PrinterSink:
    """A loopback printer: answers DLE EOT with OK, notes when each job's first byte arrives."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.first_bytes: list[float] = []
        self.cut_times: list[float] = []
        self.cuts = 0
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            with conn:
                first = True
                while data := conn.recv(65536):
                    if first:
                        self.first_bytes.append(time.perf_counter())
                        first = False
                    for n in (1, 2, 4):
                        if data == b"\x10\x04" + bytes([n]):
                            conn.sendall(reply_for(PrinterStatus.OK, n))
                    if b"\x1dV" in data:
                        self.cut_times.append(time.perf_counter())
                    self.cuts += data.count(b"\x1dV")


def citizens(count: int, seed: int = 7) -> list[Citizen]:
    """``count`` different people (one ticket each: the real-name limits stay out of the way)."""
    template = next(c for c in load_citizens() if c.label == "mainland-hui-ssc")
    rng = random.Random(seed)
    people = []
    for i in range(count):
        body = f"110108{rng.randint(1950, 2000)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
        number = body + f"{i % 1000:03d}"
        number += check_character(number)
        fields = {**template.fields, "id_number": number, "birth": number[6:14]}
        people.append(Citizen(f"p{i}", CardType.MAINLAND, fields))
    return people


def start_server(work: Path) -> tuple[ServerProcess, str, str]:
    hall = work / "config" / "hall.toml"  # not the data dir's own copy
    hall.parent.mkdir()
    text = SAMPLE_HALL.read_text(encoding="utf-8")
    hall.write_text(text.replace("daily_cap = 500", "daily_cap = 9999"), "utf-8")
    env = {**os.environ, "YIHAO_HOME": str(work)}
    db = f"sqlite:///{work / 'yihao.db'}"

    def cli(*args: str) -> str:
        cmd = [sys.executable, "-m", "caller_server.cli", *args, "--db", db, "--config", str(hall)]
        return subprocess.run(
            cmd, env=env, cwd=REPO, check=True, capture_output=True, text=True
        ).stdout

    cli("init")
    token = cli("token", "create", "--role", "kiosk").strip().splitlines()[-1]
    clerk = cli("token", "create", "--role", "clerk", "--counter", "1").strip().splitlines()[-1]
    server = ServerProcess(work, db, free_port(), work / "server.log", config=hall)
    server.start()
    return server, token, clerk


def pump(app: QApplication, until: Callable[[], bool], timeout: float = 20.0) -> None:
    """Run the Qt event loop (as ``app.exec()`` does) until ``until()`` holds."""
    loop = QEventLoop()
    deadline = time.monotonic() + timeout
    timed_out = False

    def check() -> None:
        nonlocal timed_out
        timed_out = time.monotonic() > deadline
        if until() or timed_out:
            loop.quit()

    timer = QTimer()
    timer.timeout.connect(check)
    timer.start(1)
    loop.exec()
    timer.stop()
    if timed_out:
        raise TimeoutError("the kiosk did not finish a tap")


def tap(
    app: QApplication, kiosk: Kiosk, sam: SimulatedSam, sink: PrinterSink, who: Citizen
) -> None:
    jobs = sink.cuts
    sam.place(who)
    pump(app, lambda: sink.cuts > jobs and kiosk.controller.view.screen is Screen.TICKET)
    sam.remove()
    kiosk.controller.home()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def latency(
    app: QApplication, url: str, token: str, sink: PrinterSink, people: list[Citizen]
) -> None:
    sam = TimedSam()
    with tempfile.TemporaryDirectory() as tmp:
        pty = TimedPty(sam, Path(tmp) / "tty")
        pty.start()
        config = KioskConfig(
            reader=f"serial:{Path(tmp) / 'tty'}", printer=f"tcp:127.0.0.1:{sink.port}",
            categories=("B",), kiosk_id="bench-latency",
        )  # fmt: skip
        kiosk = build(config, url, token)
        kiosk.start()
        pump(app, lambda: bool(kiosk.controller.view.categories))
        first_byte, cut, from_place, wire = [], [], [], []
        try:
            first, people = people[0], people[1:]
            started = time.perf_counter()
            tap(app, kiosk, sam, sink, first)  # fonts, QR code, HTTP connection: once per start
            warm_up = (time.perf_counter() - started) * 1000
            print(f"first tap after start (not counted): {warm_up:.0f} ms")
            for who in people:
                sam.start_tap()
                placed = time.perf_counter()
                tap(app, kiosk, sam, sink, who)
                found = sam.found_at
                assert found is not None
                on_wire = pty.busy(sam, found, sink.first_bytes[-1])
                first_byte.append((sink.first_bytes[-1] - found - on_wire) * 1000)
                cut.append((sink.cut_times[-1] - found - on_wire) * 1000)
                from_place.append((sink.first_bytes[-1] - placed) * 1000)
                wire.append(on_wire * 1000)
        finally:
            kiosk.stop()
            pty.stop()
    print(f"card found → printer, software time, {len(people)} taps (serial pty at {BAUD} baud):")
    for name, values in (("first byte", first_byte), ("cut (all sent)", cut)):
        p50, p99 = percentile(values, 50), percentile(values, 99)
        print(f"  {name:15s} p50 {p50:6.1f} ms   p99 {p99:6.1f} ms   max {max(values):6.1f} ms")
    print(f"  reader line busy  mean {statistics.mean(wire):6.1f} ms (subtracted)")
    p50, p99 = percentile(from_place, 50), percentile(from_place, 99)
    print(
        f"  card placed → first byte (with the 0.3 s poll wait)  p50 {p50:6.1f}   p99 {p99:6.1f} ms"
    )


def serve_one(clerk: httpx.Client) -> None:
    """Counter 1 calls, starts and finishes the next ticket, as a hall does all day."""
    for action in ("call-next", "start", "finish"):
        clerk.post(f"/api/v1/counters/1/{action}").raise_for_status()


def memory(
    app: QApplication,
    url: str,
    token: str,
    clerk: httpx.Client,
    sink: PrinterSink,
    people: list[Citizen],
) -> None:
    config = KioskConfig(reader="sim", printer=f"tcp:127.0.0.1:{sink.port}", categories=("B",),
                         kiosk_id="bench-memory")  # fmt: skip
    kiosk = build(config, url, token)
    assert kiosk.sim is not None
    kiosk.start()
    pump(app, lambda: bool(kiosk.controller.view.categories))
    print(
        f"memory of the kiosk process over {len(people)} taps (in-process SAM, no wire; "
        "counter 1 serves each ticket, so the queue stays short as in a hall):"
    )
    started = time.perf_counter()
    try:
        for i, who in enumerate(people, 1):
            tap(app, kiosk, kiosk.sim.sam, sink, who)
            serve_one(clerk)
            if i in (10, 100) or i % 250 == 0:
                print(f"  after {i:5d} taps  RSS {rss_mib():7.1f} MiB")
    finally:
        kiosk.stop()
    elapsed = time.perf_counter() - started
    print(f"  {len(people) / elapsed:.1f} taps/s end to end")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--taps", type=int, default=100)
    parser.add_argument("--memory-taps", type=int, default=1000)
    args = parser.parse_args()
    app = QApplication([])
    people = citizens(args.taps + args.memory_taps)
    with tempfile.TemporaryDirectory() as work:
        server, token, clerk_token = start_server(Path(work))
        sink = PrinterSink()
        clerk = httpx.Client(
            base_url=server.url, headers={"Authorization": f"Bearer {clerk_token}"}
        )
        try:
            latency(app, server.url, token, sink, people[: args.taps])
            memory(app, server.url, token, clerk, sink, people[args.taps :])
        finally:
            clerk.close()
            sink.server.close()
            server.stop()


if __name__ == "__main__":
    main()
