"""Puts a kiosk together: links on worker threads, the bridge, the controller, the window."""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass, field
from functools import partial
from importlib import metadata
from pathlib import Path

from PySide6.QtWidgets import QVBoxLayout, QWidget

from caller_server.client import YihaoClient
from caller_server.protocol import IdentityIn
from drivers.idcard import ReaderError
from drivers.idcard.sim.sam import AutoTapper
from drivers.printer import open_printer
from drivers.printer.ticket import Ticket as PrintTicket
from drivers.voice import SoundCardSink, WavDirectorySink, open_engine
from kiosk.autopilot import Autopilot
from kiosk.bridge import Bridge
from kiosk.config import KioskConfig
from kiosk.controller import Controller, ControllerConfig
from kiosk.links import PrinterLink, ReaderLink, ServerLink, Silent, VoiceLink
from kiosk.readers import BrokenReader, SimCards, open_reader
from kiosk.ui.widgets import button
from kiosk.ui.window import KioskWindow

log = logging.getLogger(__name__)

SWITCH_INTERVAL = 0.0005
"""Seconds a thread may hold the GIL while another waits (Python's default: 0.005)."""


def version() -> str:
    try:
        return metadata.version("yihao")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def open_voice(spec: str) -> VoiceLink | Silent:
    if spec == "off":
        return Silent()
    sink = WavDirectorySink(Path(spec[4:])) if spec.startswith("wav:") else SoundCardSink()
    return VoiceLink(partial(open_engine, "tts"), sink)


@dataclass
class KioskLinks:
    """The controller's :class:`~kiosk.controller.Links`, spread over the worker threads."""

    server: ServerLink
    printer: PrinterLink
    reader: ReaderLink
    voice: VoiceLink | Silent

    def issue(self, request_id: str, category: str, identity: IdentityIn | None) -> None:
        self.server.issue(request_id, category, identity)

    def print_ticket(self, ticket: PrintTicket) -> None:
        self.printer.print_ticket(ticket)

    def speak(self, text: str, lang: str) -> None:
        self.voice.speak(text, lang)

    def report(self, health: dict[str, object]) -> None:
        self.server.report(health)

    def start(self) -> None:
        for link in (self.voice, self.server, self.printer, self.reader):
            link.start()

    def stop(self) -> None:
        for link in (self.reader, self.printer, self.server, self.voice):
            link.stop()


@dataclass
class Kiosk:
    config: KioskConfig
    controller: Controller
    window: KioskWindow
    links: KioskLinks
    bridge: Bridge
    sim: SimCards | None = None
    tapper: AutoTapper | None = None
    autopilot: Autopilot | None = None
    extra_windows: list[QWidget] = field(default_factory=list)

    def start(self) -> None:
        # The worker threads (reader, server, printer) wait for the GIL while the GUI thread
        # runs Python (a screen render, a QR code); with the default 5 ms switch interval every
        # hand-off between them cost up to 5 ms (bench/kiosk.py: card found → first printer
        # byte p50 146 → 47 ms with 0.5 ms).
        sys.setswitchinterval(SWITCH_INTERVAL)
        self.links.start()
        if self.tapper is not None:
            self.tapper.start()

    def stop(self) -> None:
        if self.tapper is not None:
            self.tapper.stop()
        self.links.stop()
        for window in (self.window, *self.extra_windows):
            window.close()


class SimPanel(QWidget):
    """``--sim``: one button per fake citizen lays their card on the simulated reader."""

    def __init__(self, cards: SimCards) -> None:
        super().__init__()
        self.setWindowTitle("模拟刷卡 simulated cards")
        box = QVBoxLayout(self)
        for citizen in cards.citizens:
            b = button(citizen.label)
            b.setStyleSheet("min-height: 40px; font-size: 18px;")
            b.clicked.connect(lambda _=False, c=citizen: cards.tap(c))
            box.addWidget(b)


def build(config: KioskConfig, server_url: str, token: str | None) -> Kiosk:
    """Everything wired but not started (call :meth:`Kiosk.start`)."""
    bridge = Bridge()
    try:
        reader, sim = open_reader(config.reader)
    except ReaderError as exc:  # e.g. pyscard missing: run on, showing 读卡器故障
        log.error("card reader %s cannot be used: %s", config.reader, exc.message_en)
        reader, sim = BrokenReader(exc), None
    client = YihaoClient(server_url, token)
    links = KioskLinks(
        server=ServerLink(client, config.kiosk_id, bridge.post, version()),
        printer=PrinterLink(open_printer(config.printer_spec), bridge.post),
        reader=ReaderLink(reader, bridge.post),
        voice=open_voice(config.voice),
    )
    controller = Controller(
        ControllerConfig(
            kiosk_id=config.kiosk_id,
            categories=config.categories,
            elderly_age=config.elderly_age or None,
            lang=config.lang,
            manual_entry=config.manual_entry,
        ),
        links,
    )
    bridge.posted.connect(controller.handle)
    window = KioskWindow(controller, config.size)
    kiosk = Kiosk(config, controller, window, links, bridge, sim)
    if sim is not None and config.auto_tap > 0:
        kiosk.tapper = sim.auto_tapper(config.auto_tap)
        kiosk.autopilot = Autopilot(controller)
    elif sim is not None:
        panel = SimPanel(sim)
        kiosk.extra_windows.append(panel)
    return kiosk
