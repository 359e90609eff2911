"""Devices found by mDNS on loopback, listed and paired through the API: real zeroconf and HTTP."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from zeroconf import ServiceBrowser, ServiceInfo, ServiceStateChange, Zeroconf

from caller_server.push.mdns import DEVICE_SERVICE, SERVER_SERVICE
from caller_server.services import auth
from tests.serverkit import (
    REPO,
    ServerProcess,
    dispose_engines,
    free_port,
    sample_hall,
    sql_context,
)

PIN = "246810"


class FakeScreen:
    """A counter screen: shows a PIN, answers POST /pair, advertises itself on 127.0.0.1."""

    def __init__(self) -> None:
        self.paired_with: dict[str, Any] | None = None
        screen = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                ok = self.path == "/pair" and body.get("pin") == PIN
                if ok:
                    screen.paired_with = body["server"]
                self.send_response(200 if ok else 403)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.http.serve_forever, daemon=True)
        self.zc = Zeroconf(interfaces=["127.0.0.1"])
        self.info = ServiceInfo(
            DEVICE_SERVICE,
            f"screen-3.{DEVICE_SERVICE}",
            addresses=[socket.inet_aton("127.0.0.1")],
            port=self.http.server_address[1],
            properties={"id": "screen-3", "role": "counter", "name": "3号窗口屏", "v": "1"},
            server="screen-3.local.",
        )

    def start(self) -> None:
        self.thread.start()
        self.zc.register_service(self.info)

    def stop(self) -> None:
        self.zc.unregister_service(self.info)
        self.zc.close()
        self.http.shutdown()
        self.thread.join(5)


@pytest.fixture
def screen() -> Iterator[FakeScreen]:
    fake = FakeScreen()
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def server(yihao_home: Path, tmp_path: Path) -> Iterator[tuple[ServerProcess, str]]:
    url = f"sqlite:///{yihao_home / 'yihao.db'}"
    init = [sys.executable, "-m", "caller_server.cli", "init"]
    subprocess.run(init, cwd=REPO, check=True, capture_output=True)
    ctx = sql_context(url, sample_hall())
    token = auth.create_token(ctx, "manager", None, "manager")
    dispose_engines()
    proc = ServerProcess(
        yihao_home, url, free_port(), tmp_path / "server.log", ("--mdns", "127.0.0.1")
    )
    proc.start()
    yield proc, token
    proc.stop()


def _wait_for(check: Any, timeout: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("timed out")


def test_discovered_screen_is_listed_and_paired_with_its_pin(
    server: tuple[ServerProcess, str], screen: FakeScreen
) -> None:
    proc, token = server
    with httpx.Client(
        base_url=proc.url, headers={"Authorization": f"Bearer {token}"}, timeout=10
    ) as http:
        found = _wait_for(lambda: http.get("/api/v1/devices").json())
        assert found == [
            {
                "id": "screen-3",
                "role": "counter",
                "name": "3号窗口屏",
                "address": "127.0.0.1",
                "port": screen.info.port,
                "paired": False,
                "last_seen": found[0]["last_seen"],
            }
        ]
        wrong = http.post("/api/v1/devices/screen-3/pair", json={"pin": "111111"})
        assert wrong.status_code == 409 and wrong.json()["code"] == "pairing_refused"
        assert "PIN 不正确" in wrong.json()["detail"]
        assert screen.paired_with is None
        right = http.post("/api/v1/devices/screen-3/pair", json={"pin": PIN})
        assert right.status_code == 200 and right.json()["paired"] is True
        assert screen.paired_with == {"id": "sample-hall", "url": proc.url}
        assert http.get("/api/v1/devices").json()[0]["paired"] is True
        missing = http.post("/api/v1/devices/screen-9/pair", json={"pin": PIN})
        assert missing.status_code == 404 and missing.json()["code"] == "unknown_device"
        malformed = http.post("/api/v1/devices/screen-3/pair", json={"pin": "12ab"})
        assert malformed.status_code == 422
        # The screen comes back on another port: still one device, still paired.
        screen.info.port = free_port()
        screen.zc.update_service(screen.info)
        moved = _wait_for(
            lambda: [d for d in http.get("/api/v1/devices").json() if d["port"] == screen.info.port]
        )
        assert len(http.get("/api/v1/devices").json()) == 1 and moved[0]["paired"] is True
    assert httpx.get(f"{proc.url}/api/v1/devices").status_code == 401


def test_server_advertises_itself(server: tuple[ServerProcess, str]) -> None:
    zc = Zeroconf(interfaces=["127.0.0.1"])
    names: list[str] = []

    def seen(
        zeroconf: Zeroconf, service_type: str, name: str, state_change: ServiceStateChange
    ) -> None:
        if state_change is ServiceStateChange.Added:
            names.append(name)

    browser = ServiceBrowser(zc, SERVER_SERVICE, handlers=[seen])
    try:
        name = _wait_for(lambda: names and names[0])
        info = zc.get_service_info(SERVER_SERVICE, name, timeout=5000)
        assert info is not None
        props = {k.decode(): (v or b"").decode() for k, v in info.properties.items()}
        assert props["id"] == "sample-hall" and props["v"] == "1"
        assert props["hall"] == "示例市政务服务中心"
        assert info.port == server[0].port
    finally:
        browser.cancel()
        zc.close()
