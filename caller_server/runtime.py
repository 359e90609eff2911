"""Wiring (Cosmic Python's bootstrap): engine, units of work, services context, writer thread."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import ParamSpec, TypeVar

from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import DBAPIError

from caller_server.domain.hall import Hall, load_hall
from caller_server.passwords import PasswordWorker
from caller_server.services.context import ServiceContext
from caller_server.settings import Settings, load_secret, restrict
from caller_server.store import migrate
from caller_server.store import tables as t
from caller_server.store.engine import is_disk_full, make_engine
from caller_server.store.repository import UnitOfWork
from caller_server.store.sql import SqlUnitOfWork
from caller_server.writer import BatchWriter

log = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")


class Runtime:
    """One server process: its database engine, its hall and its single writer thread.

    Writes run one at a time on the writer thread (no lock contention inside the
    process); the database lock orders them across processes. Reads run on a pool.
    """

    def __init__(self, settings: Settings, hall: Hall, engine: Engine, secret: bytes) -> None:
        self.settings = settings
        self.hall = hall
        self.engine = engine
        self.ctx = ServiceContext(
            hall=hall,
            unit=self._unit,
            secret=secret,
            public_url=settings.base_url,
            on_commit=self._committed,
        )
        self.listeners: list[Callable[[], None]] = []
        """Called (on the writer thread) after each commit that appended events."""
        self._writer = BatchWriter(partial(self._unit_outside_batch, write=True))
        self._readers = ThreadPoolExecutor(8, thread_name_prefix="yihao-reader")
        self.passwords = PasswordWorker()
        """argon2 runs in a process of its own at nice 19 (:mod:`caller_server.passwords`)."""
        self._slow = ThreadPoolExecutor(1, thread_name_prefix="yihao-passwords")

    def _unit_outside_batch(self, *, write: bool) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine, self.hall.timezone, write=write)

    def _unit(self, *, write: bool) -> UnitOfWork:
        batch = self._writer.current_batch() if write else None
        return batch.nested() if batch else self._unit_outside_batch(write=write)

    def _notify(self) -> None:
        for listener in self.listeners:
            listener()

    def _committed(self, _seq: int) -> None:
        if self._writer.current_batch() is not None:
            self._writer.after_commit(self._notify)
        else:
            self._notify()

    async def write(self, fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        """Run a writing use case on the writer thread; returns once it is durable."""
        future = self._writer.submit(partial(fn, *args, **kwargs))
        try:
            result: R = await asyncio.wrap_future(future)
        except DBAPIError as exc:
            self.ctx.write_failure = "disk_full" if is_disk_full(exc) else "database_error"
            raise
        self.ctx.write_failure = None
        return result

    async def read(self, fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._readers, partial(fn, *args, **kwargs))

    async def slow(self, fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        """Run password work on its own single thread, which waits for :attr:`passwords`:
        a flood of logins queues there and never takes the readers the kiosks need."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._slow, partial(fn, *args, **kwargs))

    def close(self) -> None:
        self._writer.close()
        self._readers.shutdown(wait=True)
        self._slow.shutdown(wait=True)
        self.passwords.close()
        self.engine.dispose()


def sync_hall(engine: Engine, hall: Hall) -> None:
    """Mirror the configured categories into the database (names for reports)."""
    with engine.begin() as conn:
        known = {row[0] for row in conn.execute(select(t.categories.c.code))}
        for code, category in hall.categories.items():
            if code not in known:
                conn.execute(insert(t.categories).values(code=code, name=category.names.zh_cn))


def initialise(settings: Settings) -> Hall:
    """``yihao init``: schema, hall lock row, categories. Idempotent."""
    hall = load_hall(settings.hall_file)
    engine = make_engine(settings.database_url)
    try:
        migrate.upgrade(engine, hall.id)
        sync_hall(engine, hall)
    finally:
        engine.dispose()
    restrict(settings.home, settings.sqlite_file)
    return hall


def open_runtime(settings: Settings) -> Runtime:
    """Start-up for ``yihao serve``: the schema must be current and the secret present."""
    hall = load_hall(settings.hall_file)
    secret = load_secret(settings.home, settings.secret_file)
    engine = make_engine(settings.database_url)
    migrate.check(engine)
    log.info("hall %s on %s", hall.id, engine.url.render_as_string(hide_password=True))
    if hall.unserved:
        log.warning(
            "no counter serves %s: no tickets are issued for them", ", ".join(sorted(hall.unserved))
        )
    return Runtime(settings, hall, engine, secret)
