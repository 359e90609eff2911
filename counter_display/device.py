"""The device without its screen: identity, being found, pairing, the push link, the voice.

Plain callbacks only (Electrum's core): the Qt bridge subscribes and re-emits them as
signals; the headless voice box and the tests use them directly.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from caller_server.protocol import DeviceDown, DeviceRegistration
from counter_display import discovery
from counter_display.errors import DisplayError
from counter_display.identity import Identity, PairedServer
from counter_display.link import PushLink
from counter_display.pairing import PairingEndpoint
from counter_display.texts import DEFAULT_LANG, text

log = logging.getLogger(__name__)


@dataclass
class DeviceOptions:
    role: str
    """counter, wall or voice."""
    data_dir: Path
    """Identity (id, key, paired server), mode 0600; survives restarts."""
    name: str | None = None
    """Shown to the manager; default from the role (and counter)."""
    counter: int | None = None
    """The counter a counter screen serves."""
    server: str | None = None
    """Register with this server URL instead of relying on mDNS alone."""
    mdns: list[str] = field(default_factory=lambda: ["all"])
    """Interface addresses to advertise on, ``["all"]``, or ``[]`` for none."""
    port: int = 0
    """TCP port of the pairing endpoint (0: any free port)."""
    insecure: bool = False
    """Accept a plain-HTTP server (single-machine demo only)."""
    lang: str = DEFAULT_LANG
    """The screen's language: zh-CN, zh-TW or en (the announcer speaks Mandarin regardless)."""

    @property
    def display_name(self) -> str:
        """The name the manager sees: ``--name``, else 「3号窗口屏」, 「综合屏」 or 「播报器」."""
        return self.label(DEFAULT_LANG)

    def label(self, lang: str) -> str:
        """The device's name in ``lang``, as its own screen shows it."""
        if self.name:
            return self.name
        if self.role == "counter" and self.counter is not None:
            return text("role_counter", lang, counter=self.counter)
        return text(f"role_{self.role}", lang)


class DeviceCore:
    """Starts everything but the screen; reports through the ``on_*`` callbacks."""

    def __init__(self, options: DeviceOptions) -> None:
        self.options = options
        self.identity = Identity(options.data_dir, options.role)
        self.on_pin: list[Callable[[str | None], None]] = []
        """The PIN to show (None once paired)."""
        self.on_message: list[Callable[[DeviceDown], None]] = []
        self.on_status: list[Callable[[str], None]] = []
        self._endpoint = PairingEndpoint(
            self.identity, options.counter, self._paired, self._new_pin, port=options.port
        )
        self._advertiser: discovery.Advertiser | None = None
        self._link: PushLink | None = None
        self._lock = threading.Lock()
        """Guards ``_link``: pairing (HTTP thread) and start-up (main thread) may race."""

    @property
    def registration(self) -> DeviceRegistration:
        return DeviceRegistration(
            id=self.identity.id,
            role=self.options.role,  # type: ignore[arg-type]
            name=self.options.display_name,
            pk=self.identity.fingerprint,
            port=self._endpoint.port,
        )

    def start_line(self) -> str:
        return f"device id={self.identity.id} role={self.options.role} pin={self.identity.pin}"

    def start(self) -> None:
        self._endpoint.start()
        if self.options.mdns:
            self._advertiser = discovery.Advertiser(self.options.mdns, self.registration)
            self._advertiser.start()
        if self.options.server and self.identity.server is None:
            try:
                discovery.register(self.options.server, self.registration)
            except DisplayError as exc:
                log.error("%s", exc)
        self._emit_pin()
        with self._lock:
            # Pairing may have completed while mDNS was still registering: link already up.
            if self.identity.server is not None and self._link is None:
                self._start_link()

    def close(self) -> None:
        if self._link is not None:
            self._link.close()
        if self._advertiser is not None:
            self._advertiser.close()
        self._endpoint.close()

    def send_rating(self, number: str, level: int) -> None:
        if self._link is not None:
            self._link.send_rating(number, level)

    def _emit_pin(self) -> None:
        pin = None if self.identity.server is not None else self.identity.pin
        for listener in self.on_pin:
            listener(pin)

    def _new_pin(self, _pin: str) -> None:
        self._emit_pin()

    def _paired(self, _server: PairedServer) -> None:
        self._emit_pin()
        with self._lock:
            self._start_link()

    def _refused(self) -> None:
        """The server no longer knows our key: forget it, show a new PIN."""
        self.identity.forget_server()
        self._link = None  # called on the link's own thread, which is ending
        self._emit_pin()

    def _start_link(self) -> None:
        if self._link is not None:
            self._link.close()
        self._link = PushLink(
            self.identity,
            self.options.insecure,
            self._message,
            self._status,
            self._refused,
        )
        self._link.start()

    def _message(self, message: DeviceDown) -> None:
        for listener in self.on_message:
            listener(message)

    def _status(self, status: str) -> None:
        for listener in self.on_status:
            listener(status)
