"""Helpers for caller-server tests: clocks, contexts on fake and real stores, server processes."""

from __future__ import annotations

import itertools
import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import Engine, text

from caller_server.domain.hall import SAMPLE_HALL, Hall, load_hall
from caller_server.domain.identity import check_character
from caller_server.protocol import IdentityIn
from caller_server.runtime import initialise
from caller_server.services.context import ServiceContext
from caller_server.settings import Settings, create_secret
from caller_server.store import migrate
from caller_server.store import tables as t
from caller_server.store.engine import make_engine
from caller_server.store.fake import FakeStore
from caller_server.store.sql import SqlUnitOfWork

SHANGHAI = ZoneInfo("Asia/Shanghai")
SECRET = b"s" * 32
REPO = Path(__file__).resolve().parent.parent


class FakeClock:
    """A settable clock; starts on a Friday morning in the hall's time zone."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = (start or datetime(2026, 11, 27, 9, 0, tzinfo=SHANGHAI)).timestamp()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def sample_hall() -> Hall:
    return load_hall(SAMPLE_HALL)


def fake_context(hall: Hall, clock: FakeClock) -> ServiceContext:
    store = FakeStore(hall.timezone)
    return ServiceContext(hall=hall, unit=store.unit, secret=SECRET, clock=clock)


def reset_database(url: str) -> None:
    """Drop every yihao table (PostgreSQL tests share one database)."""
    engine = make_engine(url)
    with engine.begin() as conn:
        t.metadata.drop_all(conn)
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()


_engines: list[Engine] = []


def dispose_engines() -> None:
    """Close the pools opened by :func:`sql_context`."""
    while _engines:
        _engines.pop().dispose()


def sql_context(url: str, hall: Hall, clock: FakeClock | None = None) -> ServiceContext:
    engine = make_engine(url)
    _engines.append(engine)
    migrate.upgrade(engine, hall.id)

    def unit(*, write: bool) -> SqlUnitOfWork:
        return SqlUnitOfWork(engine, hall.timezone, write=write)

    return ServiceContext(
        hall=hall, unit=unit, secret=SECRET, clock=clock or time.time, public_url="http://t"
    )


def initialised(home: Path, url: str) -> ServiceContext:
    """``yihao init`` of the data directory ``home`` on the database ``url`` (a new hall
    secret), and a services context on it; call :func:`dispose_engines` when done."""
    create_secret(home)
    initialise(Settings(home=home, db_url=url))
    return sql_context(url, sample_hall())


def id_number(rng: random.Random, age: int, year: int = 2026) -> str:
    """A valid fake resident ID number of someone ``age`` years old on 2026-12-31."""
    body = f"410104{year - age:04d}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    body += f"{rng.randint(0, 999):03d}"
    return body + check_character(body)


def identity(rng: random.Random, age: int = 35) -> IdentityIn:
    return IdentityIn(id_number=id_number(rng, age), name="张三丰", source="card")


def distinct_identities(first_birthday: date = date(1980, 1, 1)) -> Iterator[IdentityIn]:
    """Card identities of different people (one born each day from ``first_birthday``):
    none of them is refused as a repeated tap, however many are drawn."""
    for n in itertools.count():
        body = f"410104{first_birthday + timedelta(days=n):%Y%m%d}{n % 1000:03d}"
        yield IdentityIn(id_number=body + check_character(body), name="张三丰", source="card")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def tmpfs(mount: Path, size: str = "4m") -> Iterator[Path]:
    """A small tmpfs mounted at ``mount`` for the test's life (root only; skips otherwise)."""
    mount.mkdir(exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


@dataclass
class ServerProcess:
    """A real ``yihao serve`` subprocess on a loopback port."""

    home: Path
    db_url: str
    port: int
    log_path: Path
    extra_args: tuple[str, ...] = ()
    """More ``yihao serve`` options (``--mdns 127.0.0.1`` …)."""
    config: Path | None = None
    """Hall TOML passed as ``--config``."""
    verbose: bool = False
    """``yihao -v serve``: debug logging."""
    grace: float = 15.0
    """Seconds ``stop`` waits after SIGTERM before it sends SIGKILL."""
    proc: subprocess.Popen[bytes] | None = None
    tls: bool = False
    """Started with ``--tls``: HTTPS with the hall's self-signed certificate."""

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> None:
        env = {**os.environ, "YIHAO_HOME": str(self.home), "PYTHONUNBUFFERED": "1"}
        cmd = [sys.executable, "-m", "caller_server.cli"] + (["-v"] if self.verbose else [])
        cmd += ["serve", "--db", self.db_url, "--port", str(self.port), *self.extra_args]
        cmd += ["--tls"] if self.tls else []
        if self.config is not None:
            cmd += ["--config", str(self.config)]
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                cmd, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=REPO
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log_path.read_text()[-2000:]}")
            try:
                healthz = httpx.get(f"{self.url}/healthz", timeout=1, verify=False)
                if healthz.status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.kill()
        raise RuntimeError("server did not become healthy")

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(self.grace)
            except subprocess.TimeoutExpired:
                self.kill()
