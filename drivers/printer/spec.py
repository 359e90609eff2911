"""One string selects the transport and its options.

``usb:VID:PID`` · ``serial:/dev/ttyUSB0?baud=9600`` · ``tcp:HOST:9100`` · ``file:/dev/usb/lp0`` ·
``win32:PRINTER NAME`` · ``cups:QUEUE`` · ``virtual:DIR``. Any :class:`PrinterConfig` field may
follow in the query, e.g. ``tcp:10.0.0.5?encoding=gbk&paper_mm=58&mode=raster``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from drivers.printer.base import TicketPrinter
from drivers.printer.config import PrinterConfig
from drivers.printer.errors import PrinterConfigError
from drivers.printer.transports import FilePrinter, SerialPrinter, TcpPrinter
from drivers.printer.vendor import CupsPrinter, UsbPrinter, Win32Printer
from drivers.printer.virtual import VirtualPrinter

EXAMPLES = (
    "usb:0416:5011",
    "serial:/dev/ttyUSB0?baud=9600",
    "tcp:192.168.1.50:9100",
    "file:/dev/usb/lp0",
    "win32:POS-80",
    "cups:ticket",
    "virtual:/tmp/tickets",
)


@dataclass(frozen=True)
class PrinterSpec:
    """A parsed printer spec."""

    kind: str
    target: str
    options: dict[str, str] = field(default_factory=dict)


def parse_spec(spec: str) -> PrinterSpec:
    """Split ``kind:target?options``."""
    kind, sep, rest = spec.partition(":")
    target, _, query = rest.partition("?")
    if not sep or not target or kind not in _FACTORIES:
        raise PrinterConfigError(f"bad printer spec {spec!r}; examples: {', '.join(EXAMPLES)}")
    try:
        options = dict(parse_qsl(query, keep_blank_values=True, strict_parsing=bool(query)))
    except ValueError as exc:
        raise PrinterConfigError(f"bad options in printer spec {spec!r}") from exc
    return PrinterSpec(kind, target, options)


def open_printer(spec: str, config: PrinterConfig | None = None) -> TicketPrinter:
    """The printer for ``spec``; options in the spec override ``config``."""
    parsed = parse_spec(spec)
    options = dict(parsed.options)
    transport_options = {
        key: options.pop(key) for key in _TRANSPORT_OPTIONS[parsed.kind] & set(options)
    }
    merged = (config or PrinterConfig()).with_options(options)
    return _FACTORIES[parsed.kind](parsed.target, transport_options, merged)


def _host_port(target: str) -> tuple[str, int]:
    if target.startswith("["):  # [::1]:9100
        host, _, port = target[1:].partition("]")
        port = port.removeprefix(":")
    else:
        host, _, port = target.rpartition(":") if target.count(":") == 1 else (target, "", "")
    try:
        number = int(port or 9100)
    except ValueError as exc:
        raise PrinterConfigError(f"bad TCP port in {target!r}") from exc
    if not host or not 1 <= number <= 65535:
        raise PrinterConfigError(f"bad TCP address {target!r}: expected HOST:PORT, port 1-65535")
    return host, number


def _usb_ids(target: str) -> tuple[int, int]:
    try:
        vendor, product = (int(part, 16) for part in target.split(":"))
    except ValueError as exc:
        raise PrinterConfigError(
            f"USB spec needs hex VID:PID, e.g. usb:0416:5011, not {target!r}"
        ) from exc
    return vendor, product


def _tcp(target: str, _options: dict[str, str], config: PrinterConfig) -> TicketPrinter:
    return TcpPrinter(*_host_port(target), config=config)


def _serial(target: str, options: dict[str, str], config: PrinterConfig) -> TicketPrinter:
    try:
        baud = int(options.get("baud", "9600"))
    except ValueError as exc:
        raise PrinterConfigError(f"bad baud rate {options['baud']!r}") from exc
    rtscts = options.get("rtscts", "0").lower() in ("1", "true", "yes", "on")
    return SerialPrinter(target, baud, rtscts, config=config)


def _usb(target: str, _options: dict[str, str], config: PrinterConfig) -> TicketPrinter:
    return UsbPrinter(*_usb_ids(target), config=config)


def _virtual(target: str, options: dict[str, str], config: PrinterConfig) -> TicketPrinter:
    return VirtualPrinter(target, options.get("fault", ""), config=config)


_Factory = Callable[[str, dict[str, str], PrinterConfig], TicketPrinter]
_FACTORIES: dict[str, _Factory] = {
    "usb": _usb,
    "serial": _serial,
    "tcp": _tcp,
    "file": lambda target, _o, config: FilePrinter(target, config=config),
    "win32": lambda target, _o, config: Win32Printer(target, config=config),
    "cups": lambda target, _o, config: CupsPrinter(target, config=config),
    "virtual": _virtual,
}
_TRANSPORT_OPTIONS: dict[str, set[str]] = {kind: set() for kind in _FACTORIES} | {
    "serial": {"baud", "rtscts"},
    "virtual": {"fault"},
}
