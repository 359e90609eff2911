"""API benchmark: issue and call-next throughput and latency over real HTTP.

Starts a real ``yihao serve`` per scenario (fresh data directory and database), drives it
from a separate load-generator process (asyncio; raw HTTP/1.1 over sockets by default, or
``httpx.AsyncClient``) and prints a markdown table. It never asserts on timings.

    .venv/bin/python bench/api.py                  # SQLite and PostgreSQL, 5 s per scenario
    .venv/bin/python bench/api.py --quick --engines sqlite

See docs/benchmarks.md for what each row measures.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import multiprocessing as mp
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # `python bench/api.py` puts bench/, not the repo, on the path
    sys.path.insert(0, str(REPO))

from caller_server.domain.identity import check_character  # noqa: E402
from caller_server.store.repository import UnitOfWork  # noqa: E402

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from caller_server.services.context import ServiceContext
    from tests.serverkit import ServerProcess

DEFAULT_PG = "postgresql+psycopg://yihao:yihao@127.0.0.1:5432/yihao_bench"
CATEGORIES = "ABC"
COUNTERS = 8
HOST = "127.0.0.1"
REQUEST_TIMEOUT = 30.0
"""Seconds before a request without an answer counts as an error."""

# A, B and C as in the sample hall, but with the highest daily cap the hall file allows, so
# 20,000 tickets can wait at once; every counter serves all three with equal weights (weighted
# fair queuing takes them in turn), so the three queues drain evenly and no counter runs dry
# before the hall does.
HALL_TOML = """\
[hall]
id = "bench-hall"
name = "压测政务服务中心"
name_en = "Benchmark Government Service Center"
timezone = "Asia/Shanghai"

[rules]
priority_age = 70
max_active_per_category = 1
max_tickets_per_day = 5
"""
for _code, _name in zip(CATEGORIES, ("投资项目类", "民生服务类", "社会管理类"), strict=True):
    HALL_TOML += f"""
[[categories]]
code = "{_code}"
name = "{_name}"
hours = ["00:00-24:00"]
daily_cap = 9999
id_required = true
service_minutes = 10
"""
for _n in range(1, COUNTERS + 1):
    _cats = ", ".join(f'{{ code = "{c}", weight = 1 }}' for c in CATEGORIES)
    HALL_TOML += f"\n[[counters]]\nnumber = {_n}\ncategories = [{_cats}]\n"
DAILY_CAP = 9999

# --- identities -------------------------------------------------------------------------------

_BORN_FIRST = date(1960, 1, 1)  # everyone is 20–66 in 2026: adults, below the priority age 70
_BORN_DAYS = (date(2005, 12, 31) - _BORN_FIRST).days + 1


def id_number(i: int) -> str:
    """The ``i``-th of 16.8 million distinct, valid resident ID numbers."""
    day, seq = divmod(i, 1000)
    if day >= _BORN_DAYS:
        raise ValueError("out of distinct identities")
    body = f"410104{_BORN_FIRST + timedelta(days=day):%Y%m%d}{seq:03d}"
    return body + check_character(body)


def category_of(i: int) -> str:
    return CATEGORIES[i % len(CATEGORIES)]


# --- the load generator (runs in its own process) ---------------------------------------------


@dataclass(frozen=True)
class Job:
    port: int
    op: str
    """``issue`` or ``call-next``."""
    clients: int
    keepalive: bool
    seconds: float
    warmup: float
    kiosk_token: str
    clerk_tokens: tuple[str, ...]
    """Index ``i`` is the token of counter ``i + 1``."""
    first_identity: int
    backend: str
    """``raw`` (asyncio streams) or ``httpx``."""


@dataclass
class Outcome:
    latencies_ns: list[int] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    failures: int = 0
    """Requests without any HTTP response (connection refused, reset, timeout)."""
    no_ticket: int = 0
    """call-next answers with ``"ticket": null``: the queue ran dry (would flatter the numbers)."""
    sample_error: str = ""
    identities_used: int = 0
    cpu_seconds: float = 0.0


class Recorder:
    def __init__(self, job: Job) -> None:
        self.job = job
        now = time.perf_counter_ns()
        self.measure_from = now + int(job.warmup * 1e9)
        self.deadline = self.measure_from + int(job.seconds * 1e9)
        self.out = Outcome()

    def add(self, started: int, ended: int, status: int, body: bytes) -> None:
        if started < self.measure_from:
            return
        out = self.out
        out.latencies_ns.append(ended - started)
        out.statuses[status] += 1
        if not 200 <= status < 300:
            if not out.sample_error:
                out.sample_error = f"HTTP {status}: {body[:300].decode(errors='replace')}"
        elif self.job.op == "call-next" and b'"ticket":null' in body:
            out.no_ticket += 1

    def fail(self, started: int, exc: BaseException) -> None:
        if started >= self.measure_from:
            self.out.failures += 1
            if not self.out.sample_error:
                self.out.sample_error = f"{type(exc).__name__}: {exc}"


def _request(job: Job, client: int, k: int) -> tuple[str, str, bytes]:
    """(path, bearer token, JSON body) of request ``k`` of simulated client ``client``."""
    if job.op == "issue":
        i = job.first_identity + client + k * job.clients
        body = (
            f'{{"category":"{category_of(i)}","kiosk_id":"bench-{client}","identity":'
            f'{{"id_number":"{id_number(i)}","name":"张三丰","source":"card"}}}}'
        )
        return "/api/v1/tickets", job.kiosk_token, body.encode()
    counter = client % COUNTERS + 1
    return f"/api/v1/counters/{counter}/call-next", job.clerk_tokens[counter - 1], b""


def _wire(path: str, token: str, body: bytes, keepalive: bool) -> bytes:
    head = [f"POST {path} HTTP/1.1", f"Host: {HOST}", f"Authorization: Bearer {token}"]
    head.append(f"Content-Length: {len(body)}")
    if body:
        head.append("Content-Type: application/json")
    if not keepalive:
        head.append("Connection: close")
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    """(status, body, whether the server keeps the connection open)."""
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length: int | None = None
    chunked, keep = False, True
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
        elif name == b"connection" and b"close" in value.lower():
            keep = False
    if chunked:
        parts = []
        while size := int((await reader.readuntil(b"\r\n")).strip(), 16):
            parts.append(await reader.readexactly(size + 2))
        await reader.readuntil(b"\r\n")
        return status, b"".join(p[:-2] for p in parts), keep
    if length is None:
        return status, await reader.read(), False
    return status, await reader.readexactly(length), keep


async def _raw_client(job: Job, client: int, rec: Recorder) -> None:
    """One simulated connection: a request, wait for the answer, the next request (closed loop)."""
    streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
    k = 0
    while True:
        payload = _wire(*_request(job, client, k), job.keepalive)
        if (started := time.perf_counter_ns()) >= rec.deadline:
            break
        k += 1
        try:
            async with asyncio.timeout(REQUEST_TIMEOUT):
                if streams is None:
                    streams = await asyncio.open_connection(HOST, job.port)
                reader, writer = streams
                writer.write(payload)
                status, body, keep = await _read_response(reader)
            ended = time.perf_counter_ns()
            if not (job.keepalive and keep):
                writer.close()
                streams = None
        except (OSError, EOFError, ValueError) as exc:  # incl. TimeoutError, IncompleteReadError
            rec.fail(started, exc)
            if streams is not None:
                streams[1].close()
                streams = None
            await asyncio.sleep(0.01)
            continue
        rec.add(started, ended, status, body)
    if streams is not None:
        streams[1].close()
    rec.out.identities_used = max(rec.out.identities_used, client + k * job.clients)


async def _httpx_client(job: Job, client: int, rec: Recorder) -> None:
    import httpx

    # max_keepalive_connections=0 makes httpx close the connection after every response.
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1 if job.keepalive else 0)
    base = f"http://{HOST}:{job.port}"
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=REQUEST_TIMEOUT) as http:
        k = 0
        while (started := time.perf_counter_ns()) < rec.deadline:
            path, token, body = _request(job, client, k)
            k += 1
            headers = {"Authorization": f"Bearer {token}"}
            if body:
                headers["Content-Type"] = "application/json"
            try:
                response = await http.post(path, content=body, headers=headers)
            except httpx.HTTPError as exc:
                rec.fail(started, exc)
                await asyncio.sleep(0.01)
                continue
            rec.add(started, time.perf_counter_ns(), response.status_code, response.content)
        rec.out.identities_used = max(rec.out.identities_used, client + k * job.clients)


async def _drive(job: Job, pipe: Connection) -> Outcome:
    rec = Recorder(job)
    run = _raw_client if job.backend == "raw" else _httpx_client
    tasks = [asyncio.create_task(run(job, c, rec)) for c in range(job.clients)]
    await asyncio.sleep(max(0.0, (rec.measure_from - time.perf_counter_ns()) / 1e9))
    cpu = time.process_time()
    pipe.send("measuring")
    await asyncio.gather(*tasks)
    rec.out.cpu_seconds = time.process_time() - cpu
    return rec.out


def load_process(job: Job, pipe: Connection) -> None:
    """Entry point of the load-generator process: sends "measuring", then the Outcome."""
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    pipe.send(asyncio.run(_drive(job, pipe)))
    pipe.close()


# --- the server side (this process) ------------------------------------------------------------


@dataclass
class Hall:
    """A running ``yihao serve`` with its tokens and an in-process context on its database."""

    engine_name: str
    server: ServerProcess
    ctx: ServiceContext
    engine: Engine
    kiosk_token: str
    clerk_tokens: tuple[str, ...]


class _SharedUnit(UnitOfWork):
    """Lets many ``tickets.issue`` calls share one transaction: set-up, one fsync per batch."""

    def __init__(self, real: UnitOfWork) -> None:
        self.repo = real.repo

    def __call__(self, *, write: bool) -> UnitOfWork:
        return self

    def commit(self) -> None:
        pass

    def rollback(self) -> None:
        pass


def _cli(args: list[str], home: Path) -> str:
    env = {**os.environ, "YIHAO_HOME": str(home)}
    cmd = [sys.executable, "-m", "caller_server.cli", *args]
    done = subprocess.run(cmd, env=env, cwd=REPO, capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"{' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout


@contextmanager
def hall_server(engine_name: str, pg_url: str, workdir: Path) -> Iterator[Hall]:
    """A fresh data directory and database, ``yihao init``, tokens, then ``yihao serve``."""
    from caller_server.domain.hall import load_hall
    from caller_server.services import auth
    from caller_server.services.context import ServiceContext
    from caller_server.settings import load_secret
    from caller_server.store.engine import make_engine
    from caller_server.store.sql import SqlUnitOfWork
    from tests.serverkit import ServerProcess, free_port, reset_database

    home = Path(tempfile.mkdtemp(prefix=f"{engine_name}-", dir=workdir))
    hall_file = workdir / "bench_hall.toml"
    if engine_name == "sqlite":
        url = f"sqlite:///{home / 'yihao.db'}"
    else:
        url = pg_url
        reset_database(url)
    _cli(["init", "--config", str(hall_file), "--db", url], home)
    hall = load_hall(hall_file)
    engine = make_engine(url)

    def unit(*, write: bool) -> SqlUnitOfWork:
        return SqlUnitOfWork(engine, hall.timezone, write=write)

    ctx = ServiceContext(hall=hall, unit=unit, secret=load_secret(home), public_url="http://b")
    server = ServerProcess(home, url, free_port(), home / "server.log")
    try:
        kiosk = auth.create_token(ctx, "kiosk", None, "bench kiosk")
        clerks = tuple(
            auth.create_token(ctx, "clerk", n, f"bench counter {n}") for n in range(1, COUNTERS + 1)
        )
        server.start()
        yield Hall(engine_name, server, ctx, engine, kiosk, clerks)
    finally:
        server.stop()
        engine.dispose()


def waiting_count(hall: Hall) -> int:
    from sqlalchemy import func, select

    from caller_server.store import tables as t

    tk = t.tickets.c
    day = hall.ctx.day(time.time())
    query = select(func.count()).where(tk.service_day == day, tk.status == "waiting")
    with hall.engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


def fill(hall: Hall, count: int, first_identity: int, batch: int = 1000) -> None:
    """Issue ``count`` tickets through ``services.tickets.issue``, ``batch`` per transaction."""
    from dataclasses import replace

    from caller_server.protocol import IdentityIn
    from caller_server.services import tickets
    from caller_server.store.sql import SqlUnitOfWork

    for start in range(first_identity, first_identity + count, batch):
        real = SqlUnitOfWork(hall.engine, hall.ctx.hall.timezone, write=True)
        shared = _SharedUnit(real)
        ctx = replace(hall.ctx, unit=shared)
        try:
            for i in range(start, min(start + batch, first_identity + count)):
                who = IdentityIn(id_number=id_number(i), name="李四", source="card")
                tickets.issue(ctx, category_of(i), who, "bench-fill", "bench:fill")
            real.commit()
        except BaseException:
            real.rollback()
            raise


def _jiffies(stat: str) -> tuple[str, int]:
    """(command name, user + system clock ticks) from a /proc/PID/stat line."""
    name, rest = stat[stat.index("(") + 1 :].rsplit(")", 1)
    fields = rest.split()
    return name, int(fields[11]) + int(fields[12])


@dataclass(frozen=True)
class CpuSample:
    """CPU clock ticks used so far: the machine, the server, this database's PostgreSQL backends."""

    wall: float
    machine: int
    server: int
    backends: dict[int, int]

    @staticmethod
    def take(server_pid: int, database: str | None) -> CpuSample | None:
        """Read /proc (Linux only; None elsewhere)."""
        try:
            ticks = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:9]]
            server = _jiffies(Path(f"/proc/{server_pid}/stat").read_text())[1]
        except (OSError, ValueError):
            return None
        backends = {}
        for entry in os.scandir("/proc") if database else ():
            if not entry.name.isdigit():
                continue
            try:
                name, used = _jiffies(Path(entry.path, "stat").read_text())
                # a backend's title: "postgres: user database 127.0.0.1(port) idle"
                if (
                    name == "postgres"
                    and f" {database} " in Path(entry.path, "cmdline").read_text()
                ):
                    backends[int(entry.name)] = used
            except (OSError, ValueError):
                continue
        busy = sum(ticks) - ticks[3] - ticks[4]  # all but idle and iowait
        return CpuSample(time.perf_counter(), busy, server, backends)


@dataclass(frozen=True)
class CpuUse:
    """Average cores busy during a measurement (1.0 = one core fully used)."""

    server: float
    postgres: float
    load_gen: float
    other: float
    """The rest of the machine: other processes competing with the benchmark."""

    @staticmethod
    def between(a: CpuSample | None, b: CpuSample | None, load_gen: float) -> CpuUse | None:
        if a is None or b is None:
            return None
        hz, wall = os.sysconf("SC_CLK_TCK"), b.wall - a.wall
        server = (b.server - a.server) / hz / wall
        backends = sum(used - a.backends.get(pid, 0) for pid, used in b.backends.items())
        postgres = backends / hz / wall
        load = load_gen / wall
        other = (b.machine - a.machine) / hz / wall - server - postgres - load
        return CpuUse(server, postgres, load, max(0.0, other))


@dataclass
class Row:
    scenario: str
    engine: str
    clients: int
    mode: str
    outcome: Outcome
    seconds: float
    cpu: CpuUse | None
    waiting_before: int

    @property
    def requests(self) -> int:
        return len(self.outcome.latencies_ns) + self.outcome.failures

    @property
    def errors(self) -> int:
        bad = sum(n for s, n in self.outcome.statuses.items() if not 200 <= s < 300)
        return bad + self.outcome.failures

    def percentile(self, p: float) -> float:
        data = sorted(self.outcome.latencies_ns)
        if not data:
            return math.nan
        return data[min(len(data) - 1, math.ceil(p * len(data)) - 1)] / 1e6


class Bench:
    def __init__(self, args: argparse.Namespace, workdir: Path) -> None:
        self.args = args
        self.workdir = workdir
        self.next_identity = 0
        self.rows: list[Row] = []
        self.best_rate = 0.0
        """Best rate (issue or call-next) seen so far on this engine; sizes pre-filled queues."""

    def take_identities(self, n: int) -> int:
        first = self.next_identity
        self.next_identity += n
        return first

    def run(self, hall: Hall, scenario: str, op: str, clients: int, keepalive: bool) -> Row:
        args = self.args
        job = Job(
            port=hall.server.port,
            op=op,
            clients=clients,
            keepalive=keepalive,
            seconds=args.seconds,
            warmup=args.warmup,
            kiosk_token=hall.kiosk_token,
            clerk_tokens=hall.clerk_tokens,
            first_identity=self.next_identity,
            backend=args.client,
        )
        waiting = waiting_count(hall)
        pid = hall.server.proc.pid if hall.server.proc else 0
        spawn = mp.get_context("spawn")
        parent, child = spawn.Pipe()
        proc = spawn.Process(target=load_process, args=(job, child), name="yihao-bench-load")
        proc.start()
        child.close()
        try:
            parent.recv()  # the warm-up is over
            spy = self.profiler(pid, f"{len(self.rows) + 1:02d}-{hall.engine_name}-{op}-{clients}")
            database = None if hall.engine_name == "sqlite" else args.pg_url.rsplit("/", 1)[-1]
            cpu0 = CpuSample.take(pid, database)
            outcome: Outcome = parent.recv()
            cpu1 = CpuSample.take(pid, database)
        except EOFError:
            raise RuntimeError(f"the load generator died (exit code {proc.exitcode})") from None
        finally:
            proc.join()
        if spy is not None:
            spy.wait()
        self.next_identity += outcome.identities_used + clients
        cpu = CpuUse.between(cpu0, cpu1, outcome.cpu_seconds)
        mode = "keep-alive" if keepalive else "new conn"
        row = Row(scenario, hall.engine_name, clients, mode, outcome, args.seconds, cpu, waiting)
        self.rows.append(row)
        self.best_rate = max(self.best_rate, row.requests / args.seconds)
        print(
            f"  {scenario:<24} {hall.engine_name:<8} {clients} {mode:<10} "
            f"{row.requests / args.seconds:8.0f} req/s  p99 {row.percentile(0.99):7.1f} ms  "
            f"errors {row.errors}",
            file=sys.stderr,
            flush=True,
        )
        return row

    def profiler(self, pid: int, name: str) -> subprocess.Popen[bytes] | None:
        """With ``--py-spy DIR``: sample the server during the measured window into DIR/name.svg."""
        if self.args.py_spy is None:
            return None
        exe = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
        cmd = [exe, "record", "--pid", str(pid), "--duration", str(math.ceil(self.args.seconds))]
        cmd += ["--rate", "100", "--threads", "--nonblocking"]
        cmd += ["--output", str(self.args.py_spy / f"{name}.svg")]
        return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def engine(self, name: str) -> None:
        args = self.args
        self.best_rate = 0.0
        modes = [(1, True), (COUNTERS, True), (1, False), (COUNTERS, False)]
        for clients, keepalive in modes:
            with hall_server(name, args.pg_url, self.workdir) as hall:
                self.run(hall, "issue", "issue", clients, keepalive)
        for clients, keepalive in modes:
            with hall_server(name, args.pg_url, self.workdir) as hall:
                # A queue just deep enough, as call-next gets slower as the queue grows: 1.5x
                # what the best rate seen on this engine would call in the row, at least 2,000.
                calls = 1.5 * self.best_rate * (args.seconds + args.warmup)
                count = min(len(CATEGORIES) * (DAILY_CAP - 999), max(2000, math.ceil(calls)))
                self.prefill(hall, count)
                self.run(hall, "call-next", "call-next", clients, keepalive)
        with hall_server(name, args.pg_url, self.workdir) as hall:
            for clients in (1, COUNTERS):
                self.prefill(hall, args.waiting - waiting_count(hall))
                self.run(hall, f"call-next, {args.waiting:,} waiting", "call-next", clients, True)

    def prefill(self, hall: Hall, count: int) -> None:
        if count <= 0:
            return
        started = time.perf_counter()
        fill(hall, count, self.take_identities(count))
        took = time.perf_counter() - started
        print(f"  pre-filled {count:,} tickets in {took:.1f} s", file=sys.stderr, flush=True)
        time.sleep(0.5 + count / 10_000)  # let the server's event hub read the new events

    def table(self) -> str:
        lines = [
            "| scenario | engine | clients | mode | requests | req/s | p50 ms | p99 ms | errors |",
            "|---|---|--:|---|--:|--:|--:|--:|--:|",
        ]
        dry = False
        for r in self.rows:
            mark = " †" if r.outcome.no_ticket else ""
            dry = dry or bool(mark)
            lines.append(
                f"| {r.scenario}{mark} | {r.engine} | {r.clients} | {r.mode} | {r.requests:,} "
                f"| {r.requests / r.seconds:,.0f} | {r.percentile(0.5):.1f} "
                f"| {r.percentile(0.99):.1f} | {r.errors:,} |"
            )
        if dry:
            lines.append("\n† the queue ran dry: some calls found nobody waiting (see below)")
        return "\n".join(lines)

    def details(self) -> str:
        """Where the CPU went per row (cores: 100 % = one core) and every status code seen."""
        lines = [
            "| # | waiting at start | server CPU | PostgreSQL CPU | load-gen CPU "
            "| load-gen µs/req | other processes CPU | statuses |",
            "|--:|--:|--:|--:|--:|--:|--:|---|",
        ]
        notes = []
        for n, r in enumerate(self.rows, 1):
            o, c = r.outcome, r.cpu
            per_req = o.cpu_seconds / r.requests * 1e6 if r.requests else math.nan
            statuses = ", ".join(f"{s}×{c:,}" for s, c in sorted(o.statuses.items()))
            if o.failures:
                statuses += f", no response×{o.failures:,}"
            use = (
                [f"{v:.0%}" for v in (c.server, c.postgres, c.load_gen, c.other)]
                if c
                else ["n/a"] * 4
            )
            if r.engine == "sqlite":
                use[1] = "–"
            lines.append(
                f"| {n} | {r.waiting_before:,} | {use[0]} | {use[1]} | {use[2]} | {per_req:.0f} "
                f"| {use[3]} | {statuses} |"
            )
            if o.no_ticket:
                notes.append(
                    f"row {n}: {o.no_ticket:,} call-next answers had no ticket (queue ran dry; "
                    "the row flatters the server)"
                )
            if o.sample_error:
                notes.append(f"row {n}: first error: {o.sample_error}")
        return "\n".join(lines + [""] + [f"- {note}" for note in notes])


def code_version() -> str:
    """The commit under test, and whether the server code has uncommitted changes."""
    git = ["git", "-C", str(REPO)]
    try:
        sha = subprocess.run([*git, "rev-parse", "--short", "HEAD"], **_QUIET).stdout.strip()
        dirty = subprocess.run([*git, "status", "--porcelain", "--", "caller_server"], **_QUIET)
    except (OSError, subprocess.CalledProcessError):
        return f"{REPO} (not a git checkout)"
    changed = len(dirty.stdout.splitlines())
    return f"{REPO} at {sha}" + (f" + uncommitted edits in {changed} server files" * bool(changed))


_QUIET: dict[str, Any] = {"capture_output": True, "text": True, "check": True}


def machine(args: argparse.Namespace) -> str:
    parts = [
        f"{os.cpu_count()} cores",
        f"{platform.machine()} {platform.system()} {platform.release()}",
        f"Python {platform.python_version()}",
        f"SQLite {sqlite3.sqlite_version}",
    ]
    if "postgres" in args.engines:
        from sqlalchemy import text

        from caller_server.store.engine import make_engine

        engine = make_engine(args.pg_url)
        with engine.connect() as conn:
            parts.append(f"PostgreSQL {conn.execute(text('SHOW server_version')).scalar_one()}")
        engine.dispose()
    return ", ".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engines", default="sqlite,postgres", help="comma-separated")
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("YIHAO_BENCH_PG_URL", DEFAULT_PG),
        help="PostgreSQL database; every yihao table in it is DROPPED (its name must say bench)",
    )
    parser.add_argument("--seconds", type=float, default=5.0, help="measured time per scenario")
    parser.add_argument("--warmup", type=float, default=None, help="unmeasured lead-in (1 s)")
    parser.add_argument("--waiting", type=int, default=20_000, help="deep-queue size")
    parser.add_argument("--client", choices=["raw", "httpx"], default="raw", help="load generator")
    parser.add_argument("--quick", action="store_true", help="smoke run: 1 s, 2,000 waiting")
    parser.add_argument("--keep", action="store_true", help="keep data dirs and server logs")
    parser.add_argument(
        "--py-spy",
        type=Path,
        metavar="DIR",
        help="record a py-spy flame graph of the server per row into DIR (slows the server)",
    )
    args = parser.parse_args(argv)
    args.engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    if unknown := set(args.engines) - {"sqlite", "postgres"}:
        parser.error(f"unknown engine(s): {', '.join(sorted(unknown))}")
    if args.quick:
        args.seconds, args.waiting = min(args.seconds, 1.0), min(args.waiting, 2000)
    if args.warmup is None:
        args.warmup = min(1.0, args.seconds / 3)
    if args.waiting > len(CATEGORIES) * DAILY_CAP * 3 // 4:  # room to top the queue up again
        parser.error(f"--waiting: at most {len(CATEGORIES) * DAILY_CAP * 3 // 4:,}")
    if "postgres" in args.engines and "bench" not in args.pg_url.rsplit("/", 1)[-1]:
        parser.error("the PostgreSQL database name must contain 'bench': its tables are dropped")

    if args.py_spy is not None:
        args.py_spy.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="yihao-bench-"))
    (workdir / "bench_hall.toml").write_text(HALL_TOML, encoding="utf-8")
    header = machine(args)
    print(f"machine: {header}", file=sys.stderr, flush=True)
    bench = Bench(args, workdir)
    try:
        for name in args.engines:
            bench.engine(name)
    finally:
        if args.keep:
            print(f"data directories and server logs kept in {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    print(f"# yihao API benchmark\n\nmachine: {header}\ncode: {code_version()}")
    client = "raw HTTP/1.1 on asyncio streams" if args.client == "raw" else "httpx.AsyncClient"
    print(
        f"load generator: one separate process, asyncio + {client}, closed loop, one connection "
        f"per simulated client (new conn: a TCP connect per request, counted in the latency); "
        f"{args.seconds:g} s measured per row after {args.warmup:.2g} s warm-up"
    )
    print(
        "hall: categories A, B, C (daily cap 9999 each); counters 1-8 each serve A, B and C "
        "with equal weights; issue: a distinct valid ID number (age 20-66) per request, categories "
        "A, B, C in turn; call-next: client i is the clerk of counter i + 1\n"
    )
    print(bench.table())
    print()
    print(bench.details())
    return 0


if __name__ == "__main__":
    sys.exit(main())
