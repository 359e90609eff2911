"""The demo's kiosks: real ``python -m kiosk`` processes with simulated readers and printers.

Launched as processes (``caller_server`` never imports ``kiosk`` or ``drivers``): each taps
the cards of a simulated crowd by itself, chooses a category like a citizen and prints to a
virtual printer whose tickets (ESC/POS bytes and PNG previews) land in the demo's directory.
With a display the kiosk windows open; without one they run offscreen.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DemoKiosk:
    kiosk_id: str
    categories: str
    """Comma-separated; one category is a 一刷即取 kiosk."""


KIOSKS = (DemoKiosk("demo-kiosk-1", "A,B,C,D"), DemoKiosk("demo-kiosk-2", "B"))


def has_display() -> bool:
    return sys.platform in ("win32", "darwin") or bool(
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    )


@dataclass
class KioskFleet:
    url: str
    token: str
    directory: Path
    """Each kiosk prints into ``directory/<kiosk id>/``."""
    tap_gap: float = 0.5
    """Seconds between one simulated citizen leaving and the next card landing."""
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start(self) -> None:
        env = dict(os.environ)
        if not has_display():
            env["QT_QPA_PLATFORM"] = "offscreen"
        env["QT_LOGGING_RULES"] = "qt.qpa.*=false"
        for kiosk in KIOSKS:
            tickets = self.directory / kiosk.kiosk_id
            cmd = [sys.executable, "-m", "kiosk", "--server", self.url, "--token", self.token]
            cmd += ["--reader", "sim:crowd", "--printer", f"virtual:{tickets}"]
            cmd += ["--categories", kiosk.categories, "--kiosk-id", kiosk.kiosk_id]
            cmd += ["--auto-tap", f"{self.tap_gap:g}"]
            log_file = (self.directory / f"{kiosk.kiosk_id}.log").open("ab")
            self.procs.append(
                subprocess.Popen(cmd, env=env, stdout=log_file, stderr=subprocess.STDOUT)
            )
            log_file.close()

    def wait_ready(self, reported: Callable[[], set[str]], timeout: float = 60.0) -> bool:
        """Wait until every kiosk has sent its first health report (it is up and tapping)."""
        wanted = {kiosk.kiosk_id for kiosk in KIOSKS}
        deadline = time.monotonic() + timeout
        while not wanted <= reported():
            if time.monotonic() > deadline or any(p.poll() is not None for p in self.procs):
                log.warning("kiosks not ready; see the logs in %s", self.directory)
                return False
            time.sleep(0.1)
        return True

    def stop(self, timeout: float = 15.0) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                log.warning("kiosk process %d did not stop; killing it", proc.pid)
                proc.kill()
                proc.wait(5)

    def printed(self) -> int:
        """Ticket images the kiosks' virtual printers wrote."""
        return len(list(self.directory.glob("*/*.png")))
