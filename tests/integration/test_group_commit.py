"""Group commit on the writer thread: one failing use case rolls back alone."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from caller_server.domain.events import Event, EventKind
from caller_server.runtime import Runtime, initialise, open_runtime
from caller_server.services import tickets
from caller_server.settings import Settings, create_secret
from caller_server.store import tables as t
from caller_server.store.engine import describe


class Boom(Exception):
    pass


def _failing_job(rt: Runtime) -> None:
    with rt.ctx.unit(write=True) as uow:
        uow.repo.append(Event(kind=EventKind.ALERT, at=rt.ctx.clock(), actor="test"))
        raise Boom("after writing an event")


@pytest.fixture
def runtime(yihao_home: Path, db_url: str) -> Runtime:
    settings = Settings(home=yihao_home, db_url=db_url)
    create_secret(yihao_home)
    initialise(settings)
    return open_runtime(settings)


def test_a_failing_job_does_not_take_its_batch_down(runtime: Runtime) -> None:
    gate = threading.Event()
    ctx = runtime.ctx

    async def scenario() -> list[object]:
        blocker = asyncio.ensure_future(runtime.write(gate.wait, 10))
        await asyncio.sleep(0.1)  # the writer is now inside the blocker's batch
        jobs = [
            asyncio.ensure_future(runtime.write(tickets.issue, ctx, "D", None, "k", "test")),
            asyncio.ensure_future(runtime.write(_failing_job, runtime)),
            asyncio.ensure_future(runtime.write(tickets.issue, ctx, "D", None, "k", "test")),
        ]
        await asyncio.sleep(0.1)  # all three queued: they share the next commit
        gate.set()
        await blocker
        return await asyncio.gather(*jobs, return_exceptions=True)

    try:
        first, failed, third = asyncio.run(scenario())
    finally:
        runtime.close()
    assert isinstance(failed, Boom)
    assert [first.number, third.number] == ["D001", "D002"]  # type: ignore[attr-defined]
    with runtime.engine.connect() as conn:
        kinds = [r[0] for r in conn.execute(select(t.events.c.kind).order_by(t.events.c.seq))]
        seqs = [r[0] for r in conn.execute(select(t.events.c.seq).order_by(t.events.c.seq))]
    assert kinds == ["issued", "issued"]
    assert seqs == [1, 2]


def test_the_writer_survives_a_failing_after_commit_callback(
    runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    ctx = runtime.ctx
    calls: list[int] = []

    def broken_listener() -> None:
        calls.append(1)
        raise Boom("in an after-commit callback")

    runtime.listeners.append(broken_listener)

    async def scenario() -> list[str]:
        numbers = []
        for _ in range(3):
            issued = runtime.write(tickets.issue, ctx, "D", None, "k", "test")
            numbers.append((await asyncio.wait_for(issued, timeout=10)).number)
        return numbers

    try:
        numbers = asyncio.run(scenario())
    finally:
        runtime.close()
    assert numbers == ["D001", "D002", "D003"]
    assert len(calls) == 3
    assert "after-commit callback" in caplog.text and "Boom" in caplog.text


def test_database_errors_never_carry_bound_values(runtime: Runtime) -> None:
    secret = "tok-7Kq2xW9a-person-key"
    try:
        with runtime.engine.connect() as conn, pytest.raises(DBAPIError) as caught:
            conn.execute(text("SELECT * FROM no_such_table WHERE token = :v"), {"v": secret})
    finally:
        runtime.close()
    assert secret not in str(caught.value)
    described = describe(caught.value)
    assert secret not in described and "no_such_table" not in described
    assert described.startswith(("OperationalError", "ProgrammingError"))
