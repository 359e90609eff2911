"""Database engines: SQLite (WAL, synchronous=FULL) by default, PostgreSQL through psycopg 3."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

log = logging.getLogger(__name__)

WRITE = "yihao_write"
"""Execution option: this connection's transaction writes (takes the hall lock first)."""


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def make_engine(url: str) -> Engine:
    """An engine for ``url`` with the settings yihao relies on."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=8,
            max_overflow=8,
            hide_parameters=True,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    if url.startswith("postgresql") and "+" not in url.split(":", 1)[0]:
        url = url.replace("postgresql", "postgresql+psycopg", 1)
    return create_engine(url, pool_size=8, max_overflow=8, pool_pre_ping=True, hide_parameters=True)


def describe(exc: BaseException) -> str:
    """An error for the log: its class and the driver's error code, never statement or values.

    Bound parameters hold ticket tokens and person keys, and a driver's message may quote a
    row; neither belongs in a log file.
    """
    if isinstance(exc, DBAPIError):
        original = exc.orig
        code = getattr(original, "sqlstate", None) or getattr(original, "sqlite_errorname", None)
        kind = type(original) if original is not None else type(exc)
        name = f"{kind.__module__}.{kind.__name__}"
        return f"{type(exc).__name__} ({name}{f', {code}' if code else ''})"
    return type(exc).__name__


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Take transaction control from the driver so BEGIN IMMEDIATE can be issued.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    for pragma in (
        "journal_mode=WAL",
        "synchronous=FULL",
        "foreign_keys=ON",
        "busy_timeout=30000",
    ):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    # A writer takes the database write lock at BEGIN: no lock upgrade, no deadlock
    # between two processes that both read first.
    mode = "IMMEDIATE" if conn.get_execution_options().get(WRITE) else "DEFERRED"
    conn.exec_driver_sql(f"BEGIN {mode}")


DISK_FULL_SQLSTATE = "53100"
"""PostgreSQL ``disk_full``."""


def is_disk_full(exc: BaseException) -> bool:
    """Whether a database error says the disk is full, from its class and code (never its text)."""
    original = exc.orig if isinstance(exc, DBAPIError) else exc
    if getattr(original, "sqlstate", None) == DISK_FULL_SQLSTATE:
        return True
    return getattr(original, "sqlite_errorname", None) == "SQLITE_FULL"
