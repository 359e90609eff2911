"""``yihao-kiosk``: the self-service kiosk; ``yihao-kiosk check``: the installer's self-test.

Exit codes: 0 fine; 1 ``check`` found a problem; 2 bad usage or configuration.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from kiosk.config import KioskConfig, KioskConfigError, load_config
from kiosk.strings import LANGS

log = logging.getLogger(__name__)

EXIT_OK, EXIT_PROBLEM, EXIT_USAGE = 0, 1, 2


def _categories(text: str) -> tuple[str, ...]:
    codes = tuple(c.strip().upper() for c in text.split(",") if c.strip())
    if not all(len(c) == 1 and c.isalpha() for c in codes):
        raise argparse.ArgumentTypeError(f"categories are letters like B,C, not {text!r}")
    return codes


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="yihao-kiosk", description=__doc__)
    parser.add_argument("command", nargs="?", choices=["run", "check"], default="run")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="log more (-vv debug)")
    parser.add_argument("--config", type=Path, help="kiosk.toml with a [kiosk] table")
    parser.add_argument("--server", help="server URL (default: found by mDNS _yihao._tcp)")
    parser.add_argument("--token", help="kiosk token (default: the one saved by the admin screen)")
    parser.add_argument("--reader", help="serial:PORT, serial:auto, pcsc[:NAME], sim[:FILE.json]")
    parser.add_argument("--printer", help="tcp:HOST:PORT, serial:…, usb:…, virtual:DIR …")
    parser.add_argument("--categories", type=_categories, help="categories offered, e.g. B,C")
    parser.add_argument("--lang", choices=LANGS, help="starting language (default zh-CN)")
    parser.add_argument("--kiosk-id", dest="kiosk_id", help="this kiosk's id")
    parser.add_argument("--voice", help="off, sound or wav:DIR (spoken guidance)")
    parser.add_argument("--landscape", action="store_true", default=None, help="1920×1080")
    parser.add_argument("--fullscreen", action="store_true", default=None)
    parser.add_argument(
        "--sim", action="store_true", help="simulated reader (a tap button per fake citizen)"
    )
    parser.add_argument(
        "--auto-tap", dest="auto_tap", type=float, help="simulator: tap a card every S seconds"
    )
    parser.add_argument(
        "--mdns-interface",
        dest="mdns_interfaces",
        action="append",
        help="browse mDNS on this address (repeatable; default all)",
    )
    parser.add_argument("--duration", type=float, help="quit after S seconds")
    return parser


def config_from(args: argparse.Namespace) -> KioskConfig:
    config = load_config(args.config)
    options = {
        key: getattr(args, key)
        for key in (
            "server",
            "token",
            "reader",
            "printer",
            "categories",
            "lang",
            "kiosk_id",
            "voice",
            "landscape",
            "fullscreen",
            "auto_tap",
        )
    }
    if args.mdns_interfaces:
        options["mdns_interfaces"] = tuple(args.mdns_interfaces)
    if args.sim:
        options["reader"] = args.reader or "sim"
    return config.with_options(**options)


def resolve_server(config: KioskConfig) -> str:
    if config.server:
        return config.server.rstrip("/")
    from kiosk.discovery import discover

    found = discover(config.mdns_interfaces)
    if found is None:
        raise KioskConfigError(
            "局域网内未找到服务器，请用 --server 指定 / no yihao server found by mDNS; use --server"
        )
    log.info("using server %s (%s) at %s", found.id, found.hall, found.url)
    return found.url


def _run(config: KioskConfig, duration: float | None) -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from kiosk.admin import AdminDialog
    from kiosk.app import build
    from kiosk.strings import check_translations

    check_translations()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    kiosk = build(config, resolve_server(config), config.token or config.saved_token())
    kiosk.window.on_admin = lambda: AdminDialog(config, kiosk.window).open()
    if config.fullscreen:
        kiosk.window.showFullScreen()
    else:
        kiosk.window.show()
    for window in kiosk.extra_windows:
        window.show()
    kiosk.start()
    signal.signal(signal.SIGTERM, lambda *_: app.quit())
    signal.signal(signal.SIGINT, lambda *_: app.quit())
    wake = QTimer()
    wake.timeout.connect(lambda: None)  # lets Python run signal handlers
    wake.start(200)
    if duration is not None:
        QTimer.singleShot(int(duration * 1000), app.quit)
    try:
        app.exec()
    finally:
        kiosk.stop()
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    level = {0: logging.WARNING, 1: logging.INFO}.get(args.verbose, logging.DEBUG)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        config = config_from(args)
        if args.command == "check":
            from kiosk.check import run_checks

            return EXIT_OK if run_checks(config, resolve_server(config)) else EXIT_PROBLEM
        return _run(config, args.duration)
    except KioskConfigError as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE
