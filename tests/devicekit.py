"""Helpers for output-device tests: a server with tokens, device processes, in-process devices."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx

from caller_server.protocol import DeviceDown
from caller_server.services import auth
from counter_display.device import DeviceCore, DeviceOptions
from tests.serverkit import (
    REPO,
    ServerProcess,
    dispose_engines,
    free_port,
    sample_hall,
    sql_context,
)

T = TypeVar("T")
START_LINE = re.compile(r"device id=(\S+) role=(\S+) pin=(\d+)")
SIMPLIFIED_ONLY = "请号务满评价对暂综报员输码连证书绝设备谢项类资会询应过馆处业办为时间数关个这"
"""Characters of Simplified Chinese that Traditional writes otherwise (請號務滿評價對 …): none may
appear in a zh-TW screen."""


def wait_for(check: Callable[[], T], timeout: float = 20.0, what: str = "condition") -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@dataclass
class Hall:
    """A running ``yihao serve`` with a manager token and a clerk token per counter."""

    server: ServerProcess
    manager: httpx.Client
    clerks: dict[int, httpx.Client]
    kiosk: httpx.Client

    def close(self) -> None:
        self.manager.close()
        self.kiosk.close()
        for clerk in self.clerks.values():
            clerk.close()
        self.server.stop()

    def devices(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self.manager.get("/api/v1/devices").json()
        return found

    def device(self, device_id: str) -> dict[str, Any] | None:
        return next((d for d in self.devices() if d["id"] == device_id), None)

    def issue(self, category: str = "B") -> str:
        answer = self.kiosk.post("/api/v1/tickets", json={"category": category, "kiosk_id": "k1"})
        assert answer.status_code == 201, answer.text
        number: str = answer.json()["number"]
        return number

    def act(self, counter: int, action: str) -> dict[str, Any]:
        answer = self.clerks[counter].post(f"/api/v1/counters/{counter}/{action}")
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        return body

    def pair(self, device_id: str, pin: str, counter: int | None = None) -> httpx.Response:
        body: dict[str, Any] = {"pin": pin}
        if counter is not None:
            body["counter"] = counter
        return self.manager.post(f"/api/v1/devices/{device_id}/pair", json=body, timeout=30)


def init_home(home: Path, db_url: str) -> None:
    env = {**os.environ, "YIHAO_HOME": str(home)}
    cmd = [sys.executable, "-m", "caller_server.cli", "init", "--db", db_url]
    subprocess.run(cmd, cwd=REPO, check=True, capture_output=True, env=env)


def start_hall(
    home: Path,
    db_url: str,
    log: Path,
    extra: tuple[str, ...] = ("--mdns", "127.0.0.1"),
    counters: tuple[int, ...] = (1, 3),
    tls: bool = False,
) -> Hall:
    init_home(home, db_url)
    ctx = sql_context(db_url, sample_hall())
    manager = auth.create_token(ctx, "manager", None, "manager")
    clerks = {n: auth.create_token(ctx, "clerk", n, f"clerk {n}") for n in counters}
    kiosk = auth.create_token(ctx, "kiosk", None, "kiosk")
    dispose_engines()
    server = ServerProcess(home, db_url, free_port(), log, extra, tls=tls)
    server.start()
    url = server.url

    def client(token: str) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"}
        return httpx.Client(base_url=url, headers=headers, timeout=15, verify=False)

    return Hall(server, client(manager), {n: client(t) for n, t in clerks.items()}, client(kiosk))


class DeviceProcess:
    """``python -m counter_display`` in a subprocess; its start lines are collected."""

    def __init__(self, data_dir: Path, role: str, *args: str, platform: str = "offscreen") -> None:
        self.data_dir = data_dir
        self.platform = platform
        """``QT_QPA_PLATFORM`` of the device (e.g. an offscreen screen of a given size)."""
        self.cmd = [sys.executable, "-m", "counter_display", "--role", role]
        self.cmd += ["--data-dir", str(data_dir), "--sim", *args]
        self.lines: queue.Queue[str] = queue.Queue()
        self.output: list[str] = []
        self.proc: subprocess.Popen[str] | None = None

    def start(self) -> tuple[str, str]:
        """Start; returns (id, PIN) from the start line."""
        env = {**os.environ, "QT_QPA_PLATFORM": self.platform, "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(
            self.cmd,
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        threading.Thread(target=self._pump, daemon=True).start()
        return self.next_start_line()

    def _pump(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        for line in self.proc.stdout:
            self.output.append(line)
            if START_LINE.search(line):
                self.lines.put(line)

    def next_start_line(self, timeout: float = 30.0) -> tuple[str, str]:
        try:
            line = self.lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError("no start line:\n" + "".join(self.output[-40:])) from None
        found = START_LINE.search(line)
        assert found is not None
        return found.group(1), found.group(3)

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


@dataclass
class LocalDevice:
    """A :class:`DeviceCore` in this process (real pairing endpoint, mDNS, push link)."""

    core: DeviceCore
    messages: list[DeviceDown] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)

    @classmethod
    def start(
        cls, data_dir: Path, role: str = "counter", counter: int | None = 3, **kw: Any
    ) -> LocalDevice:
        options = DeviceOptions(
            role=role, data_dir=data_dir, counter=counter, mdns=["127.0.0.1"], insecure=True
        )
        for name, value in kw.items():
            setattr(options, name, value)
        device = cls(DeviceCore(options))
        device.core.on_message.append(device.messages.append)
        device.core.on_status.append(device.statuses.append)
        device.core.start()
        return device

    def of_type(self, kind: str) -> list[DeviceDown]:
        return [m for m in list(self.messages) if m.type == kind]

    def events(self, kind: str) -> list[Any]:
        return [e for m in self.of_type("update") for e in m.events if e.kind == kind]
