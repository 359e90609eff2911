"""Being found: the ``_yihao-dev._tcp`` mDNS record, or registration with ``--server URL``."""

from __future__ import annotations

import logging
import socket

import httpx
from zeroconf import InterfaceChoice, ServiceInfo, Zeroconf

from caller_server.protocol import DeviceRegistration
from counter_display.errors import DisplayError

log = logging.getLogger(__name__)

DEVICE_SERVICE = "_yihao-dev._tcp.local."


class Advertiser:
    """Announces the device (TXT id, role, name, v=1, pk) on the given interface addresses."""

    def __init__(self, interfaces: list[str], registration: DeviceRegistration) -> None:
        choice: list[str] | InterfaceChoice = (
            InterfaceChoice.All if interfaces == ["all"] else interfaces
        )
        self._zc = Zeroconf(interfaces=choice)
        address = interfaces[0] if interfaces and interfaces[0][0].isdigit() else None
        self._info = ServiceInfo(
            DEVICE_SERVICE,
            f"{registration.id}.{DEVICE_SERVICE}",
            port=registration.port,
            properties={
                "id": registration.id,
                "role": registration.role,
                "name": registration.name,
                "v": "1",
                "pk": registration.pk,
            },
            server=f"{registration.id}.local.",
            addresses=[socket.inet_aton(address)] if address else None,
        )

    def start(self) -> None:
        self._zc.register_service(self._info)

    def close(self) -> None:
        self._zc.unregister_service(self._info)
        self._zc.close()


def register(server_url: str, registration: DeviceRegistration) -> None:
    """``POST /api/v1/devices/register`` on a server named by ``--server`` (no multicast).

    Only public facts are sent, so the (self-signed) certificate is not checked here; it is
    pinned at pairing, and the push connection refuses any other.
    """
    try:
        answer = httpx.post(
            f"{server_url.rstrip('/')}/api/v1/devices/register",
            json=registration.model_dump(),
            timeout=10,
            verify=False,
        )
    except httpx.HTTPError as exc:
        raise DisplayError(f"cannot register with {server_url}: {exc}") from exc
    if not answer.is_success:
        raise DisplayError(f"{server_url} refused the registration: HTTP {answer.status_code}")
    log.info("registered with %s", server_url)
