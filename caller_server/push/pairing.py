"""Pairing: the server hands the PIN (typed by the manager) to the device over HTTP.

The device side of the contract (for the output-device apps):
``POST http://<device>:<port>/pair`` with ``{"pin": "123456", "server": {"id": hall id,
"url": server base URL}}``; the device answers 200 if the PIN is the one it shows, and
from then on accepts pushes only from that server; 403 if the PIN is wrong.
"""

from __future__ import annotations

import logging

import httpx

from caller_server.services.devices import DeviceError
from caller_server.store.repository import DeviceRecord

log = logging.getLogger(__name__)


class WrongPin(DeviceError):
    code = "pairing_refused"

    def __init__(self, name: str) -> None:
        super().__init__(
            f"设备「{name}」拒绝配对：PIN 不正确，请核对设备屏幕上的 PIN",
            f"device {name} refused pairing: wrong PIN",
        )


class DeviceUnreachable(DeviceError):
    code = "device_unreachable"

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(
            f"无法连接设备「{name}」，请检查设备电源和网络",
            f"cannot reach device {name}: {reason}",
        )


class PinSender:
    """Sends the PIN on behalf of one server (its hall id and public URL)."""

    def __init__(self, server_id: str, server_url: str, timeout: float = 5.0) -> None:
        self._server = {"id": server_id, "url": server_url}
        self._timeout = timeout

    def __call__(self, device: DeviceRecord, pin: str) -> None:
        url = f"http://{device.address}:{device.port}/pair"
        try:
            answer = httpx.post(
                url, json={"pin": pin, "server": self._server}, timeout=self._timeout
            )
        except httpx.HTTPError as exc:
            raise DeviceUnreachable(device.name, str(exc) or type(exc).__name__) from exc
        if answer.status_code == 403:
            raise WrongPin(device.name)
        if not answer.is_success:
            raise DeviceUnreachable(device.name, f"HTTP {answer.status_code}")
        log.info("paired with device %s (%s)", device.id, device.role)
