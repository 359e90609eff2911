"""SAM readers on a serial port (USB-serial, 8N1) through pyserial.

Modules run at 115,200, 57,600, 38,400, 19,200 or 9,600 baud. Unless the
settings fix the speed, opening the port probes them in that order with the
status command (11 FF) and remembers the one that answered, so reopening after
an unplug tries that speed first.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from drivers.idcard.errors import (
    FrameError,
    IdCardError,
    MissingDependencyError,
    ReaderTimeoutError,
    ReaderUnavailableError,
)
from drivers.idcard.frames import Command
from drivers.idcard.sam_reader import SamReader, transact

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

BAUD_RATES = (115200, 57600, 38400, 19200, 9600)
"""Line speeds of GA/T 467 modules, in the order they are probed."""


def _require_pyserial() -> None:
    if not _PYSERIAL:
        raise MissingDependencyError("pyserial", "kiosk")


@dataclass(frozen=True)
class SerialSettings:
    """Where and how to talk to a serial SAM reader."""

    port: str
    """Device path (``/dev/ttyUSB0``, ``/dev/serial/by-id/…``, ``COM3``)."""
    baudrate: int | None = None
    """Line speed; None probes :data:`BAUD_RATES` in order and remembers the one that answers."""
    timeout: float = 1.0
    """Seconds to wait for the answer to status, find and select (and for each probe)."""
    read_timeout: float = 3.0
    """Seconds to wait for the answer to the read command (slow modules take up to 3 s)."""
    with_fingerprint: bool = False
    """Read with 30 10 (text + photo + fingerprint) instead of 30 01."""
    keep_fingerprint: bool = False
    """Pass the fingerprint data on (in memory only, never stored); otherwise it is dropped."""
    appended_address: bool = True
    """Also read the latest appended address (追加住址, 30 03)."""


class SerialTransport:
    """A pyserial port as a :class:`~drivers.idcard.sam_reader.Transport`."""

    def __init__(self, port: str, baudrate: int) -> None:
        _require_pyserial()
        self.port = port
        try:
            self._serial = serial.Serial(port, baudrate, timeout=1.0, exclusive=True)
        except _OPEN_ERRORS as exc:
            raise ReaderUnavailableError(
                f"无法打开串口 {port}", f"cannot open serial port {port}: {exc}"
            ) from exc

    def _gone(self, exc: Exception) -> ReaderUnavailableError:
        return ReaderUnavailableError(
            f"串口 {self.port} 已断开", f"serial port {self.port} stopped working: {exc}"
        )

    def set_baudrate(self, baudrate: int) -> None:
        try:
            self._serial.baudrate = baudrate
        except _OPEN_ERRORS as exc:
            raise self._gone(exc) from exc

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


class SerialConnector:
    """Opens the port at the module's line speed, probing for it when not fixed."""

    def __init__(self, settings: SerialSettings) -> None:
        self.settings = settings
        self.baudrate = settings.baudrate
        """The speed the module answered at last (or the fixed one)."""

    def candidates(self) -> list[int]:
        if self.settings.baudrate is not None:
            return [self.settings.baudrate]
        first = [self.baudrate] if self.baudrate is not None else []
        return first + [rate for rate in BAUD_RATES if rate not in first]

    def __call__(self) -> SerialTransport:
        port = self.settings.port
        candidates = self.candidates()
        transport = SerialTransport(port, candidates[0])
        try:
            for rate in candidates:
                transport.set_baudrate(rate)
                try:
                    transact(transport, Command.STATUS, self.settings.timeout, port)
                except (ReaderTimeoutError, FrameError) as exc:
                    logger.debug("no SAM answer on %s at %d baud: %s", port, rate, exc.message_en)
                    continue
                if rate != self.baudrate:
                    logger.info("SAM module on %s answers at %d baud", port, rate)
                self.baudrate = rate
                return transport
        except BaseException:
            transport.close()
            raise
        transport.close()
        rates = ", ".join(str(rate) for rate in candidates)
        raise ReaderTimeoutError(
            f"串口 {port} 上的读卡模块无响应", f"no SAM module answered on {port} at {rates} baud"
        )


class SerialSamReader(SamReader):
    """A SAM reader on a serial port; :attr:`baudrate` is the speed found."""

    def __init__(self, settings: SerialSettings) -> None:
        self.connector = SerialConnector(settings)
        super().__init__(
            self.connector,
            timeout=settings.timeout,
            read_timeout=settings.read_timeout,
            with_fingerprint=settings.with_fingerprint,
            keep_fingerprint=settings.keep_fingerprint,
            appended_address=settings.appended_address,
            description=settings.port,
        )

    @property
    def baudrate(self) -> int | None:
        return self.connector.baudrate


def serial_reader(settings: SerialSettings) -> SerialSamReader:
    """A SAM reader on a serial port (not opened yet)."""
    _require_pyserial()
    return SerialSamReader(settings)


@dataclass(frozen=True)
class PortInfo:
    device: str
    description: str
    hwid: str


def list_serial_ports() -> list[PortInfo]:
    """Serial ports the operating system knows about."""
    _require_pyserial()
    return [PortInfo(p.device, p.description, p.hwid) for p in list_ports.comports()]


def probe_port(port: str, baudrate: int | None = None, timeout: float = 0.5) -> bool:
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
    candidates: Iterable[str] | None = None, baudrate: int | None = None, timeout: float = 0.5
) -> str | None:
    """The first port (default: every serial port) where a SAM module answers."""
    ports = list(candidates) if candidates is not None else [p.device for p in list_serial_ports()]
    for port in ports:
        if probe_port(port, baudrate, timeout):
            logger.info("SAM module found on %s", port)
            return port
    return None
