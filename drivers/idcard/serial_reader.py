"""SAM readers on a serial port (USB-serial, 115200 8N1) through pyserial."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from drivers.idcard.errors import IdCardError, MissingDependencyError, ReaderUnavailableError
from drivers.idcard.sam_reader import SamReader

try:
    import serial
    from serial.tools import list_ports
except ImportError:  # reported by _require_pyserial()
    _PYSERIAL = False
else:
    _PYSERIAL = True

try:
    import termios
except ImportError:  # Windows
    _PORT_ERRORS: tuple[type[Exception], ...] = (OSError,)
else:
    _PORT_ERRORS = (OSError, termios.error)
"""What a failing port raises: pyserial's SerialException is an OSError; an unplugged
port makes tcflush raise termios.error."""
_OPEN_ERRORS: tuple[type[Exception], ...] = (*_PORT_ERRORS, ValueError)

logger = logging.getLogger(__name__)


def _require_pyserial() -> None:
    if not _PYSERIAL:
        raise MissingDependencyError("pyserial", "kiosk")


@dataclass(frozen=True)
class SerialSettings:
    """Where and how to talk to a serial SAM reader."""

    port: str
    """Device path (``/dev/ttyUSB0``, ``/dev/serial/by-id/…``, ``COM3``)."""
    baudrate: int = 115200
    """Line speed; GA/T 467 modules use 115200 8N1."""
    timeout: float = 1.0
    """Seconds to wait for each answer of the module."""


class SerialTransport:
    """A pyserial port as a :class:`~drivers.idcard.sam_reader.Transport`."""

    def __init__(self, settings: SerialSettings) -> None:
        _require_pyserial()
        self.port = settings.port
        try:
            self._serial = serial.Serial(
                settings.port, settings.baudrate, timeout=settings.timeout, exclusive=True
            )
        except _OPEN_ERRORS as exc:
            raise ReaderUnavailableError(
                f"无法打开串口 {settings.port}", f"cannot open serial port {settings.port}: {exc}"
            ) from exc

    def _gone(self, exc: Exception) -> ReaderUnavailableError:
        return ReaderUnavailableError(
            f"串口 {self.port} 已断开", f"serial port {self.port} stopped working: {exc}"
        )

    def write(self, data: bytes) -> None:
        try:
            self._serial.write(data)
        except _PORT_ERRORS as exc:
            raise self._gone(exc) from exc

    def read(self, size: int, timeout: float) -> bytes:
        try:
            self._serial.timeout = timeout
            return bytes(self._serial.read(size))
        except _PORT_ERRORS as exc:
            raise self._gone(exc) from exc

    def discard_input(self) -> None:
        try:
            self._serial.reset_input_buffer()
        except _PORT_ERRORS as exc:
            raise self._gone(exc) from exc

    def close(self) -> None:
        try:
            self._serial.close()
        except _PORT_ERRORS as exc:
            logger.debug("closing %s: %s", self.port, exc)


def serial_reader(settings: SerialSettings) -> SamReader:
    """A SAM reader on a serial port (not opened yet)."""
    _require_pyserial()
    return SamReader(
        lambda: SerialTransport(settings), timeout=settings.timeout, description=settings.port
    )


@dataclass(frozen=True)
class PortInfo:
    device: str
    description: str
    hwid: str


def list_serial_ports() -> list[PortInfo]:
    """Serial ports the operating system knows about."""
    _require_pyserial()
    return [PortInfo(p.device, p.description, p.hwid) for p in list_ports.comports()]


def probe_port(port: str, baudrate: int = 115200, timeout: float = 0.5) -> bool:
    """Whether a SAM module answers the status command on ``port``."""
    reader = serial_reader(SerialSettings(port, baudrate, timeout))
    try:
        reader.open()
    except IdCardError as exc:
        logger.debug("no SAM on %s: %s", port, exc)
        return False
    reader.close()
    return True


def detect_sam_port(
    candidates: Iterable[str] | None = None, baudrate: int = 115200, timeout: float = 0.5
) -> str | None:
    """The first port (default: every serial port) where a SAM module answers."""
    ports = list(candidates) if candidates is not None else [p.device for p in list_serial_ports()]
    for port in ports:
        if probe_port(port, baudrate, timeout):
            logger.info("SAM module found on %s", port)
            return port
    return None
