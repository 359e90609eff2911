"""Numbering and calling under concurrency, on SQLite and PostgreSQL, in one and two processes."""

from __future__ import annotations

import random
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from caller_server.domain.hall import load_hall
from caller_server.protocol import IdentityIn
from caller_server.services import auth, counters, tickets
from caller_server.services.context import ServiceContext
from caller_server.store import tables as t
from caller_server.store.engine import make_engine
from tests.serverkit import REPO, ServerProcess, dispose_engines, free_port, id_number, sql_context

THREADS, PER_THREAD = 8, 250
BIG_HALL = """
[hall]
id = "big"
name = "压力测试大厅"
[[categories]]
code = "A"
name = "甲类"
daily_cap = 9999
[[categories]]
code = "B"
name = "乙类"
daily_cap = 9999
[[categories]]
code = "D"
name = "咨询"
daily_cap = 9999
id_required = false
""" + "".join(
    f"[[counters]]\nnumber = {n}\ncategories = {list('ABD'[n % 3 :] + 'ABD'[: n % 3])}\n"
    for n in range(1, 9)
)


def _hall_file(tmp: Path) -> Path:
    path = tmp / "big.toml"
    path.write_text(BIG_HALL, encoding="utf-8")
    return path


def _identity(thread: int, i: int) -> IdentityIn | None:
    if i % 3 == 2:
        return None
    rng = random.Random(thread * 10_000 + i)
    return IdentityIn(id_number=id_number(rng, 30), name="王五", source="card")


def _category(i: int) -> str:
    return "ABD"[i % 3]


def _run(
    kiosks: list[Callable[[], None]], clerks: list[Callable[[], None]], done: threading.Event
) -> list[BaseException]:
    """Clerks call until every kiosk has finished; errors from any thread are collected."""
    errors: list[BaseException] = []

    def guard(fn: Callable[[], None]) -> None:
        try:
            fn()
        except BaseException as exc:  # collected and asserted on by the test
            errors.append(exc)

    calling = [threading.Thread(target=guard, args=(w,)) for w in clerks]
    issuing = [threading.Thread(target=guard, args=(w,)) for w in kiosks]
    for th in calling + issuing:
        th.start()
    for th in issuing:
        th.join(240)
    done.set()
    for th in calling:
        th.join(60)
    return errors


def _check_database(url: str, expected: int) -> None:
    """Distinct numbers, no gaps per category, each ticket called at most once."""
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(select(t.tickets.c.id, t.tickets.c.number, t.tickets.c.category)).all()
        calls = Counter(
            r[0]
            for r in conn.execute(select(t.events.c.ticket_id).where(t.events.c.kind == "called"))
        )
        seqs = [r[0] for r in conn.execute(select(t.events.c.seq).order_by(t.events.c.seq))]
    engine.dispose()
    numbers = [r[1] for r in rows]
    assert len(numbers) == expected
    assert len(set(numbers)) == expected, "a number was issued twice"
    for code in "ABD":
        seq = sorted(int(r[1][1:]) for r in rows if r[2] == code)
        assert seq == list(range(1, len(seq) + 1)), f"category {code} numbering has gaps"
    assert max(calls.values()) == 1, "a ticket was called twice"
    assert seqs == list(range(1, len(seqs) + 1)), "event sequence has gaps"


def test_threads_issue_and_call_in_process(db_url: str, tmp_path: Path) -> None:
    hall = load_hall(_hall_file(tmp_path))
    ctx: ServiceContext = sql_context(db_url, hall)
    issued: list[str] = []
    called: list[str] = []
    done = threading.Event()

    def kiosk(n: int) -> Callable[[], None]:
        def work() -> None:
            for i in range(PER_THREAD):
                out = tickets.issue(ctx, _category(i), _identity(n, i), f"k{n}", "test")
                assert out.outcome == "new"
                issued.append(out.number)

        return work

    def clerk(n: int) -> Callable[[], None]:
        def work() -> None:
            while not done.is_set():
                out = counters.call_next(ctx, n, "test")
                if out.ticket:
                    called.append(out.ticket.number)
                else:
                    time.sleep(0.005)

        return work

    errors = _run([kiosk(n) for n in range(THREADS)], [clerk(n) for n in range(1, 9)], done)
    dispose_engines()
    assert not errors, errors[:3]
    assert len(set(issued)) == THREADS * PER_THREAD
    assert len(called) == len(set(called)), "a ticket was called twice"
    assert called, "the clerks called nobody"
    _check_database(db_url, THREADS * PER_THREAD)


def _init(home: Path, db_url: str, hall: Path) -> None:
    env = {"YIHAO_HOME": str(home), "PATH": "/usr/bin:/bin"}
    subprocess.run(
        [sys.executable, "-m", "caller_server.cli", "init", "--db", db_url, "--config", str(hall)],
        env=env,
        cwd=REPO,
        check=True,
        capture_output=True,
    )


def test_two_server_processes_share_one_database(
    db_url: str, tmp_path: Path, yihao_home: Path
) -> None:
    hall_path = _hall_file(tmp_path)
    _init(yihao_home, db_url, hall_path)
    ctx = sql_context(db_url, load_hall(hall_path))
    kiosk_token = auth.create_token(ctx, "kiosk", None, "test kiosk")
    clerk_tokens = {n: auth.create_token(ctx, "clerk", n, f"c{n}") for n in range(1, 9)}
    dispose_engines()
    servers = [
        ServerProcess(yihao_home, db_url, free_port(), tmp_path / f"server{i}.log") for i in (0, 1)
    ]
    for s in servers:
        s.start()
    done = threading.Event()
    called: list[str] = []
    try:

        def kiosk(n: int) -> Callable[[], None]:
            def work() -> None:
                headers = {"Authorization": f"Bearer {kiosk_token}"}
                with httpx.Client(base_url=servers[n % 2].url, headers=headers, timeout=30) as c:
                    for i in range(PER_THREAD):
                        ident = _identity(n, i)
                        body = {"category": _category(i), "kiosk_id": f"k{n}"}
                        if ident:
                            body["identity"] = ident.model_dump(mode="json", exclude_none=True)
                        r = c.post("/api/v1/tickets", json=body)
                        assert r.status_code == 201, r.text

            return work

        def clerk(n: int) -> Callable[[], None]:
            def work() -> None:
                headers = {"Authorization": f"Bearer {clerk_tokens[n]}"}
                with httpx.Client(base_url=servers[n % 2].url, headers=headers, timeout=30) as c:
                    while not done.is_set():
                        r = c.post(f"/api/v1/counters/{n}/call-next")
                        assert r.status_code == 200, r.text
                        if r.json()["ticket"]:
                            called.append(r.json()["ticket"]["number"])
                        else:
                            time.sleep(0.01)

            return work

        errors = _run([kiosk(n) for n in range(THREADS)], [clerk(n) for n in range(1, 9)], done)
        assert not errors, errors[:3]
    finally:
        done.set()
        for s in servers:
            s.stop()
    assert called and len(called) == len(set(called)), "a ticket was called twice"
    _check_database(db_url, THREADS * PER_THREAD)


@pytest.mark.parametrize("kill_after", [1.5])
def test_sigkill_mid_load_loses_no_acknowledged_ticket(
    db_url: str, tmp_path: Path, yihao_home: Path, kill_after: float
) -> None:
    hall_path = _hall_file(tmp_path)
    _init(yihao_home, db_url, hall_path)
    ctx = sql_context(db_url, load_hall(hall_path))
    token = auth.create_token(ctx, "kiosk", None, "crash kiosk")
    dispose_engines()
    server = ServerProcess(yihao_home, db_url, free_port(), tmp_path / "crash.log")
    server.start()
    acknowledged: list[tuple[str, str]] = []
    stop = threading.Event()

    def kiosk(n: int) -> Callable[[], None]:
        def work() -> None:
            headers = {"Authorization": f"Bearer {token}"}
            with httpx.Client(base_url=server.url, headers=headers, timeout=5) as c:
                i = 0
                while not stop.is_set():
                    try:
                        r = c.post("/api/v1/tickets", json={"category": "D", "kiosk_id": f"k{n}"})
                    except httpx.HTTPError:
                        return  # the server is gone
                    if r.status_code == 201:
                        acknowledged.append((r.json()["number"], r.json()["token"]))
                    i += 1

        return work

    threads = [threading.Thread(target=kiosk(n)) for n in range(4)]
    for th in threads:
        th.start()
    time.sleep(kill_after)
    server.kill()
    stop.set()
    for th in threads:
        th.join(30)
    assert len(acknowledged) > 20, "too little load before the kill"
    server.start()
    try:
        with httpx.Client(base_url=server.url, timeout=10) as c:
            for number, tok in acknowledged:
                r = c.get(f"/api/v1/tickets/{tok}")
                assert r.status_code == 200 and r.json()["number"] == number
            headers = {"Authorization": f"Bearer {token}"}
            after = c.post("/api/v1/tickets", json={"category": "D"}, headers=headers)
            assert after.status_code == 201
    finally:
        server.stop()
    highest = max(int(n[1:]) for n, _ in acknowledged)
    assert int(after.json()["number"][1:]) > highest
    engine = make_engine(db_url)
    with engine.connect() as conn:
        numbers = sorted(int(r[0][1:]) for r in conn.execute(select(t.tickets.c.number)))
    engine.dispose()
    assert numbers == list(range(1, len(numbers) + 1)), "numbering skipped or repeated after crash"
