"""Push benchmark: call-next → device receipt with many connected devices, and → first audio.

Starts a real ``yihao serve`` (fresh SQLite data directory), pins N simulated devices' keys
in its database, connects N device clients (asyncio WebSockets in this process: challenge,
Ed25519 signature, acknowledgements, heartbeats), then makes calls over HTTP one after
another and records when each device receives each call. Prints numbers; asserts nothing.

    .venv/bin/python bench/push.py                      # 200 devices, 1,000 calls, 20→200→1000
    .venv/bin/python bench/push.py --devices 50 --calls 100 --scaling 20,50

Rows (see docs/devices.md): ``sent→rx`` from sending call-next to a device's receipt;
``200→rx`` from the HTTP 200 to the receipt (negative when the push beat the response);
``rx→audio`` from a voice box's receipt to the first sample handed to the sink; server RSS.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import httpx  # noqa: E402
from cryptography.hazmat.primitives import serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402
from cryptography.hazmat.primitives.serialization import (  # noqa: E402
    Encoding,
    NoEncryption,
    PrivateFormat,
)
from websockets.asyncio.client import connect  # noqa: E402
from websockets.exceptions import ConnectionClosed, InvalidHandshake  # noqa: E402

from caller_server.domain.hall import load_hall  # noqa: E402
from caller_server.protocol import (  # noqa: E402
    DeviceDown,
    DeviceUp,
    EventOut,
    fingerprint,
    push_challenge_text,
)
from caller_server.services import auth  # noqa: E402
from caller_server.services.context import ServiceContext  # noqa: E402
from caller_server.store.engine import make_engine  # noqa: E402
from caller_server.store.repository import DeviceRecord  # noqa: E402
from caller_server.store.sql import SqlUnitOfWork  # noqa: E402

HALL = """
[hall]
id = "bench-hall"
name = "压测大厅"
timezone = "Asia/Shanghai"

[rules]
max_tickets_per_day = 9999

[[categories]]
code = "D"
name = "综合咨询"
hours = ["00:00-24:00"]
daily_cap = 9999
id_required = false
service_minutes = 5

[[counters]]
number = 1
categories = ["D"]
"""


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


@dataclass
class Server:
    home: Path
    port: int
    proc: subprocess.Popen[bytes] | None = None
    ctx: ServiceContext | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = {**os.environ, "YIHAO_HOME": str(self.home)}
        config = self.home / "bench-hall.toml"
        config.write_text(HALL, encoding="utf-8")
        cli = [sys.executable, "-m", "caller_server.cli"]
        subprocess.run(
            [*cli, "init", "--config", str(config)], env=env, check=True, capture_output=True
        )
        hall = load_hall(self.home / "hall.toml")
        engine = make_engine(f"sqlite:///{self.home / 'yihao.db'}")
        self.ctx = ServiceContext(
            hall=hall,
            unit=lambda *, write: SqlUnitOfWork(engine, hall.timezone, write=write),
            secret=(self.home / "hall.secret").read_bytes(),
        )
        log = (self.home / "server.log").open("ab")
        self.proc = subprocess.Popen(
            [*cli, "serve", "--port", str(self.port)], env=env, stdout=log, stderr=log
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("server did not start")

    def rss_mb(self) -> float:
        assert self.proc is not None
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(30)


def pin_devices(ctx: ServiceContext, n: int) -> list[tuple[str, Ed25519PrivateKey]]:
    """Simulated devices: their keys pinned as pairing would (the PIN flow is tested apart)."""
    made = []
    with ctx.unit(write=True) as uow:
        for i in range(n):
            key = Ed25519PrivateKey.generate()
            raw = key.public_key().public_bytes(
                serialization.Encoding.Raw, serialization.PublicFormat.Raw
            )
            device_id = f"bench-{i:04d}"
            uow.repo.save_device(
                DeviceRecord(
                    id=device_id,
                    role="wall",
                    name=device_id,
                    address="127.0.0.1",
                    port=1,
                    paired=True,
                    key_fp=fingerprint(raw),
                    public_key=base64.b64encode(raw).decode(),
                )
            )
            made.append((device_id, key))
        uow.commit()
    return made


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def device_client(
    url: str,
    device_id: str,
    key: Ed25519PrivateKey,
    at: dict[str, list[float]],
    state: dict[str, int],
) -> None:
    """One simulated device: authenticate, then timestamp each frame the moment it is read.
    Like a real device it reconnects (after 1 s) when the connection fails or ends."""
    push_url = url.replace("http", "ws") + "/api/v1/devices/push"
    while True:
        try:
            await _session(push_url, device_id, key, at, state)
        except (OSError, TimeoutError, InvalidHandshake, ConnectionClosed):
            pass
        state["reconnects"] += 1
        await asyncio.sleep(1)


async def _session(
    push_url: str,
    device_id: str,
    key: Ed25519PrivateKey,
    at: dict[str, list[float]],
    state: dict[str, int],
) -> None:
    async with connect(push_url, max_size=2**22, compression=None, open_timeout=60) as ws:
        challenge = DeviceDown.model_validate_json(await ws.recv())
        assert challenge.nonce is not None
        text = push_challenge_text("bench-hall", device_id, challenge.nonce)
        signature = base64.b64encode(key.sign(text)).decode()
        await ws.send(DeviceUp(type="auth", id=device_id, signature=signature).model_dump_json())
        await ws.recv()  # the snapshot: this device is connected
        state["connected"] += 1

        async def beat() -> None:
            while True:
                await asyncio.sleep(2)
                await ws.send('{"type":"ping"}')

        beating = asyncio.create_task(beat())
        try:
            await ws.send('{"type":"ack","seq":1}')
            async for raw in ws:
                now = time.time()
                message = json.loads(raw)  # a simulated client: no model validation
                if message.get("type") == "pong":
                    continue
                await ws.send(f'{{"type":"ack","seq":{message["seq"]}}}')
                for event in message.get("events", ()):
                    if event["kind"] == "called" and event.get("number"):
                        at.setdefault(event["number"], []).append(now)
        finally:
            beating.cancel()
            state["connected"] -= 1


def client_process(url: str, keys: list[tuple[str, bytes]], pipe: Connection) -> None:
    """A process of simulated devices (uvloop when installed): reports ``connected``, then,
    told to stop, every receipt and its own CPU time."""
    with contextlib.suppress(ImportError):
        import uvloop

        uvloop.install()

    async def main() -> None:
        at: dict[str, list[float]] = {}
        state = {"connected": 0, "reconnects": 0}
        tasks = [
            asyncio.create_task(
                device_client(url, i, Ed25519PrivateKey.from_private_bytes(k), at, state)
            )
            for i, k in keys
        ]
        loop = asyncio.get_running_loop()
        reported = -1
        while not await loop.run_in_executor(None, pipe.poll, 0.2):
            if state["connected"] != reported:
                reported = state["connected"]
                pipe.send(("connected", reported))
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        pipe.send(("receipts", at, state["reconnects"]))

    asyncio.run(main())


class Clients:
    """Simulated devices split over ``processes`` processes, none in the caller's."""

    def __init__(self, url: str, keys: list[tuple[str, Ed25519PrivateKey]], processes: int):
        context = multiprocessing.get_context("spawn")
        raw = [
            (i, k.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())) for i, k in keys
        ]
        self.pipes: list[Connection] = []
        self.procs = []
        for n in range(processes):
            mine, theirs = context.Pipe()
            proc = context.Process(target=client_process, args=(url, raw[n::processes], theirs))
            proc.start()
            self.pipes.append(mine)
            self.procs.append(proc)
        self.connected = [0] * processes

    def wait_connected(self, total: int, timeout: float) -> int:
        deadline = time.monotonic() + timeout
        while sum(self.connected) < total and time.monotonic() < deadline:
            for n, pipe in enumerate(self.pipes):
                while pipe.poll(0.05):
                    self.connected[n] = pipe.recv()[1]
        return sum(self.connected)

    def cpu(self) -> float:
        return sum(cpu_seconds(p.pid) for p in self.procs if p.pid is not None)

    def stop(self) -> tuple[dict[str, list[float]], int]:
        """Every receipt, and how many times a client had to reconnect."""
        at: dict[str, list[float]] = {}
        reconnects = 0
        for pipe in self.pipes:
            pipe.send("stop")
        for pipe, proc in zip(self.pipes, self.procs, strict=True):
            while True:
                message = pipe.recv()
                if message[0] == "receipts":
                    break
            for number, times in message[1].items():
                at.setdefault(number, []).extend(times)
            reconnects += message[2]
            proc.join(30)
        return at, reconnects


def scenario(n_devices: int, n_calls: int, pace: float, processes: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="yihao-bench-push-") as tmp:
        server = Server(Path(tmp), _free_port())
        server.start()
        try:
            assert server.ctx is not None and server.proc is not None
            keys = pin_devices(server.ctx, n_devices)
            clerk = auth.create_token(server.ctx, "clerk", 1, "bench clerk")
            kiosk = auth.create_token(server.ctx, "kiosk", None, "bench kiosk")
            clients = Clients(server.url, keys, processes)
            connected = clients.wait_connected(n_devices, 300)
            time.sleep(1.0)  # snapshots delivered
            rss = server.rss_mb()
            sent_at: dict[str, tuple[float, float]] = {}
            with httpx.Client(base_url=server.url, timeout=30) as http:
                head = {"Authorization": f"Bearer {kiosk}"}
                for _ in range(n_calls):
                    http.post("/api/v1/tickets", json={"category": "D"}, headers=head)
                head = {"Authorization": f"Bearer {clerk}"}
                server_cpu, client_cpu, started = (
                    cpu_seconds(server.proc.pid),
                    clients.cpu(),
                    time.monotonic(),
                )
                for _ in range(n_calls):
                    t0 = time.time()
                    answer = http.post("/api/v1/counters/1/call-next", headers=head)
                    t1 = time.time()
                    ticket = answer.json()["ticket"]
                    if ticket:
                        sent_at[ticket["number"]] = (t0, t1)
                    time.sleep(pace)
                time.sleep(2.0)
                elapsed = time.monotonic() - started
                server_cpu = cpu_seconds(server.proc.pid) - server_cpu
                client_cpu = clients.cpu() - client_cpu
            at, reconnects = clients.stop()
            sent_rx, ok_rx, first, spread = [], [], [], []
            for number, (t0, t1) in sent_at.items():
                times = at.get(number, [])
                for rx in times:
                    sent_rx.append((rx - t0) * 1000)
                    ok_rx.append((rx - t1) * 1000)
                if times:
                    first.append((min(times) - t1) * 1000)
                    spread.append((max(times) - min(times)) * 1000)
            messages = max(1, len(sent_rx))
            return {
                "devices": n_devices,
                "connected": connected,
                "reconnects": reconnects,
                "calls": len(sent_at),
                "receipts": len(sent_rx),
                "missing": len(sent_at) * n_devices - len(sent_rx),
                "sent_p50": pct(sent_rx, 0.5),
                "sent_p99": pct(sent_rx, 0.99),
                "ok_p50": pct(ok_rx, 0.5),
                "ok_p99": pct(ok_rx, 0.99),
                "first_p50": pct(first, 0.5),
                "first_p99": pct(first, 0.99),
                "spread_p50": pct(spread, 0.5),
                "spread_p99": pct(spread, 0.99),
                "rss_mb": rss,
                "server_cpu": server_cpu / elapsed,
                "server_us": server_cpu / messages * 1e6,
                "client_cpu": client_cpu / elapsed,
            }
        finally:
            server.stop()


def audio_latency(samples: int) -> list[float]:
    """Receipt → first sample handed to the sink, by a real voice box (clips, WAV sink)."""
    from counter_display.voice import VoiceBox

    started: dict[str, float] = {}
    done = threading.Event()

    def on_start(label: str) -> None:
        started[label] = time.monotonic()
        done.set()

    results = []
    with tempfile.TemporaryDirectory(prefix="yihao-bench-audio-") as tmp:
        box = VoiceBox(Path(tmp), on_start=on_start)
        try:
            for i in range(samples):
                done.clear()
                event = EventOut(
                    seq=i + 1, kind="called", at=time.time(), number=f"A{i:03d}", counter=3
                )
                message = DeviceDown(type="update", seq=i + 1, sent_at=time.time(), events=[event])
                received = time.monotonic()
                box.handle(message)
                done.wait(30)
                results.append((started[f"{i + 1}-A{i:03d}"] - received) * 1000)
                box.announcer.wait_idle(60)
        finally:
            box.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--devices", type=int, default=200)
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--scaling", default="20,200,1000", help="device counts for the p99 curve")
    parser.add_argument("--scaling-calls", type=int, default=100)
    parser.add_argument("--pace", type=float, default=0.02, help="seconds between calls")
    parser.add_argument("--audio-samples", type=int, default=10)
    parser.add_argument("--processes", type=int, default=2, help="processes of device clients")
    args = parser.parse_args()

    print(f"push benchmark — {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    print(f"device clients in {args.processes} processes; {args.pace * 1000:.0f} ms between calls")
    print(
        "\n| devices | connected | reconnects | calls | receipts | missing "
        "| sent→rx p50 / p99 ms | 200→rx p50 / p99 ms "
        "| first device p50 / p99 | first→last p50 / p99 "
        "| server CPU | server µs per device-message | clients CPU | server RSS MB | load |"
    )
    print("|" + "---:|" * 15, flush=True)
    runs = [(args.devices, args.calls)]
    runs += [(int(x), args.scaling_calls) for x in args.scaling.split(",") if x]
    for n_devices, n_calls in runs:
        r = scenario(n_devices, n_calls, args.pace, args.processes)
        print(
            f"| {r['devices']:.0f} | {r['connected']:.0f} | {r['reconnects']:.0f} "
            f"| {r['calls']:.0f} | {r['receipts']:.0f} | {r['missing']:.0f} "
            f"| {r['sent_p50']:.1f} / {r['sent_p99']:.1f} | {r['ok_p50']:.1f} / {r['ok_p99']:.1f} "
            f"| {r['first_p50']:.1f} / {r['first_p99']:.1f} "
            f"| {r['spread_p50']:.1f} / {r['spread_p99']:.1f} "
            f"| {r['server_cpu']:.0%} | {r['server_us']:.0f} | {r['client_cpu']:.0%} "
            f"| {r['rss_mb']:.0f} | {os.getloadavg()[0]:.1f} |",
            flush=True,
        )
    audio = audio_latency(args.audio_samples)
    print(
        f"\nvoice box, receipt → first audio sample: p50 {statistics.median(audio):.0f} ms, "
        f"max {max(audio):.0f} ms over {len(audio)} calls (clip engine, WAV sink)"
    )


if __name__ == "__main__":
    main()
