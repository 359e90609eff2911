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
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import httpx  # noqa: E402
from cryptography.hazmat.primitives import serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402
from websockets.asyncio.client import connect  # noqa: E402

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


@dataclass
class Receipts:
    at: dict[str, list[float]] = field(default_factory=dict)
    """Ticket number → wall times its call reached each device."""
    connected: int = 0
    acks: int = 0


async def device_client(
    url: str, device_id: str, key: Ed25519PrivateKey, receipts: Receipts, stop: asyncio.Event
) -> None:
    push_url = url.replace("http", "ws") + "/api/v1/devices/push"
    async with connect(push_url, max_size=2**22, compression=None) as ws:
        challenge = DeviceDown.model_validate_json(await ws.recv())
        assert challenge.nonce is not None
        text = push_challenge_text("bench-hall", device_id, challenge.nonce)
        signature = base64.b64encode(key.sign(text)).decode()
        await ws.send(DeviceUp(type="auth", id=device_id, signature=signature).model_dump_json())
        receipts.connected += 1

        async def beat() -> None:
            while True:
                await asyncio.sleep(2)
                await ws.send('{"type":"ping"}')

        beating = asyncio.create_task(beat())
        try:
            while not stop.is_set():
                try:
                    raw = await asyncio.wait_for(ws.recv(), 0.5)
                except TimeoutError:
                    continue
                now = time.time()
                message = json.loads(raw)  # a simulated client: no model validation
                if message.get("type") == "pong":
                    continue
                await ws.send(f'{{"type":"ack","seq":{message["seq"]}}}')
                receipts.acks += 1
                for event in message.get("events", ()):
                    if event["kind"] == "called" and event.get("number"):
                        receipts.at.setdefault(event["number"], []).append(now)
        finally:
            beating.cancel()


def run_clients(
    url: str,
    keys: list[tuple[str, Ed25519PrivateKey]],
    receipts: Receipts,
    stop_flag: threading.Event,
) -> None:
    async def main() -> None:
        stop = asyncio.Event()
        tasks = [asyncio.create_task(device_client(url, i, k, receipts, stop)) for i, k in keys]
        while not stop_flag.is_set():
            await asyncio.sleep(0.1)
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)

    asyncio.run(main())


def scenario(n_devices: int, n_calls: int, pace: float) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="yihao-bench-push-") as tmp:
        server = Server(Path(tmp), _free_port())
        server.start()
        try:
            assert server.ctx is not None
            keys = pin_devices(server.ctx, n_devices)
            clerk = auth.create_token(server.ctx, "clerk", 1, "bench clerk")
            kiosk = auth.create_token(server.ctx, "kiosk", None, "bench kiosk")
            receipts, stop = Receipts(), threading.Event()
            clients = threading.Thread(
                target=run_clients, args=(server.url, keys, receipts, stop), daemon=True
            )
            clients.start()
            deadline = time.monotonic() + 120
            while receipts.connected < n_devices and time.monotonic() < deadline:
                time.sleep(0.1)
            time.sleep(1.0)  # snapshots delivered
            rss = server.rss_mb()
            sent_at: dict[str, tuple[float, float]] = {}
            with httpx.Client(base_url=server.url, timeout=30) as http:
                head = {"Authorization": f"Bearer {kiosk}"}
                for _ in range(n_calls):
                    http.post("/api/v1/tickets", json={"category": "D"}, headers=head)
                head = {"Authorization": f"Bearer {clerk}"}
                for _ in range(n_calls):
                    t0 = time.time()
                    answer = http.post("/api/v1/counters/1/call-next", headers=head)
                    t1 = time.time()
                    ticket = answer.json()["ticket"]
                    if ticket:
                        sent_at[ticket["number"]] = (t0, t1)
                    time.sleep(pace)
            time.sleep(2.0)
            stop.set()
            clients.join(30)
            sent_rx, ok_rx = [], []
            for number, (t0, t1) in sent_at.items():
                for rx in receipts.at.get(number, []):
                    sent_rx.append((rx - t0) * 1000)
                    ok_rx.append((rx - t1) * 1000)
            expected = len(sent_at) * n_devices
            return {
                "devices": n_devices,
                "calls": len(sent_at),
                "receipts": len(sent_rx),
                "missing": expected - len(sent_rx),
                "sent_p50": pct(sent_rx, 0.5),
                "sent_p99": pct(sent_rx, 0.99),
                "ok_p50": pct(ok_rx, 0.5),
                "ok_p99": pct(ok_rx, 0.99),
                "rss_mb": rss,
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
    args = parser.parse_args()

    print(f"push benchmark — {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    print(
        "\n| devices | calls | receipts | missing | sent→rx p50 / p99 ms | 200→rx p50 / p99 ms "
        "| server RSS MB |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|", flush=True)
    runs = [(args.devices, args.calls)]
    runs += [(int(x), args.scaling_calls) for x in args.scaling.split(",") if x]
    for n_devices, n_calls in runs:
        r = scenario(n_devices, n_calls, args.pace)
        print(
            f"| {r['devices']:.0f} | {r['calls']:.0f} | {r['receipts']:.0f} | {r['missing']:.0f} "
            f"| {r['sent_p50']:.1f} / {r['sent_p99']:.1f} | {r['ok_p50']:.1f} / {r['ok_p99']:.1f} "
            f"| {r['rss_mb']:.0f} |",
            flush=True,
        )
    audio = audio_latency(args.audio_samples)
    print(
        f"\nvoice box, receipt → first audio sample: p50 {statistics.median(audio):.0f} ms, "
        f"max {max(audio):.0f} ms over {len(audio)} calls (clip engine, WAV sink)"
    )


if __name__ == "__main__":
    main()
