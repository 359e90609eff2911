"""Tokens that end and logins that cannot stall the hall, through real ``yihao serve`` processes.

- a revoked token is refused at once by every server process on the database (two here);
- ``yihao token list`` / ``revoke`` and the admin API;
- failed logins are limited per name and per address (429 with Retry-After), with an audit
  event when a name is locked;
- a login flood from many addresses does not stall issuing (argon2 runs on its own
  lowest-priority thread, one lane, within a budget of checks a second): issue p99 under the
  flood stays within 2x of p99 without it.
"""

from __future__ import annotations

import itertools
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from caller_server.runtime import initialise
from caller_server.services import auth
from caller_server.settings import Settings, create_secret
from caller_server.store import tables as t
from caller_server.store.engine import make_engine
from tests.serverkit import (
    REPO,
    ServerProcess,
    dispose_engines,
    free_port,
    identity,
    sample_hall,
    sql_context,
)

PASSWORD = "correct horse battery"


@pytest.fixture
def servers(yihao_home: Path, tmp_path: Path) -> Iterator[tuple[list[ServerProcess], str]]:
    url = f"sqlite:///{yihao_home / 'yihao.db'}"
    create_secret(yihao_home)
    initialise(Settings(home=yihao_home, db_url=url))
    ctx = sql_context(url, sample_hall())
    auth.add_user(ctx, "li", PASSWORD, "manager", None)
    admin = auth.create_token(ctx, "admin", None, "admin")
    dispose_engines()
    procs = [
        ServerProcess(yihao_home, url, free_port(), tmp_path / f"server-{i}.log", grace=3)
        for i in range(2)
    ]
    for proc in procs:
        proc.start()
    try:
        yield procs, admin
    finally:
        for proc in procs:
            proc.stop()


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_revoked_token_is_refused_by_every_process(
    servers: tuple[list[ServerProcess], str], yihao_home: Path
) -> None:
    (a, b), admin = servers
    with httpx.Client(timeout=10) as http:
        login = http.post(
            f"{a.url}/api/v1/auth/login", json={"username": "li", "password": PASSWORD}
        )
        assert login.status_code == 200, login.text
        session = login.json()["token"]
        assert http.get(f"{b.url}/api/v1/stats", headers=_bearer(session)).status_code == 200

        listed = http.get(f"{a.url}/api/v1/tokens", headers=_bearer(admin)).json()
        mine = next(t for t in listed if t["label"] == "login:li")
        assert mine["expires_at"] == pytest.approx(time.time() + 12 * 3600, abs=60)
        assert session not in str(listed)
        assert http.get(f"{a.url}/api/v1/tokens", headers=_bearer(session)).status_code == 403
        revoked = http.post(f"{a.url}/api/v1/tokens/{mine['id']}/revoke", headers=_bearer(admin))
        assert revoked.status_code == 204
        started = time.monotonic()
        while http.get(f"{b.url}/api/v1/stats", headers=_bearer(session)).status_code == 200:
            assert time.monotonic() - started < 3, "process B still accepts a revoked token"
            time.sleep(0.05)
        assert http.get(f"{a.url}/api/v1/stats", headers=_bearer(session)).status_code == 401

    listing = subprocess.run(
        [sys.executable, "-m", "caller_server.cli", "token", "list"],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={"YIHAO_HOME": str(yihao_home), "PATH": "/usr/bin:/bin"},
        timeout=60,
        check=True,
    ).stdout
    assert "login:li  [revoked]" in listing and "admin  [active]" in listing
    revoke_admin = subprocess.run(
        [sys.executable, "-m", "caller_server.cli", "token", "revoke", "1"],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={"YIHAO_HOME": str(yihao_home), "PATH": "/usr/bin:/bin"},
        timeout=60,
        check=False,
    )
    assert revoke_admin.returncode == 0, revoke_admin.stderr
    with httpx.Client(timeout=10) as http:
        started = time.monotonic()
        while http.get(f"{b.url}/api/v1/tokens", headers=_bearer(admin)).status_code != 401:
            assert time.monotonic() - started < 3, "a token revoked from the CLI still works"
            time.sleep(0.05)


def test_failed_logins_are_limited_and_audited(
    servers: tuple[list[ServerProcess], str], yihao_home: Path
) -> None:
    (a, _b), _admin = servers
    url = f"{a.url}/api/v1/auth/login"
    with httpx.Client(timeout=30) as http:

        def attempt(username: str, password: str) -> httpx.Response:
            time.sleep(0.55)  # under the process's budget of two checks a second
            return http.post(url, json={"username": username, "password": password})

        codes = [attempt("li", f"guess-{i}").status_code for i in range(6)]
        assert codes == [401] * 5 + [429]
        throttled = attempt("li", PASSWORD)
        assert throttled.status_code == 429  # even the right password waits
        assert 0 < int(throttled.headers["Retry-After"]) <= 900
        assert throttled.json()["code"] == "too_many_logins"
        assert "分钟后再试" in throttled.json()["detail"]  # the name waits the window
        assert attempt("nobody", "whatever-1").status_code == 401  # another name is not locked
    engine = make_engine(f"sqlite:///{yihao_home / 'yihao.db'}")
    with engine.connect() as conn:
        events = conn.execute(select(t.events.c.kind, t.events.c.data)).all()
    engine.dispose()
    locked = [data for kind, data in events if kind == "login_locked"]
    assert locked == [{"username": "li", "address": "127.0.0.1"}]


FLOOD = """
import sys, threading, httpx
url, stop, codes = sys.argv[1], threading.Event(), []
def guess(worker):
    while not stop.wait(0.1):
        n = len(codes)  # each guess from another loopback address: no per-address lock helps
        source = f"127.{1 + worker}.{n // 250 % 250}.{n % 250 + 2}"
        transport = httpx.HTTPTransport(local_address=source)
        with httpx.Client(base_url=url, timeout=30, transport=transport) as http:
            body = {"username": f"user{worker}-{n}", "password": "guess-guess"}
            codes.append(http.post("/api/v1/auth/login", json=body).status_code)
threads = [threading.Thread(target=guess, args=(i,)) for i in range(4)]
for t in threads: t.start()
sys.stdin.read()
stop.set()
for t in threads: t.join()
print(*codes)
"""
"""An attacker's process: 4 clients, each up to 10 guesses a second, each guess from another
loopback address (a botnet: only the process's budget of password checks holds it back),
until stdin closes."""


def _p99(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=100)[98]


def _nice_values(pid: int) -> list[int]:
    """The nice value of every thread of process ``pid`` (field 19 of /proc/PID/task/TID/stat)."""
    values = []
    for stat in Path(f"/proc/{pid}/task").glob("*/stat"):
        fields = stat.read_text().rsplit(")", 1)[1].split()
        values.append(int(fields[16]))
    return values


def test_a_login_flood_does_not_stall_issuing(servers: tuple[list[ServerProcess], str]) -> None:
    (a, _b), admin = servers
    kiosk = httpx.Client(base_url=a.url, headers=_bearer(admin), timeout=30)
    rng = random.Random(9)
    categories = itertools.cycle("ABCD")  # 500 a day each: room for four measurements

    def issue_latencies(n: int) -> list[float]:
        times = []
        for _ in range(n):
            body = {"category": next(categories), "identity": identity(rng).model_dump()}
            started = time.perf_counter()
            response = kiosk.post("/api/v1/tickets", json=body)
            times.append(time.perf_counter() - started)
            assert response.status_code == 201, response.text
        return times

    def measure() -> tuple[list[float], list[float], list[int]]:
        """Four quiet and four flooded phases, alternating, so that a burst of load from
        elsewhere on the machine lands on both sides rather than on one."""
        quiet: list[float] = []
        busy: list[float] = []
        codes: list[int] = []
        for _ in range(4):
            quiet += issue_latencies(55)
            # The attacker stands for machines on the LAN: its own CPU use (at the lowest
            # priority here) is not the server's. The server's share is what is measured.
            flood = subprocess.Popen(
                ["nice", "-n", "19", sys.executable, "-c", FLOOD, a.url],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            try:
                time.sleep(1.0)
                busy += issue_latencies(55)
            finally:
                out, _ = flood.communicate("", timeout=60)
            codes += [int(code) for code in out.split()]
        return quiet, busy, codes

    issue_latencies(20)  # warm up
    reports = []
    try:
        # A p99 of 220 samples is their third-slowest: one hiccup of a shared runner (an
        # fsync, another test's process exiting) can decide it. Up to four measurements;
        # a flood that really slows issuing (argon2 on the writer stopped it for seconds)
        # fails all four.
        for _ in range(4):
            quiet, busy, codes = measure()
            assert codes.count(401) >= 10  # the flood did reach argon2, one check at a time
            assert codes.count(429) >= 10  # and the process's budget refused the rest
            with_flood, without = _p99(busy) * 1000, _p99(quiet) * 1000
            reports.append(
                f"issue p99 {with_flood:.1f} ms with a login flood, {without:.1f} ms without"
            )
            print(reports[-1])
            if with_flood <= 2 * without:
                break
    finally:
        kiosk.close()
    assert a.proc is not None and 19 in _nice_values(a.proc.pid)  # the argon2 thread yields
    assert with_flood <= 2 * without, reports
