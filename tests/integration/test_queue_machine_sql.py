"""The queue state machine on the real stores: a SQLite file and PostgreSQL."""

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings

from caller_server.domain.hall import Hall
from caller_server.services.context import ServiceContext
from tests.queue_machine import QueueMachine
from tests.serverkit import FakeClock, reset_database, sql_context

_TMP = tempfile.TemporaryDirectory(prefix="yihao-machine-")


def _sqlite_context(hall: Hall, clock: FakeClock) -> ServiceContext:
    path = Path(tempfile.mkstemp(suffix=".db", dir=_TMP.name)[1])
    path.unlink()
    return sql_context(f"sqlite:///{path}", hall, clock)


def _pg_context(hall: Hall, clock: FakeClock) -> ServiceContext:
    url = os.environ["YIHAO_TEST_PG"]
    reset_database(url)
    return sql_context(url, hall, clock)


class SqliteQueue(QueueMachine):
    make_context = staticmethod(_sqlite_context)


class PostgresQueue(QueueMachine):
    make_context = staticmethod(_pg_context)


TestQueueOnSqlite = SqliteQueue.TestCase
TestQueueOnSqlite.settings = settings(max_examples=25, stateful_step_count=30, deadline=None)


@pytest.fixture
def _needs_pg(pg_url: str) -> None:
    """Skips (or fails under YIHAO_REQUIRE_ALL) without a PostgreSQL server."""


@pytest.mark.usefixtures("_needs_pg")
class TestQueueOnPostgres(PostgresQueue.TestCase):  # type: ignore[misc,valid-type]
    settings = settings(max_examples=12, stateful_step_count=30, deadline=None)
