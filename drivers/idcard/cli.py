"""Diagnostics for installers: ``python -m drivers.idcard read|watch|ports``.

Exit codes: 0 a card was read (``read``) or the command finished; 1 no card or
the tap failed; 2 bad usage; 3 the reader or its library is not working.
Personal fields are masked unless ``--unmask``.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import threading
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path

from drivers.idcard.card import IdentityCard
from drivers.idcard.errors import IdCardError, ReaderError, ReaderUnavailableError
from drivers.idcard.reader import CardReader
from drivers.idcard.sim.sam import AutoTapper, Fault
from drivers.idcard.watcher import (
    CardPresent,
    CardRemoved,
    CardWatcher,
    ReaderErrorEvent,
    WatchEvent,
)

EXIT_OK, EXIT_NO_CARD, EXIT_READER = 0, 1, 3

_LABELS = {
    "name": "姓名 name",
    "sex": "性别 sex",
    "nation": "民族 nation",
    "birth": "出生 birth",
    "address": "住址 address",
    "appended_address": "追加住址 new address",
    "id_number": "证件号码 ID number",
    "authority": "签发机关 authority",
    "valid_from": "有效期起 valid from",
    "valid_to": "有效期至 valid to",
    "card_type": "证件类型 card type",
    "source": "来源 source",
}


def _add_source(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument(
        "--serial", metavar="PORT", help="SAM reader on a serial port (auto: probe every port)"
    )
    group.add_argument(
        "--pcsc", metavar="READER", nargs="?", const="", help="PC/SC reader (name or part of it)"
    )
    group.add_argument(
        "--sim", metavar="FILE", nargs="?", const="", help="simulator (default: bundled citizens)"
    )
    parser.add_argument(
        "--baud", type=int, default=None, help="serial line speed (default: probe 115200…9600)"
    )
    parser.add_argument("--profile", type=Path, action="append", default=[], help="PC/SC profile")
    parser.add_argument("--citizen", default="0", help="simulated citizen (label or index)")
    parser.add_argument(
        "--fault",
        action="append",
        default=[],
        choices=[fault.value for fault in Fault],
        help="simulated fault to inject (repeatable)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--unmask", action="store_true", help="show names and numbers in full")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m drivers.idcard", description=__doc__)
    parser.add_argument("-v", "--verbose", action="count", default=0, help="log more (-vv debug)")
    commands = parser.add_subparsers(dest="command", required=True)
    read = commands.add_parser("read", help="read one card and print it")
    _add_source(read)
    read.add_argument("--timeout", type=float, default=10.0, help="seconds to wait for a card")
    watch = commands.add_parser("watch", help="print card events until Ctrl-C")
    _add_source(watch)
    watch.add_argument("--duration", type=float, help="stop after this many seconds")
    watch.add_argument("--poll", type=float, default=0.3, help="poll interval in seconds")
    ports = commands.add_parser("ports", help="list serial ports and PC/SC readers")
    ports.add_argument("--probe", action="store_true", help="ask each serial port for a SAM")
    return parser


def _open_source(args: argparse.Namespace) -> tuple[CardReader, AbstractContextManager[object]]:
    """The reader, and what must run around it (the simulator's tapper)."""
    if args.serial is not None:
        from drivers.idcard.serial_reader import SerialSettings, detect_sam_port, serial_reader

        port = detect_sam_port(baudrate=args.baud) if args.serial == "auto" else args.serial
        if port is None:
            raise ReaderUnavailableError(
                "所有串口均未找到身份证读卡模块", "no SAM module answered on any serial port"
            )
        return serial_reader(SerialSettings(port, args.baud)), nullcontext()
    if args.pcsc is not None:
        from drivers.idcard.pcsc_reader import PcscReader
        from drivers.idcard.profile import load_profiles

        return PcscReader(args.pcsc or None, load_profiles(args.profile)), nullcontext()
    from drivers.idcard.sim.citizens import find_citizen, load_citizens
    from drivers.idcard.sim.sam import SimulatedSam, sim_reader

    citizens = load_citizens(Path(args.sim) if args.sim else None)
    sam = SimulatedSam()
    sam.inject(*(Fault(name) for name in args.fault))
    if args.command == "read":
        sam.place(find_citizen(citizens, args.citizen))
        return sim_reader(sam), nullcontext()
    tapper = AutoTapper(sam, citizens)
    return sim_reader(sam), _tapping(tapper)


@contextmanager
def _tapping(tapper: AutoTapper) -> Iterator[None]:
    tapper.start()
    try:
        yield
    finally:
        tapper.stop()


def _pad(text: str, width: int) -> str:
    """Left-justify for a terminal, counting CJK characters as two columns."""
    columns = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(0, width - columns)


def _show_card(card: IdentityCard, unmask: bool) -> str:
    fields = card.to_dict(unmask=unmask)
    fields["sex"] = f"{card.sex.label_zh} {card.sex.value}"
    fields["valid_to"] = fields["valid_to"] or "长期"
    return "\n".join(f"{_pad(_LABELS[key], 22)}{value or '-'}" for key, value in fields.items())


def _fail(error: IdCardError) -> int:
    print(f"{error.message_zh}\n{error.message_en}", file=sys.stderr)
    return EXIT_READER if isinstance(error, ReaderError) else EXIT_NO_CARD


def _read(args: argparse.Namespace) -> int:
    reader, around = _open_source(args)
    with around, reader:
        card = reader.read(args.timeout)
    if args.json:
        print(json.dumps(card.to_dict(unmask=args.unmask), ensure_ascii=False))
    else:
        print(_show_card(card, args.unmask))
    return EXIT_OK


def _event_line(event: WatchEvent, args: argparse.Namespace) -> str:
    record: dict[str, object]
    if isinstance(event, CardPresent):
        card = event.card.to_dict(unmask=args.unmask)
        record = {"event": "card-present", "card": card}
        text = f"card-present  {card['name']}  {card['id_number']}  {card['card_type']}"
    elif isinstance(event, ReaderErrorEvent):
        record = {"event": "error", "zh": event.error.message_zh, "en": event.error.message_en}
        text = f"error  {event.error.message_zh} / {event.error.message_en}"
    else:
        text = "card-removed" if isinstance(event, CardRemoved) else "reader-ready"
        record = {"event": text}
    return json.dumps(record, ensure_ascii=False) if args.json else text


def _watch(args: argparse.Namespace) -> int:
    reader, around = _open_source(args)
    done = threading.Event()

    def on_event(event: WatchEvent) -> None:
        print(_event_line(event, args), flush=True)

    with around, CardWatcher(reader, on_event, poll_interval=args.poll):
        try:
            done.wait(args.duration)
        except KeyboardInterrupt:
            pass
    return EXIT_OK


def _ports(args: argparse.Namespace) -> int:
    from drivers.idcard.pcsc_reader import list_pcsc_readers
    from drivers.idcard.serial_reader import list_serial_ports, probe_port

    print("串口 serial ports:")
    try:
        for port in list_serial_ports():
            found = ("  SAM ✓" if probe_port(port.device) else "  no SAM") if args.probe else ""
            print(f"  {port.device}  {port.description}  [{port.hwid}]{found}")
    except IdCardError as exc:
        print(f"  {exc.message_en}")
    print("PC/SC readers:")
    try:
        for name in list_pcsc_readers():
            print(f"  {name}")
    except IdCardError as exc:
        print(f"  {exc.message_en}")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    level = {0: logging.ERROR, 1: logging.INFO}.get(args.verbose, logging.DEBUG)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    command = {"read": _read, "watch": _watch, "ports": _ports}[args.command]
    try:
        return command(args)
    except IdCardError as exc:
        return _fail(exc)
