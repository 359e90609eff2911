"""DNS-SD over mDNS (RFC 6763): browse ``_yihao-dev._tcp`` devices, advertise ``_yihao._tcp``.

Devices are de-duplicated by their TXT ``id`` (Home Assistant style), not by name or
address, so a screen that changes address stays one device.
"""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Callable

from zeroconf import (
    InterfaceChoice,
    IPVersion,
    ServiceBrowser,
    ServiceInfo,
    ServiceStateChange,
    Zeroconf,
)

from caller_server.store.repository import DeviceRecord

log = logging.getLogger(__name__)

DEVICE_SERVICE = "_yihao-dev._tcp.local."
SERVER_SERVICE = "_yihao._tcp.local."
ROLES = frozenset({"counter", "wall", "voice"})


def parse_device(info: ServiceInfo, now: float) -> DeviceRecord | None:
    """A device from its DNS-SD record, or None when the record is not one of ours."""
    props = {
        (k.decode() if isinstance(k, bytes) else k): (v.decode() if isinstance(v, bytes) else v)
        for k, v in info.properties.items()
    }
    addresses = info.parsed_addresses(IPVersion.V4Only)
    if (
        props.get("v") != "1"
        or props.get("role") not in ROLES
        or not props.get("id")
        or not props.get("pk")
    ):
        log.info("ignoring %s: not a yihao v1 device record", info.name)
        return None
    if not addresses or not info.port:
        return None
    return DeviceRecord(
        id=str(props["id"]),
        role=str(props["role"]),
        name=str(props.get("name") or props["id"]),
        address=addresses[0],
        port=info.port,
        last_seen=now,
        key_fp=str(props["pk"]),
    )


class Mdns:
    """One zeroconf instance: advertises the server and reports devices as they appear."""

    def __init__(
        self,
        interfaces: list[str],
        on_device: Callable[[DeviceRecord], object],
        server_txt: dict[str, str],
        port: int,
    ) -> None:
        choice: list[str] | InterfaceChoice = (
            InterfaceChoice.All if interfaces == ["all"] else interfaces
        )
        self._zc = Zeroconf(interfaces=choice)
        self._on_device = on_device
        address = interfaces[0] if interfaces and interfaces[0][0].isdigit() else None
        host = socket.gethostname().split(".")[0]
        self._info = ServiceInfo(
            SERVER_SERVICE,
            f"yihao-{server_txt['id']}.{SERVER_SERVICE}",
            port=port,
            properties=server_txt,
            server=f"{host}.local.",
            addresses=[socket.inet_aton(address)] if address else None,
        )
        self._browser: ServiceBrowser | None = None

    def start(self) -> None:
        # Several processes may serve one hall (one database): each record gets its own name.
        self._zc.register_service(self._info, allow_name_change=True)
        self._browser = ServiceBrowser(self._zc, DEVICE_SERVICE, handlers=[self._changed])

    def close(self) -> None:
        if self._browser is not None:
            self._browser.cancel()
        self._zc.unregister_service(self._info)
        self._zc.close()

    def _changed(
        self, zeroconf: Zeroconf, service_type: str, name: str, state_change: ServiceStateChange
    ) -> None:
        if state_change not in (ServiceStateChange.Added, ServiceStateChange.Updated):
            return
        info = zeroconf.get_service_info(service_type, name, timeout=3000)
        device = parse_device(info, time.time()) if info else None
        if device is not None:
            self._on_device(device)
