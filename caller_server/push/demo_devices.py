"""The output devices of ``yihao demo``: real device processes, paired by mDNS + PIN on loopback.

The server never imports the device code: each device is ``python -m counter_display``
in its own process (Qt windows when a display is available, offscreen otherwise; the
announcer writes WAVs when headless). Each prints ``device id=… pin=…``; the demo finds it
by mDNS on 127.0.0.1 and pairs it with that PIN through the same use case as the manager.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from caller_server.push import tls
from caller_server.push.pairing import Pairer
from caller_server.push.pusher import PushStats
from caller_server.runtime import Runtime
from caller_server.services import devices
from caller_server.services.devices import DeviceError

log = logging.getLogger(__name__)

START_LINE = re.compile(r"device id=(\S+) role=(\S+) pin=(\d+)")


@dataclass
class DemoDevice:
    role: str
    counter: int | None
    proc: subprocess.Popen[bytes]
    log_path: Path
    id: str = ""
    pin: str = ""
    paired: bool = False


def _headless() -> bool:
    return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class DemoDevices:
    """One counter screen per counter, a wall and an announcer."""

    def __init__(self, rt: Runtime, url: str, home: Path) -> None:
        self.rt = rt
        self.url = url
        self.home = home
        self.wav_dir = home / "announcements"
        self.devices: list[DemoDevice] = []

    def _spawn(self, role: str, counter: int | None, *extra: str) -> None:
        name = f"{role}-{counter}" if counter else role
        args = ["--role", role, "--mdns", "127.0.0.1", "--insecure"]
        args += ["--data-dir", str(self.home / "devices" / name), *extra]
        if counter:
            args += ["--counter", str(counter)]
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        if _headless():
            env["QT_QPA_PLATFORM"] = "offscreen"
        log_path = self.home / f"device-{name}.log"
        with log_path.open("wb") as out:
            proc = subprocess.Popen(
                [sys.executable, "-m", "counter_display", *args],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.devices.append(DemoDevice(role, counter, proc, log_path))

    def start(self, timeout: float = 60.0) -> None:
        for number in self.rt.hall.counters:
            self._spawn("counter", number)
        self._spawn("wall", None, "--size", "1920x1080")
        plays = not _headless() and shutil.which("aplay") is not None
        self._spawn("voice", None, *([] if plays else ["--wav-dir", str(self.wav_dir)]))
        fp = tls.ensure_certificate(self.rt.settings.home, self.rt.hall.id)[0].fingerprint
        pairer = Pairer(self.rt.hall.id, self.url, fp)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not all(d.paired for d in self.devices):
            listed = {d.id for d in devices.list_devices(self.rt.ctx)}
            for device in self.devices:
                if not device.id:
                    found = START_LINE.search(device.log_path.read_text(errors="replace"))
                    if found:
                        device.id, device.pin = found.group(1), found.group(3)
                if device.id in listed and not device.paired:
                    try:
                        devices.pair(self.rt.ctx, device.id, device.pin, None, pairer, "demo")
                    except DeviceError as exc:
                        log.warning("demo device %s: %s", device.id, exc.message_en)
                        continue
                    device.paired = True
            time.sleep(0.2)
        paired = sum(d.paired for d in self.devices)
        print(
            f"  devices   {paired}/{len(self.devices)} paired by mDNS + PIN (logs in {self.home})"
        )

    def summary(self, stats: PushStats) -> None:
        latencies = stats.call_to_ack_ms
        spread = (
            f"p50 {_percentile(latencies, 0.5):.0f} ms / p99 {_percentile(latencies, 0.99):.0f} ms"
            if latencies
            else "—"
        )
        print(f"  pushed to devices     {stats.calls} calls in {stats.messages} messages")
        print(f"  acknowledged          {stats.acks}")
        print(f"  call → device ack     {spread}")
        wavs = len(list(self.wav_dir.glob("*.wav"))) if self.wav_dir.exists() else 0
        if wavs:
            print(f"  announcements (WAV)   {wavs} in {self.wav_dir}")

    def stop(self) -> None:
        for device in self.devices:
            if device.proc.poll() is None:
                device.proc.terminate()
        for device in self.devices:
            try:
                device.proc.wait(10)
            except subprocess.TimeoutExpired:
                device.proc.kill()
