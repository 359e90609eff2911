"""The ``yihao`` command: init, serve, token, user, export, appointments, demo."""

from __future__ import annotations

import argparse
import getpass
import logging
import shutil
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from caller_server.domain.errors import DomainError
from caller_server.push import tls
from caller_server.settings import HALL_FILE, Settings, SetupError, create_secret
from caller_server.store.repository import StoreError

if TYPE_CHECKING:
    from caller_server.runtime import Runtime

log = logging.getLogger(__name__)


def _settings(args: argparse.Namespace) -> Settings:
    settings = Settings(db_url=args.db, hall_path=args.config)
    for name in ("host", "port", "public_url", "mdns_interfaces", "tls"):
        if getattr(args, name, None) is not None:
            setattr(settings, name, getattr(args, name))
    return settings


def cmd_init(args: argparse.Namespace) -> int:
    from caller_server.runtime import initialise

    settings = _settings(args)
    if args.config is not None:
        shutil.copyfile(args.config, settings.home / HALL_FILE)
        settings.hall_path = None
    made = create_secret(settings.home)
    hall = initialise(settings)
    cert, made_cert = tls.ensure_certificate(settings.home, hall.id)
    print(f"data directory: {settings.home}")
    print(f"hall secret: {'created' if made else 'kept'} ({settings.home / 'hall.secret'})")
    print(f"TLS certificate: {'created' if made_cert else 'kept'} ({cert.cert})")
    print(f"  fingerprint {cert.fingerprint}")
    sizes = f"{len(hall.categories)} categories, {len(hall.counters)} counters"
    print(f"hall: {hall.names.zh_cn} ({sizes})")
    print(f"database: ready ({settings.database_url.split('@')[-1]})")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from caller_server.api.app import create_app
    from caller_server.runtime import open_runtime

    rt = open_runtime(_settings(args))
    certificate = tls.paths(rt.settings.home)
    if rt.settings.tls and not certificate.cert.exists():
        raise SetupError(f"no TLS certificate at {certificate.cert}: run `yihao init` first")
    config = uvicorn.Config(
        create_app(rt),
        host=rt.settings.host,
        port=rt.settings.port,
        log_level="info",
        access_log=False,
        http="httptools",
        ws="websockets",
        ssl_certfile=str(certificate.cert) if rt.settings.tls else None,
        ssl_keyfile=str(certificate.key) if rt.settings.tls else None,
    )
    try:
        uvicorn.Server(config).run()
    finally:
        rt.close()
    return 0


def _with_runtime(args: argparse.Namespace, work: Callable[[Runtime], int]) -> int:
    from caller_server.runtime import open_runtime

    rt = open_runtime(_settings(args))
    try:
        return work(rt)
    finally:
        rt.close()


def cmd_token(args: argparse.Namespace) -> int:
    from caller_server.services import auth

    def work(rt: Runtime) -> int:
        label = args.label or (f"counter {args.counter}" if args.counter else args.role)
        token = auth.create_token(rt.ctx, args.role, args.counter, label)
        print(f"{args.role} token for {label} (shown once; store it on the device):")
        print(token)
        return 0

    return _with_runtime(args, work)


def cmd_user(args: argparse.Namespace) -> int:
    from caller_server.services import auth

    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else getpass.getpass()

    def work(rt: Runtime) -> int:
        auth.add_user(rt.ctx, args.username, password, args.role, args.counter)
        print(f"user {args.username} added as {args.role}")
        return 0

    return _with_runtime(args, work)


def cmd_export(args: argparse.Namespace) -> int:
    from caller_server.services import queue

    def work(rt: Runtime) -> int:
        ctx = rt.ctx
        day = args.day or ctx.local(ctx.clock()).date().isoformat()
        text = queue.stats_csv(ctx, day)
        if args.out:
            Path(args.out).write_text(text, encoding="utf-8-sig")
            print(f"wrote {args.out}")
        else:
            sys.stdout.write(text)
        return 0

    return _with_runtime(args, work)


def cmd_appointments(args: argparse.Namespace) -> int:
    from caller_server.services import appointments

    text = Path(args.file).read_text(encoding="utf-8-sig")

    def work(rt: Runtime) -> int:
        booked = appointments.import_csv(rt.ctx, text, "cli")
        print(f"imported {len(booked)} appointments")
        return 0

    return _with_runtime(args, work)


def cmd_device(args: argparse.Namespace) -> int:
    from caller_server.push import devicecli

    return _with_runtime(args, lambda rt: devicecli.run(rt, args))


def cmd_demo(args: argparse.Namespace) -> int:
    from caller_server.demo import run_demo

    return run_demo(duration=args.duration, port=args.port, speed=args.speed)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="yihao", description="一号 — hall queue server")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True)

    def command(
        name: str, fn: Callable[[argparse.Namespace], int], help: str
    ) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help)
        p.add_argument("--config", type=Path, help="hall TOML (default: data dir, else sample)")
        p.add_argument("--db", help="database URL (default: SQLite in the data directory)")
        p.set_defaults(fn=fn)
        return p

    command("init", cmd_init, "create data dir, secret and database (idempotent)")
    serve = command("serve", cmd_serve, "run the caller server")
    serve.add_argument("--host", help="listen address (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="TCP port (default 8600)")
    serve.add_argument("--public-url", dest="public_url", help="base URL printed on tickets")
    serve.add_argument(
        "--mdns",
        dest="mdns_interfaces",
        type=lambda s: s.split(","),
        help="find devices and advertise by mDNS on these addresses, or 'all' (default: off)",
    )
    serve.add_argument(
        "--tls", action="store_true", default=None, help="HTTPS/WSS with the hall certificate"
    )

    token = sub.add_parser("token", help="bearer tokens").add_subparsers(dest="sub", required=True)
    create = token.add_parser("create", help="create a token; printed as the last line")
    create.add_argument("--config", type=Path)
    create.add_argument("--db")
    create.add_argument(
        "--role", required=True, choices=["kiosk", "clerk", "manager", "admin", "device"]
    )
    create.add_argument("--counter", type=int, help="the clerk's counter")
    create.add_argument("--label", help="what the token is for")
    create.set_defaults(fn=cmd_token)

    user = sub.add_parser("user", help="users").add_subparsers(dest="sub", required=True)
    add = user.add_parser("add", help="add a user (asks for the password)")
    add.add_argument("username")
    add.add_argument("--config", type=Path)
    add.add_argument("--db")
    add.add_argument("--role", required=True, choices=["clerk", "manager", "admin"])
    add.add_argument("--counter", type=int)
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    add.set_defaults(fn=cmd_user)

    export = command("export", cmd_export, "the day's statistics as CSV")
    export.add_argument(
        "--day", type=lambda s: date.fromisoformat(s).isoformat(), help="YYYY-MM-DD"
    )
    export.add_argument("--out", help="file to write (UTF-8 with BOM for Excel)")

    appts = command("appointments", cmd_appointments, "import appointments from CSV")
    appts.add_argument("file", help="CSV: id_number,category,date,start,end,reference")

    device = sub.add_parser("device", help="output devices (screens, wall, announcers)")
    device_sub = device.add_subparsers(dest="sub", required=True)
    for name, help_text in (
        ("list", "devices found on the LAN, paired or not, online or not"),
        ("pair", "pair with the PIN the device shows"),
        ("unpair", "forget a device's key"),
    ):
        p = device_sub.add_parser(name, help=help_text)
        p.add_argument("--config", type=Path)
        p.add_argument("--db")
        p.set_defaults(fn=cmd_device)
        if name != "list":
            p.add_argument("device_id", metavar="ID")
        if name == "pair":
            p.add_argument("--pin", required=True, help="the PIN on the device's screen")
            p.add_argument("--counter", type=int, help="the counter a counter screen serves")
            p.add_argument("--url", help="the server URL the device connects to")

    demo = sub.add_parser("demo", help="the whole hall on this machine, simulated")
    demo.add_argument("--duration", type=float, default=None, help="stop after S seconds")
    demo.add_argument("--port", type=int, default=0, help="HTTP port (default: any free)")
    demo.add_argument("--speed", type=float, default=1.0, help="simulation speed factor")
    demo.set_defaults(fn=cmd_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("alembic").setLevel(logging.DEBUG if args.verbose else logging.WARNING)
    try:
        code: int = args.fn(args)
        return code
    except DomainError as exc:
        print(f"错误：{exc.message_zh}\nerror: {exc.message_en}", file=sys.stderr)
    except (SetupError, StoreError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
    except ModuleNotFoundError as exc:
        print(
            f"error: {exc.name} is not installed; the server needs: pip install 'yihao[server]'",
            file=sys.stderr,
        )
    return 2


if __name__ == "__main__":
    sys.exit(main())
