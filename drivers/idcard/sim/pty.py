"""Serve a :class:`SimulatedSam` on a pseudo-terminal, like a USB-serial reader.

The serial driver opens the pty's slave side with pyserial exactly as it opens
``/dev/ttyUSB0``. ``baudrate`` is the module's line speed: the pty carries the
speed the driver set with termios, and as on a real line a request sent at
another speed is noise the module does not answer (``None``: any speed).
``paced=True`` holds every request and answer for its time on a real 8N1 line
(10 bits a byte), so timings look like real hardware. ``link`` gives the port
a stable path (like ``/dev/serial/by-id/…``) that survives an unplug/replug
cycle. POSIX only.
"""

from __future__ import annotations

import logging
import os
import select
import termios
import threading
import time
import tty
from pathlib import Path

from drivers.idcard.sim.sam import SimulatedSam

logger = logging.getLogger(__name__)

CHUNK = 32


def wire_seconds(size: int, baudrate: int) -> float:
    """Time ``size`` bytes take on an 8N1 line."""
    return size * 10 / baudrate


class PtySamServer:
    """A simulated reader on a pty; :meth:`stop` is an unplug."""

    def __init__(
        self,
        sam: SimulatedSam,
        *,
        baudrate: int | None = 115200,
        paced: bool = False,
        link: Path | None = None,
    ) -> None:
        self.sam = sam
        self.baudrate = baudrate
        self.paced = paced
        self.link = link
        self.ignored = 0
        """Request bytes dropped because they came at another line speed."""
        self.wire_bytes = 0
        """Bytes requested and answered so far (for wire-time figures)."""
        self._master = -1
        self._slave = -1
        self._slave_name = ""
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> str:
        """The path to give the serial driver."""
        return str(self.link) if self.link is not None else self._slave_name

    def start(self) -> str:
        """Plug the reader in; returns its port path."""
        self._master, self._slave = os.openpty()
        tty.setraw(self._slave)
        self._slave_name = os.ttyname(self._slave)
        if self.link is not None:
            self.link.unlink(missing_ok=True)
            self.link.symlink_to(self._slave_name)
        self._stop.clear()
        self._thread = threading.Thread(target=self._serve, name="idcard-sim-pty", daemon=True)
        self._thread.start()
        logger.info("simulated SAM reader on %s", self.port)
        return self.port

    def stop(self) -> None:
        """Unplug: the port disappears and an open driver sees an I/O error."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None
        for fd in (self._master, self._slave):
            if fd >= 0:
                os.close(fd)
        self._master = self._slave = -1
        if self.link is not None:
            self.link.unlink(missing_ok=True)

    def __enter__(self) -> PtySamServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _serve(self) -> None:
        while not self._stop.is_set():
            ready, _, _ = select.select([self._master], [], [], 0.05)
            if not ready:
                continue
            try:
                data = os.read(self._master, 4096)
            except OSError:
                return
            if not self._speed_matches():
                self.ignored += len(data)
                continue
            if self.paced and self.baudrate:
                time.sleep(wire_seconds(len(data), self.baudrate))
            answer = self.sam.receive(data)
            self.wire_bytes += len(data) + len(answer)
            if answer:
                self._send(answer)

    def _speed_matches(self) -> bool:
        if self.baudrate is None:
            return True
        try:
            speed = termios.tcgetattr(self._master)[5]
        except termios.error:
            return False
        return bool(speed == getattr(termios, f"B{self.baudrate}", None))

    def _send(self, data: bytes) -> None:
        start = time.monotonic()
        for offset in range(0, len(data), CHUNK):
            chunk = data[offset : offset + CHUNK]
            if self.paced and self.baudrate:
                due = start + wire_seconds(offset + len(chunk), self.baudrate)
                delay = due - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
            try:
                os.write(self._master, chunk)
            except OSError:
                return
