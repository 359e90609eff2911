"""A reading unit sees one snapshot: what another process commits meanwhile stays invisible.

The queue snapshot reads the event seq and then the tickets; were they read at two moments
(PostgreSQL's default READ COMMITTED), a WebSocket client could apply an event twice.
"""

from __future__ import annotations

from caller_server.domain.events import Event, EventKind
from caller_server.store import migrate
from caller_server.store.engine import make_engine
from caller_server.store.sql import SqlUnitOfWork
from tests.serverkit import sample_hall


def test_a_reader_does_not_see_commits_made_while_it_reads(db_url: str) -> None:
    hall = sample_hall()
    engine = make_engine(db_url)
    try:
        migrate.upgrade(engine, hall.id)
        reader = SqlUnitOfWork(engine, hall.timezone, write=False)
        before = reader.repo.last_seq()
        writer = SqlUnitOfWork(engine, hall.timezone, write=True)
        writer.repo.append(Event(kind=EventKind.ALERT, at=1.0, actor="test"))
        writer.commit()
        assert reader.repo.last_seq() == before
        reader.rollback()
        fresh = SqlUnitOfWork(engine, hall.timezone, write=False)
        assert fresh.repo.last_seq() == before + 1
        fresh.rollback()
    finally:
        engine.dispose()
