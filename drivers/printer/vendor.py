"""Transports borrowed from python-escpos (USB, Windows spooler) and the CUPS ``lp`` client.

These need libraries or programs that are not part of ``yihao[kiosk]``: pyusb for USB,
pywin32 for the Windows spooler, the ``lp`` command (cups-client) for CUPS.
"""

from __future__ import annotations

import importlib
import shutil
import subprocess
from typing import Any, ClassVar

from drivers.printer.base import TicketPrinter
from drivers.printer.config import PrinterConfig
from drivers.printer.errors import PrinterConnectionError, missing_library


class _EscposDevicePrinter(TicketPrinter):
    """Drives a python-escpos printer object as a raw transport."""

    _module: ClassVar[str]
    _class: ClassVar[str]
    _requirement: ClassVar[tuple[str, str]]
    """The missing package and how to install it."""

    def __init__(self, config: PrinterConfig | None, **device_args: Any) -> None:
        super().__init__(config)
        self._device_args = device_args
        self._device: Any = None

    def _open(self) -> None:
        module = importlib.import_module(f"escpos.printer.{self._module}")
        if not module.is_usable():
            package, hint = self._requirement
            raise missing_library(package, hint=hint)
        device = getattr(module, self._class)(**self._device_args)
        exceptions = importlib.import_module("escpos.exceptions")
        try:
            device.open()
        except exceptions.Error as exc:
            raise PrinterConnectionError(f"{self!r}: {exc}") from exc
        self._device = device

    def _close(self) -> None:
        if self._device is not None:
            self._device.close()
            self._device = None

    def _write(self, data: bytes) -> None:
        if self._device is None:
            raise PrinterConnectionError(f"{self!r} is not open")
        self._device._raw(data)


class UsbPrinter(_EscposDevicePrinter):
    """A USB printer found by vendor and product id (python-escpos ``Usb``, needs pyusb)."""

    can_read_status = True
    _module = "usb"
    _class = "Usb"
    _requirement = ("pyusb", "pip install 'python-escpos[usb]'")

    def __init__(self, vendor_id: int, product_id: int, config: PrinterConfig | None = None):
        config = config or PrinterConfig()
        timeout_ms = int(config.timeout * 1000)
        super().__init__(config, idVendor=vendor_id, idProduct=product_id, timeout=timeout_ms)
        self.ids = (vendor_id, product_id)

    def __repr__(self) -> str:
        return f"UsbPrinter({self.ids[0]:04x}:{self.ids[1]:04x})"

    def _read(self, timeout: float) -> bytes:
        usb_core = importlib.import_module("usb.core")
        device = self._device
        try:
            # pyusb treats 0 as "wait forever": never pass less than 1 ms.
            return bytes(device.device.read(device.in_ep, 64, max(1, int(timeout * 1000))))
        except usb_core.USBTimeoutError:
            return b""


class Win32Printer(_EscposDevicePrinter):
    """A printer of the Windows spooler, sent RAW (python-escpos ``Win32Raw``, needs pywin32)."""

    _module = "win32raw"
    _class = "Win32Raw"
    _requirement = ("pywin32", "pip install pywin32 (Windows only)")

    def __init__(self, name: str, config: PrinterConfig | None = None) -> None:
        super().__init__(config, printer_name=name)
        self.name = name

    def __repr__(self) -> str:
        return f"Win32Printer({self.name!r})"


class CupsPrinter(TicketPrinter):
    """A CUPS queue, each ticket sent as one raw job with ``lp``."""

    def __init__(self, queue: str, config: PrinterConfig | None = None) -> None:
        super().__init__(config)
        self.queue = queue

    def __repr__(self) -> str:
        return f"CupsPrinter({self.queue!r})"

    def _write(self, data: bytes) -> None:
        lp = shutil.which("lp")
        if lp is None:
            raise missing_library("lp", hint="apt install cups-client")
        try:
            done = subprocess.run(
                [lp, "-d", self.queue, "-o", "raw", "-t", "yihao ticket", "-"],
                input=data,
                capture_output=True,
                timeout=self.config.timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise PrinterConnectionError(f"lp -d {self.queue} did not finish") from exc
        if done.returncode != 0:
            raise PrinterConnectionError(
                f"lp -d {self.queue}: {done.stderr.decode(errors='replace')}"
            )
