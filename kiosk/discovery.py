"""Find the hall's server by mDNS (``_yihao._tcp``) and keep using the one first paired with."""

from __future__ import annotations

import json
import logging
import socket
import threading
from dataclasses import dataclass

from kiosk.config import data_dir

log = logging.getLogger(__name__)

SERVER_SERVICE = "_yihao._tcp.local."
PAIRED_FILE = "server.json"


@dataclass(frozen=True)
class FoundServer:
    id: str
    hall: str
    url: str


def paired_id() -> str | None:
    path = data_dir() / PAIRED_FILE
    try:
        return str(json.loads(path.read_text(encoding="utf-8"))["id"])
    except (OSError, ValueError, KeyError):
        return None


def remember(server: FoundServer) -> None:
    directory = data_dir()
    directory.mkdir(parents=True, exist_ok=True)
    record = {"id": server.id, "hall": server.hall, "url": server.url}
    (directory / PAIRED_FILE).write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")


def discover(interfaces: tuple[str, ...] = (), timeout: float = 10.0) -> FoundServer | None:
    """The paired server (or, before pairing, the first one that answers) within ``timeout``."""
    from zeroconf import InterfaceChoice, ServiceBrowser, ServiceStateChange, Zeroconf

    wanted = paired_id()
    found: list[FoundServer] = []
    done = threading.Event()
    zc = Zeroconf(interfaces=list(interfaces) if interfaces else InterfaceChoice.All)

    def changed(
        zeroconf: Zeroconf, service_type: str, name: str, state_change: ServiceStateChange
    ) -> None:
        if state_change is not ServiceStateChange.Added:
            return
        info = zeroconf.get_service_info(service_type, name, timeout=3000)
        if info is None or not info.addresses:
            return
        txt = {
            k.decode(): (v or b"").decode("utf-8", "replace") for k, v in info.properties.items()
        }
        server = FoundServer(
            txt.get("id", ""),
            txt.get("hall", ""),
            f"http://{socket.inet_ntoa(info.addresses[0])}:{info.port}",
        )
        if wanted is None or server.id == wanted:
            found.append(server)
            done.set()
        else:
            log.info("ignoring server %s: this kiosk is paired with %s", server.id, wanted)

    browser = ServiceBrowser(zc, SERVER_SERVICE, handlers=[changed])
    try:
        done.wait(timeout)
    finally:
        browser.cancel()
        zc.close()
    if not found:
        return None
    remember(found[0])
    return found[0]
