"""Retention: past days lose their personal fields and day keys; their figures stay.

On both engines through the services (a settable clock walks the hall through ten days), and
through ``yihao purge`` and the server's own retention job.
"""

from __future__ import annotations

import random
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import select

from caller_server.services import counters, privacy, queue, tickets
from caller_server.services.context import ServiceContext
from caller_server.store import tables as t
from caller_server.store.engine import make_engine
from tests.serverkit import (
    REPO,
    FakeClock,
    ServerProcess,
    dispose_engines,
    free_port,
    identity,
    sample_hall,
    sql_context,
)

DAY = 86400.0


def _busy_day(ctx: ServiceContext, rng: random.Random) -> None:
    for _ in range(6):
        tickets.issue(ctx, "B", identity(rng), "k1", "test")
    for _ in range(4):
        called = counters.call_next(ctx, 1, "test")
        assert called.ticket is not None
        counters.finish(ctx, 1, "test")


def _personal(url: str) -> tuple[int, int, list[str]]:
    engine = make_engine(url)
    with engine.connect() as conn:
        keyed = conn.execute(select(t.tickets.c.id).where(t.tickets.c.person_key.is_not(None)))
        named = conn.execute(select(t.tickets.c.id).where(t.tickets.c.masked_name.is_not(None)))
        days = conn.execute(select(t.day_keys.c.service_day).order_by(t.day_keys.c.service_day))
        result = (len(keyed.all()), len(named.all()), list(days.scalars()))
    engine.dispose()
    return result


def test_purge_erases_who_and_keeps_every_figure(db_url: str) -> None:
    clock = FakeClock()
    ctx = sql_context(db_url, sample_hall(), clock)
    rng = random.Random(7)
    same = identity(rng)
    days = []
    for _ in range(10):
        days.append(ctx.day(clock.now))
        _busy_day(ctx, rng)
        # one citizen every day, tapping a kiosk that sends an idempotency key
        tickets.issue(ctx, "C", same, "k1", "test", request_id=f"tap-{len(days)}")
        clock.advance(DAY)
    before = {day: queue.stats_rows(ctx, day) for day in days}
    assert _personal(db_url)[2] == days
    engine = make_engine(db_url)
    with engine.connect() as conn:
        column = t.tickets.c.person_key
        keys = conn.execute(select(column).where(t.tickets.c.category == "C")).scalars().all()
    engine.dispose()
    assert len(set(keys)) == 10  # the same person, unlinkable from one day to the next

    purged = privacy.purge(ctx, "test")  # today is day 11; 7 days kept: days 1-3 go
    assert (purged.tickets, purged.day_keys, purged.requests) == (21, 3, 3)
    assert privacy.purge(ctx, "test").day_keys == 0  # idempotent
    keyed, named, kept = _personal(db_url)
    assert kept == days[3:]
    assert keyed == named == 7 * 7
    assert {day: queue.stats_rows(ctx, day) for day in days} == before
    engine = make_engine(db_url)
    with engine.connect() as conn:
        taps = conn.execute(select(t.issue_requests.c.request_id)).scalars().all()
    engine.dispose()
    assert sorted(taps) == sorted(f"tap-{n}" for n in range(4, 11))
    kinds = [e.kind for e in queue.events_since(ctx, 0, 10_000)]
    assert kinds.count("purged") == 1
    dispose_engines()


def test_yihao_purge_and_the_servers_own_job(yihao_home: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{yihao_home / 'yihao.db'}"
    (yihao_home / "hall.secret").write_bytes(b"s" * 32)  # the key tests/serverkit seals with
    old = FakeClock()
    old.now = time.time() - 12 * DAY
    ctx = sql_context(url, sample_hall(), old)
    _busy_day(ctx, random.Random(1))
    old.advance(DAY)
    _busy_day(ctx, random.Random(2))
    today = sql_context(url, sample_hall())
    _busy_day(today, random.Random(3))
    dispose_engines()
    assert len(_personal(url)[2]) == 3

    done = subprocess.run(
        [sys.executable, "-m", "caller_server.cli", "purge", "--db", url],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "12 tickets" in done.stdout and "2 day keys" in done.stdout
    assert _personal(url) == (6, 6, [today.day(time.time())])

    old.advance(DAY)  # another old day: the server erases it by itself at start
    _busy_day(sql_context(url, sample_hall(), old), random.Random(4))
    dispose_engines()
    assert len(_personal(url)[2]) == 2
    server = ServerProcess(yihao_home, url, free_port(), tmp_path / "server.log", grace=5)
    server.start()
    try:
        deadline = time.monotonic() + 20
        while len(_personal(url)[2]) != 1 and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        server.stop()
    assert _personal(url) == (6, 6, [today.day(time.time())])
