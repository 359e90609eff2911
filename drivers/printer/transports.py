"""Transports that need only the standard library and pyserial: TCP, serial, file, recorder."""

from __future__ import annotations

import contextlib
import socket
from typing import TYPE_CHECKING

from drivers.printer.base import TicketPrinter
from drivers.printer.config import PrinterConfig
from drivers.printer.errors import PrinterConnectionError, missing_library

if TYPE_CHECKING:
    import serial


class TcpPrinter(TicketPrinter):
    """A network printer on a raw TCP port (usually 9100)."""

    can_read_status = True

    def __init__(self, host: str, port: int = 9100, config: PrinterConfig | None = None) -> None:
        super().__init__(config)
        self.host = host
        self.port = port
        self._sock: socket.socket | None = None

    def __repr__(self) -> str:
        return f"TcpPrinter({self.host}:{self.port})"

    def _open(self) -> None:
        self._sock = socket.create_connection((self.host, self.port), timeout=self.config.timeout)

    def _close(self) -> None:
        if self._sock is not None:
            # Unread bytes at close make the kernel send a reset, which can cost the printer
            # the end of the job: read what has arrived first.
            with contextlib.suppress(OSError):
                while self._read(0.0):
                    pass
            self._sock.close()
            self._sock = None

    def _connected(self) -> socket.socket:
        if self._sock is None:
            raise PrinterConnectionError(f"{self!r} is not connected")
        return self._sock

    def _write(self, data: bytes) -> None:
        sock = self._connected()
        sock.settimeout(self.config.timeout)
        sock.sendall(data)

    def _read(self, timeout: float) -> bytes:
        sock = self._connected()
        sock.settimeout(timeout)
        try:
            return sock.recv(64)
        except (TimeoutError, BlockingIOError):
            return b""


class SerialPrinter(TicketPrinter):
    """A printer on a serial port (RS-232 or USB-serial)."""

    can_read_status = True

    def __init__(
        self,
        port: str,
        baudrate: int = 9600,
        rtscts: bool = False,
        config: PrinterConfig | None = None,
    ) -> None:
        super().__init__(config)
        self.port = port
        self.baudrate = baudrate
        self.rtscts = rtscts
        self._serial: serial.Serial | None = None

    def __repr__(self) -> str:
        return f"SerialPrinter({self.port}@{self.baudrate})"

    def _open(self) -> None:
        try:
            import serial
        except ImportError as exc:
            raise missing_library("pyserial") from exc
        self._serial = serial.Serial(
            self.port,
            self.baudrate,
            rtscts=self.rtscts,
            timeout=self.config.status_timeout,
            write_timeout=self.config.timeout,
        )

    def _close(self) -> None:
        if self._serial is not None:
            self._serial.close()
            self._serial = None

    def _port(self) -> serial.Serial:
        if self._serial is None:
            raise PrinterConnectionError(f"{self!r} is not open")
        return self._serial

    def _write(self, data: bytes) -> None:
        port = self._port()
        port.write(data)
        port.flush()

    def _read(self, timeout: float) -> bytes:
        port = self._port()
        port.timeout = timeout
        first = port.read(1)
        return first + port.read(port.in_waiting) if first else b""


class FilePrinter(TicketPrinter):
    """A device file such as ``/dev/usb/lp0`` (write-only: no status)."""

    def __init__(self, path: str, config: PrinterConfig | None = None) -> None:
        super().__init__(config)
        self.path = path

    def __repr__(self) -> str:
        return f"FilePrinter({self.path})"

    def _write(self, data: bytes) -> None:
        with open(self.path, "ab", buffering=0) as device:
            device.write(data)


class RecordingPrinter(TicketPrinter):
    """Keeps every byte sent in :attr:`output`, like python-escpos ``Dummy``."""

    def __init__(self, config: PrinterConfig | None = None) -> None:
        super().__init__(config)
        self.output = bytearray()

    def __repr__(self) -> str:
        return "RecordingPrinter()"

    def _write(self, data: bytes) -> None:
        self.output += data
