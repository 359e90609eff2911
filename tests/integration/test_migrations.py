"""The Alembic migrations build exactly the tables of ``store/tables.py``, on both engines."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from caller_server.store import migrate
from caller_server.store import tables as t
from caller_server.store.engine import make_engine


def test_migrations_match_the_tables(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        migrate.upgrade(engine, "test-hall")
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), t.metadata)
    finally:
        engine.dispose()
    assert diff == []
