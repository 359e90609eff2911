"""Alembic migrations, applied by ``yihao init`` and checked by ``yihao serve``."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, insert, select

from caller_server.store import tables as t
from caller_server.store.repository import StoreError

log = logging.getLogger(__name__)

_SCRIPTS = Path(__file__).resolve().parent / "migrations"


class SchemaOutOfDate(StoreError):
    def __init__(self, current: str | None, head: str) -> None:
        super().__init__(
            f"database schema is at {current or 'nothing'}, this yihao needs {head}: "
            "run `yihao init` to migrate it"
        )


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(_SCRIPTS))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, hall_id: str) -> None:
    """Bring the schema to the newest revision and make sure the hall lock row exists."""
    config = _config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
        if conn.execute(select(t.hall_lock.c.id)).first() is None:
            conn.execute(insert(t.hall_lock).values(id=1, hall_id=hall_id))
    log.info("database schema at %s", head_revision())


def check(engine: Engine) -> None:
    """Raise :class:`SchemaOutOfDate` unless the database is at the newest revision."""
    current, head = current_revision(engine), head_revision()
    if current != head:
        raise SchemaOutOfDate(current, head)
