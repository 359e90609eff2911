"""``yihao-display --role counter|wall|voice`` (also ``python -m counter_display``)."""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

import platformdirs

from counter_display.texts import DEFAULT_LANG, parse_lang

log = logging.getLogger(__name__)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="yihao-display", description="一号 output device")
    p.add_argument("--role", required=True, choices=["counter", "wall", "voice"])
    p.add_argument("--name", help="name shown to the manager")
    p.add_argument("--counter", type=int, help="the counter this screen serves (counter role)")
    p.add_argument("--server", help="register with this server URL (where multicast is blocked)")
    p.add_argument(
        "--sim", action="store_true", help="no hardware: offscreen Qt; voice writes WAVs"
    )
    p.add_argument("--fullscreen", action="store_true")
    p.add_argument(
        "--lang",
        type=_lang,
        default=DEFAULT_LANG,
        help="screen language: zh-CN (default), zh-TW or en; the announcer speaks Mandarin",
    )
    p.add_argument("--insecure", action="store_true", help="accept a plain-HTTP server (demo)")
    p.add_argument("--data-dir", type=Path, help="identity directory (default: user data dir)")
    p.add_argument(
        "--mdns", default="all", help="addresses to advertise on, 'all' or 'off' (default all)"
    )
    p.add_argument("--port", type=int, default=0, help="pairing endpoint port (default: any)")
    p.add_argument("--wav-dir", type=Path, help="voice: write DIR/<seq>-<number>.wav, not play")
    p.add_argument("--voice-engine", default="clips", choices=["clips", "tts"])
    p.add_argument("--size", help="window size WxH, e.g. 1920x1080")
    p.add_argument(
        "--factory-reset", action="store_true", help="forget the server and the key, then exit"
    )
    p.add_argument("-v", "--verbose", action="store_true")
    return p


def _lang(value: str) -> str:
    try:
        return parse_lang(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _data_dir(args: argparse.Namespace) -> Path:
    if args.data_dir:
        return Path(args.data_dir)
    suffix = f"-{args.counter}" if args.role == "counter" and args.counter else ""
    return Path(platformdirs.user_data_dir("yihao-display", "yihao")) / f"{args.role}{suffix}"


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if args.role == "counter" and args.counter is None:
        print("error: --role counter needs --counter N", file=sys.stderr)
        return 2
    if args.server and args.server.startswith("http://") and not args.insecure:
        print(
            "错误：服务器使用明文 HTTP，设备拒绝连接（仅单机演示可加 --insecure）\n"
            f"error: refusing plain-HTTP server {args.server}; use https or --insecure",
            file=sys.stderr,
        )
        return 2
    try:
        from counter_display.device import DeviceCore, DeviceOptions
    except ModuleNotFoundError as exc:
        print(f"error: {exc.name} is missing: pip install 'yihao[display]'", file=sys.stderr)
        return 2
    options = DeviceOptions(
        role=args.role,
        data_dir=_data_dir(args),
        name=args.name,
        counter=args.counter,
        server=args.server,
        mdns=[] if args.mdns == "off" else args.mdns.split(","),
        port=args.port,
        insecure=args.insecure,
        lang=args.lang,
    )
    if args.factory_reset:
        shutil.rmtree(options.data_dir, ignore_errors=True)
        print(f"factory reset: {options.data_dir} removed (new id, key and PIN at next start)")
        return 0
    core = DeviceCore(options)
    print(core.start_line(), flush=True)
    shown = [core.identity.pin]

    def new_pin(pin: str | None) -> None:  # after 5 wrong PINs, or after being unpaired
        if pin is not None and pin not in shown:
            shown.append(pin)
            print(core.start_line(), flush=True)

    core.on_pin.append(new_pin)
    if args.role == "voice":
        return _run_voice(core, args)
    if args.sim:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from counter_display.qt.app import run_qt

    size = tuple(int(x) for x in args.size.lower().split("x")) if args.size else None
    signal.signal(signal.SIGTERM, lambda *_: _quit_qt())
    return run_qt(core, args.fullscreen, size)  # type: ignore[arg-type]


def _quit_qt() -> None:
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is not None:
        app.quit()


def _run_voice(core: object, args: argparse.Namespace) -> int:
    from counter_display.device import DeviceCore
    from counter_display.voice import VoiceBox

    assert isinstance(core, DeviceCore)
    wav_dir = args.wav_dir or (core.options.data_dir / "announcements" if args.sim else None)
    box = VoiceBox(wav_dir, engine=args.voice_engine)
    spoken: set[str] = set()

    def pin(value: str | None) -> None:
        if value is not None and value not in spoken:
            spoken.add(value)
            box.say_pin(value)

    core.on_pin.append(pin)
    core.on_message.append(box.handle)
    if core.identity.server is None:
        pin(core.identity.pin)  # at once, with the start line (mDNS registration takes a while)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    core.start()
    try:
        stop.wait()
    finally:
        core.close()
        box.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
