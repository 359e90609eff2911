"""``yihao demo``: the whole hall on one machine, simulated citizens and clerks."""

from __future__ import annotations

import logging
import random
import signal
import socket
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import uvicorn

from caller_server.api.app import create_app, server_config
from caller_server.client import ClientError, YihaoClient
from caller_server.demo_kiosks import KioskFleet
from caller_server.protocol import QueueSnapshot
from caller_server.push.demo_devices import DemoDevices
from caller_server.runtime import Runtime, initialise, open_runtime
from caller_server.services import auth, kiosks, queue
from caller_server.settings import Settings, create_secret

log = logging.getLogger(__name__)

SECONDS_PER_MINUTE = 0.4
"""Demo clock: one minute of real service takes this many seconds."""


@dataclass
class Tally:
    refused: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def refuse(self, code: str) -> None:
        with self.lock:
            self.refused[code] = self.refused.get(code, 0) + 1


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Demo:
    def __init__(self, home: Path, port: int, speed: float, tickets: Path, seed: int = 12) -> None:
        settings = Settings(home=home, port=port or _free_port(), mdns_interfaces=["127.0.0.1"])
        create_secret(home)
        initialise(settings)
        self.rt: Runtime = open_runtime(settings)
        self.url = settings.base_url
        self.speed = speed
        self.tickets = tickets
        self.stop = threading.Event()
        self.tally = Tally()
        self.rng = random.Random(seed)
        self.app = create_app(self.rt)
        self.devices = DemoDevices(self.rt, self.url, home)
        self.server = uvicorn.Server(server_config(self.rt, "warning", self.app))
        self.threads = [threading.Thread(target=self.server.run, name="demo-server")]

    def token(self, role: str, counter: int | None = None) -> str:
        return auth.create_token(self.rt.ctx, role, counter, f"demo {role} {counter or ''}")

    def clerk(self, counter: int) -> None:
        rng = random.Random(self.rng.random() + counter)
        with YihaoClient(self.url, self.token("clerk", counter)) as client:
            while not self.stop.is_set():
                try:
                    call = client.counter(counter, "call-next")
                    if call.ticket is None:
                        self.stop.wait(0.5 / self.speed)
                        continue
                    if rng.random() < 0.08:
                        client.counter(counter, "recall")
                        self.stop.wait(1.0 / self.speed)
                        client.counter(counter, "skip")
                        continue
                    client.counter(counter, "start")
                    minutes = self.rt.hall.categories[call.ticket.category].service_minutes
                    self.stop.wait(rng.expovariate(1 / minutes) * SECONDS_PER_MINUTE / self.speed)
                    client.counter(counter, "finish")
                except ClientError as exc:
                    self.tally.refuse(exc.code)
                    self.stop.wait(0.5)

    def view(self, snap: QueueSnapshot, elapsed: float) -> str:
        waiting = " ".join(f"{c.code}:{c.waiting}" for c in snap.categories)
        serving = " ".join(
            f"{c.number}号={c.current.number if c.current else '—'}" for c in snap.counters
        )
        taken = self.kiosks.printed()
        return f"[{elapsed:5.0f}s] 取号 {taken:4d}  等候 {waiting}  窗口 {serving}"

    def run(self, duration: float | None) -> int:
        signal.signal(signal.SIGTERM, _interrupt)  # stop like Ctrl-C: summary, clean exit
        self.threads[0].start()
        while not self.server.started:
            time.sleep(0.05)
        self.kiosks = KioskFleet(self.url, self.token("kiosk"), self.tickets, 0.5 / self.speed)
        self.kiosks.start()
        self.kiosks.wait_ready(lambda: {k.id for k in kiosks.list_kiosks(self.rt.ctx)})
        self.threads += [
            threading.Thread(target=self.clerk, args=(n,), name=f"demo-clerk-{n}")
            for n in self.rt.hall.counters
        ]
        for t in self.threads[1:]:
            t.start()
        print(f"一号 demo — {self.rt.hall.names.zh_cn}")
        print(f"  API       {self.url}/docs")
        print(f"  queue     {self.url}/api/v1/queue")
        print(f"  events    {self.url.replace('http', 'ws')}/api/v1/events")
        try:
            self.devices.start()
            started = time.monotonic()
            tty = sys.stdout.isatty()
            ticks = 0
            while duration is None or time.monotonic() - started < duration:
                left = 1.0 if duration is None else duration - (time.monotonic() - started)
                time.sleep(min(1.0, max(0.0, left)))
                ticks += 1
                if tty or ticks % 5 == 0:
                    line = self.view(queue.snapshot(self.rt.ctx), time.monotonic() - started)
                    print("\r" + line if tty else line, end="" if tty else "\n", flush=True)
        except KeyboardInterrupt:
            pass
        self.stop.set()
        self.kiosks.stop()
        for t in self.threads[1:]:
            t.join()
        print()
        self.summary()
        self.devices.summary(self.app.state.pusher.stats)
        self.devices.stop()
        self.server.should_exit = True
        self.threads[0].join()
        self.rt.close()
        return 0

    def summary(self) -> None:
        day = self.rt.ctx.day(self.rt.ctx.clock())
        stats = queue.day_stats(self.rt.ctx, day)
        hall = stats.hall
        sat = hall.satisfaction_rate
        print("summary (replayed from the audit log):")
        print(f"  tickets issued        {hall.issued}")
        print(f"  tickets printed       {self.kiosks.printed()} (PNG in {self.tickets})")
        print(f"  called / done         {hall.called} / {hall.done}")
        print(f"  no-shows (过号)        {hall.no_show}")
        print(f"  mean wait             {(hall.mean_wait_minutes or 0) * 60:.1f} s")
        print(f"  mean service          {(hall.mean_service_minutes or 0) * 60:.1f} s")
        print(
            f"  ratings / 满意率       {len(hall.ratings)} / {'—' if sat is None else f'{sat:.0%}'}"
        )
        if self.tally.refused:
            print(f"  refused               {self.tally.refused}")
        for number in sorted(stats.counters):
            f = stats.counters[number]
            print(
                f"  counter {number}: called {f.called:3d}, done {f.done:3d}, no-show {f.no_show}"
            )


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def run_demo(duration: float | None, port: int, speed: float) -> int:
    for noisy in ("httpx", "caller_server", "uvicorn"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    tickets = Path(tempfile.mkdtemp(prefix="yihao-demo-tickets-"))  # kept after the demo
    with tempfile.TemporaryDirectory(prefix="yihao-demo-") as home:
        return Demo(Path(home), port, speed, tickets).run(duration)
