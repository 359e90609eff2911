"""The ``yihao`` command: init, serve, token, user, export, appointments, purge, demo."""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import shutil
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from caller_server.domain.errors import DomainError
from caller_server.push import tls
from caller_server.settings import (
    HALL_FILE,
    WILDCARDS,
    Settings,
    SetupError,
    create_secret,
    lan_url,
)
from caller_server.store.repository import StoreError

if TYPE_CHECKING:
    from caller_server.runtime import Runtime

log = logging.getLogger(__name__)


def _settings(args: argparse.Namespace) -> Settings:
    settings = Settings(db_url=args.db, hall_path=args.config)
    for name in (
        "host",
        "port",
        "public_url",
        "mdns_interfaces",
        "secret_file",
        "header_timeout",
        "ws_per_address",
        "tls",
    ):
        if getattr(args, name, None) is not None:
            setattr(settings, name, getattr(args, name))
    for name in ("body_limit", "import_limit"):
        if getattr(args, name, None) is not None:
            setattr(settings, name, getattr(args, name) * 1024)
    return settings


def _install_hall_file(source: Path, home: Path) -> None:
    """Validate ``source``, then replace ``home/hall.toml`` atomically, keeping a ``.bak``.

    A refused file changes nothing: the hall that ran before still starts.
    """
    from caller_server.domain.hall import load_hall

    load_hall(source)
    target = home / HALL_FILE
    staged = target.with_name(f".{HALL_FILE}.new")
    shutil.copyfile(source, staged)
    if target.exists():
        shutil.copy2(target, target.with_name(f"{HALL_FILE}.bak"))
    os.replace(staged, target)


def cmd_init(args: argparse.Namespace) -> int:
    from caller_server.runtime import initialise

    settings = _settings(args)
    if args.config is not None:
        _install_hall_file(args.config, settings.home)
        settings.hall_path = None
    made = create_secret(settings.home, settings.secret_file)
    hall = initialise(settings)
    cert, made_cert = tls.ensure_certificate(settings.home, hall.id)
    print(f"data directory: {settings.home}")
    print(f"hall secret: {'created' if made else 'kept'} ({settings.secret_path})")
    print(f"TLS certificate: {'created' if made_cert else 'kept'} ({cert.cert})")
    print(f"  fingerprint {cert.fingerprint}")
    sizes = f"{len(hall.categories)} categories, {len(hall.counters)} counters"
    print(f"hall: {hall.names.zh_cn} ({sizes})")
    if hall.unserved:
        codes = ", ".join(sorted(hall.unserved))
        print(
            f"警告：没有窗口办理 {codes}，这些业务不会出号\nwarning: no counter serves {codes}; "
            "no tickets are issued for them until a counter does",
            file=sys.stderr,
        )
    print(f"database: ready ({settings.database_url.split('@')[-1]})")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from caller_server.api.app import server_config
    from caller_server.runtime import open_runtime

    settings = _settings(args)
    if settings.public_url is None and settings.host in WILDCARDS:
        settings.public_url = lan_url(settings.port, "https" if settings.tls else "http")
        print(f"public URL (printed on tickets): {settings.public_url}", file=sys.stderr)
    rt = open_runtime(settings)
    certificate = tls.paths(rt.settings.home)
    if rt.settings.tls and not certificate.cert.exists():
        rt.close()
        raise SetupError(f"no TLS certificate at {certificate.cert}: run `yihao init` first")
    try:
        uvicorn.Server(server_config(rt)).run()
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


def cmd_token_list(args: argparse.Namespace) -> int:
    from caller_server.services import admin

    def work(rt: Runtime) -> int:
        now = rt.ctx.clock()
        for token in admin.tokens(rt.ctx):
            if token.revoked:
                state = "revoked"
            elif token.expires_at is not None and token.expires_at <= now:
                state = "expired"
            elif token.expires_at is not None:
                state = f"until {rt.ctx.local(token.expires_at):%Y-%m-%d %H:%M}"
            else:
                state = "active"
            counter = f" counter {token.counter}" if token.counter else ""
            print(f"{token.id:>5}  {token.role:<8}{counter}  {token.label}  [{state}]")
        return 0

    return _with_runtime(args, work)


def cmd_token_revoke(args: argparse.Namespace) -> int:
    from caller_server.services import admin

    def work(rt: Runtime) -> int:
        if not any(t.id == args.id for t in admin.tokens(rt.ctx)):
            print(f"error: no token {args.id} (see `yihao token list`)", file=sys.stderr)
            return 2
        admin.revoke_token(rt.ctx, args.id, "cli")
        print(f"token {args.id} revoked (every server process refuses it now)")
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


def cmd_purge(args: argparse.Namespace) -> int:
    from caller_server.services import privacy

    def work(rt: Runtime) -> int:
        purged = privacy.purge(rt.ctx, "cli")
        days = rt.hall.rules.retention_days
        print(
            f"erased personal fields older than {days} days: {purged.tickets} tickets, "
            f"{purged.appointments} appointments, {purged.day_keys} day keys"
        )
        return 0

    return _with_runtime(args, work)


def cmd_device(args: argparse.Namespace) -> int:
    from caller_server.push import devicecli

    return _with_runtime(args, lambda rt: devicecli.run(rt, args))


def cmd_demo(args: argparse.Namespace) -> int:
    from caller_server.demo import run_demo

    return run_demo(duration=args.duration, port=args.port, speed=args.speed)


def _store_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, help="hall TOML (default: data dir, else sample)")
    parser.add_argument("--db", help="database URL (default: SQLite in the data directory)")
    parser.add_argument(
        "--secret-file",
        dest="secret_file",
        type=Path,
        help="hall secret (default: $YIHAO_SECRET_FILE, else hall.secret in the data dir)",
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="yihao", description="一号 — hall queue server")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True)

    def command(
        name: str, fn: Callable[[argparse.Namespace], int], help: str
    ) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help)
        _store_arguments(p)
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
        "--body-limit-kib", dest="body_limit", type=int, help="largest JSON body (default 64)"
    )
    serve.add_argument(
        "--import-limit-kib", dest="import_limit", type=int, help="largest CSV import (4096)"
    )
    serve.add_argument(
        "--header-timeout", type=float, help="seconds to send request headers (default 10)"
    )
    serve.add_argument(
        "--ws-per-address",
        type=int,
        help="event-stream subscriptions one client address may hold (default 32)",
    )
    serve.add_argument(
        "--tls", action="store_true", default=None, help="HTTPS/WSS with the hall certificate"
    )

    token = sub.add_parser("token", help="bearer tokens").add_subparsers(dest="sub", required=True)
    create = token.add_parser("create", help="create a token; printed as the last line")
    _store_arguments(create)
    create.add_argument("--role", required=True, choices=["kiosk", "clerk", "manager", "admin"])
    create.add_argument("--counter", type=int, help="the clerk's counter")
    create.add_argument("--label", help="what the token is for")
    create.set_defaults(fn=cmd_token)
    listing = token.add_parser("list", help="every token: role, label, active/expired/revoked")
    _store_arguments(listing)
    listing.set_defaults(fn=cmd_token_list)
    revoke = token.add_parser("revoke", help="revoke a token by its id (see list)")
    revoke.add_argument("id", type=int)
    _store_arguments(revoke)
    revoke.set_defaults(fn=cmd_token_revoke)

    user = sub.add_parser("user", help="users").add_subparsers(dest="sub", required=True)
    add = user.add_parser("add", help="add a user (asks for the password)")
    add.add_argument("username")
    _store_arguments(add)
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

    command("purge", cmd_purge, "erase personal fields past the retention period (rules)")
    device = sub.add_parser("device", help="output devices (screens, wall, announcers)")
    device_sub = device.add_subparsers(dest="sub", required=True)
    for name, help_text in (
        ("list", "devices found on the LAN, paired or not, online or not"),
        ("pair", "pair with the PIN the device shows"),
        ("unpair", "forget a device's key"),
    ):
        p = device_sub.add_parser(name, help=help_text)
        _store_arguments(p)
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
    except Exception as exc:
        problem = _database_problem(args, exc)
        if problem is None:
            raise
        print(problem, file=sys.stderr)
    return 2


def _database_problem(args: argparse.Namespace, exc: Exception) -> str | None:
    """One clear line for a database that cannot be opened or written, else None."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import DBAPIError

    from caller_server.store.engine import describe

    if not isinstance(exc, DBAPIError):
        return None
    url = make_url(_settings(args).database_url)
    where = url.database if url.drivername.startswith("sqlite") else url.render_as_string()
    return (
        f"错误：无法使用数据库 {where}\n"
        f"error: cannot use the database {where} ({describe(exc)}).\n"
        "Check that it exists (run `yihao init`), that this user may read and write the file "
        "and its directory, and that the disk has space; for PostgreSQL, that the server runs "
        "and the role and password in --db are right."
    )


if __name__ == "__main__":
    sys.exit(main())
