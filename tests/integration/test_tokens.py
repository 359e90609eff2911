"""Tokens that end and logins that cannot stall the hall, through real ``yihao serve`` processes.

- a revoked token is refused at once by every server process on the database (two here);
- ``yihao token list`` / ``revoke`` and the admin API;
- failed logins are limited per name and per address (429 with Retry-After), with an audit
  event when a name is locked;
- a login flood from many addresses does not stall issuing (argon2 runs in a process of its
  own at the lowest priority, one lane, within a budget of checks a second): issue p99 under
  the flood stays within 2x of p99 without it.
"""

from __future__ import annotations

import itertools
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from caller_server.services import auth
from caller_server.store import tables as t
from caller_server.store.engine import make_engine
from tests.serverkit import (
    REPO,
    ServerProcess,
    dispose_engines,
    distinct_identities,
    free_port,
    initialised,
)

PASSWORD = "correct horse battery"


@pytest.fixture
def servers(yihao_home: Path, tmp_path: Path) -> Iterator[tuple[list[ServerProcess], str]]:
    url = f"sqlite:///{yihao_home / 'yihao.db'}"
    ctx = initialised(yihao_home, url)
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
import json, socket, sys, threading
host, port = sys.argv[1], int(sys.argv[2])
stop, codes = threading.Event(), []
def guess(worker):
    while not stop.wait(0.1):
        n = len(codes)  # each guess from another loopback address: no per-address lock helps
        source = f"127.{1 + worker}.{n // 250 % 250}.{n % 250 + 2}"
        body = json.dumps({"username": f"user{worker}-{n}", "password": "guess-guess"}).encode()
        head = (
            f"POST /api/v1/auth/login HTTP/1.1\\r\\nHost: {host}:{port}\\r\\n"
            f"Content-Type: application/json\\r\\nContent-Length: {len(body)}\\r\\n"
            "Connection: close\\r\\n\\r\\n"
        ).encode()
        with socket.create_connection((host, port), timeout=30, source_address=(source, 0)) as s:
            s.sendall(head + body)
            answer = b""
            while chunk := s.recv(4096):
                answer += chunk
        codes.append(int(answer.split(b" ", 2)[1]))
threads = [threading.Thread(target=guess, args=(i,)) for i in range(4)]
for t in threads: t.start()
sys.stdin.read()
stop.set()
for t in threads: t.join()
print(*codes)
"""
"""An attacker's process: 4 clients, each up to 10 guesses a second, each guess from another
loopback address (a botnet: only the process's budget of password checks holds it back),
until stdin closes. Plain sockets: the attacking machines' CPU is not the server's, so
simulating them costs this machine little."""


def _p99(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=100)[98]


def _nice(pid: int) -> int:
    """The nice value of process ``pid`` (field 19 of /proc/PID/stat)."""
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[16])


def _children(pid: int) -> dict[int, str]:
    """The command line of each child of process ``pid``."""
    children = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                cmdline = (stat.parent / "cmdline").read_bytes()
                children[int(stat.parent.name)] = cmdline.replace(b"\0", b" ").decode()
        except (OSError, ValueError):
            continue  # ended meanwhile
    return children


@pytest.fixture
def server_in_memory(yihao_home: Path, tmp_path: Path) -> Iterator[tuple[ServerProcess, str]]:
    """One server whose SQLite database lives on a tmpfs (/dev/shm): the latency of the
    machine's disk (an fsync of 50-400 ms now and then on this VM, in either phase) is not
    what the flood test measures."""
    if not Path("/dev/shm").is_dir():
        pytest.skip("no /dev/shm tmpfs on this machine")
    with tempfile.TemporaryDirectory(dir="/dev/shm", prefix="yihao-flood-") as ram:
        url = f"sqlite:///{ram}/yihao.db"
        admin = auth.create_token(initialised(yihao_home, url), "admin", None, "admin")
        dispose_engines()
        proc = ServerProcess(yihao_home, url, free_port(), tmp_path / "server.log", grace=3)
        proc.start()
        try:
            yield proc, admin
        finally:
            proc.stop()


def test_a_login_flood_does_not_stall_issuing(
    server_in_memory: tuple[ServerProcess, str],
) -> None:
    a, admin = server_in_memory
    kiosk = httpx.Client(base_url=a.url, headers=_bearer(admin), timeout=30)
    citizens = distinct_identities()
    categories = itertools.cycle("ABCD")  # 500 a day each: room for three measurements

    def issue_latencies(n: int) -> list[float]:
        times = []
        for _ in range(n):
            body = {"category": next(categories), "identity": next(citizens).model_dump()}
            started = time.perf_counter()
            response = kiosk.post("/api/v1/tickets", json=body)
            times.append(time.perf_counter() - started)
            assert response.status_code == 201, response.text
        return times

    def measure() -> tuple[list[float], list[float], list[int]]:
        """Six quiet and six flooded phases of 50 tickets, alternating, so that a burst of
        load from elsewhere on the machine lands on both sides rather than on one."""
        quiet: list[float] = []
        busy: list[float] = []
        codes: list[int] = []
        for _ in range(6):
            quiet += issue_latencies(50)
            # The attacker stands for machines on the LAN: its own CPU use (at the lowest
            # priority here) is not the server's. The server's share is what is measured.
            flood = subprocess.Popen(
                ["nice", "-n", "19", sys.executable, "-c", FLOOD, "127.0.0.1", str(a.port)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            try:
                time.sleep(1.0)
                busy += issue_latencies(50)
            finally:
                out, _ = flood.communicate("", timeout=60)
            codes += [int(code) for code in out.split()]
        return quiet, busy, codes

    issue_latencies(20)  # warm up
    reports = []
    try:
        # A p99 of 300 samples is their fourth-slowest: one hiccup of a shared runner
        # (another test's process exiting, the VM's host) can decide it. Up to three
        # measurements; a flood that really slows issuing (argon2 on the writer stopped it
        # for seconds) fails all three.
        for _ in range(3):
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
    assert a.proc is not None
    workers = [
        pid for pid, cmd in _children(a.proc.pid).items() if "caller_server.passwords" in cmd
    ]
    assert len(workers) == 1 and _nice(workers[0]) == 19  # argon2 runs apart, and yields
    assert with_flood <= 2 * without, reports


def test_logins_go_on_when_the_password_process_is_killed(
    servers: tuple[list[ServerProcess], str],
) -> None:
    (a, _b), _admin = servers
    assert a.proc is not None
    with httpx.Client(base_url=a.url, timeout=30) as http:

        def login() -> int:
            body = {"username": "li", "password": PASSWORD}
            return http.post("/api/v1/auth/login", json=body).status_code

        assert login() == 200
        (worker,) = [p for p, cmd in _children(a.proc.pid).items() if "passwords" in cmd]
        os.kill(worker, signal.SIGKILL)
        assert login() == 200  # a new worker answers
        (replacement,) = [p for p, cmd in _children(a.proc.pid).items() if "passwords" in cmd]
        assert replacement != worker and _nice(replacement) == 19
    assert "the password process ended" in a.log_path.read_text()
