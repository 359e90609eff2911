"""Discovery, pairing and push between two network namespaces joined by a veth pair.

The server runs in one namespace, the device in the other: mDNS crosses a real (virtual)
link, not loopback. The test creates the namespaces and removes them; it never touches the
machine's real interfaces. It needs root (``ip netns``); without it, it skips and says so.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.devicekit import START_LINE, wait_for
from tests.serverkit import REPO, free_port

SUBNET = "10.231.77"


@dataclass
class Link:
    server_ns: str
    device_ns: str
    server_ip: str = f"{SUBNET}.1"
    device_ip: str = f"{SUBNET}.2"


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True)


@pytest.fixture
def link() -> Iterator[Link]:
    if shutil.which("ip") is None:
        pytest.skip("iproute2 (ip) is not installed: cannot create network namespaces")
    tag = f"{os.getpid() % 100000}"
    found = Link(f"yh-srv-{tag}", f"yh-dev-{tag}")
    try:
        _ip("netns", "add", found.server_ns)
    except subprocess.CalledProcessError as exc:
        pytest.skip(f"cannot create network namespaces (needs root): {exc.stderr.decode()}")
    try:
        _ip("netns", "add", found.device_ns)
        a, b = f"yhs{tag}", f"yhd{tag}"
        _ip("link", "add", a, "type", "veth", "peer", "name", b)
        _ip("link", "set", a, "netns", found.server_ns)
        _ip("link", "set", b, "netns", found.device_ns)
        for ns, dev, ip in (
            (found.server_ns, a, found.server_ip),
            (found.device_ns, b, found.device_ip),
        ):
            _ip("-n", ns, "addr", "add", f"{ip}/24", "dev", dev)
            _ip("-n", ns, "link", "set", dev, "up", "multicast", "on")
            _ip("-n", ns, "link", "set", "lo", "up")
        yield found
    finally:
        for ns in (found.server_ns, found.device_ns):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)


def _in(ns: str, *cmd: str) -> list[str]:
    return ["ip", "netns", "exec", ns, *cmd]


def _yihao(ns: str, home: Path, *args: str) -> str:
    env = {**os.environ, "YIHAO_HOME": str(home)}
    done = subprocess.run(
        _in(ns, sys.executable, "-m", "caller_server.cli", *args),
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_pairing_and_push_across_namespaces(link: Link, yihao_home: Path, tmp_path: Path) -> None:
    _yihao(link.server_ns, yihao_home, "init")
    port = free_port()
    env = {**os.environ, "YIHAO_HOME": str(yihao_home), "PYTHONUNBUFFERED": "1"}
    server_log = (tmp_path / "server.log").open("wb")
    server = subprocess.Popen(
        _in(
            link.server_ns,
            sys.executable,
            "-m",
            "caller_server.cli",
            "serve",
            "--tls",
            "--host",
            link.server_ip,
            "--port",
            str(port),
            "--mdns",
            link.server_ip,
        ),
        cwd=REPO,
        env=env,
        stdout=server_log,
        stderr=subprocess.STDOUT,
    )
    device_log = tmp_path / "device.log"
    data = tmp_path / "device"
    with device_log.open("wb") as out:
        device = subprocess.Popen(
            _in(
                link.device_ns,
                sys.executable,
                "-m",
                "counter_display",
                "--role",
                "wall",
                "--sim",
                "--data-dir",
                str(data),
                "--mdns",
                link.device_ip,
            ),
            cwd=REPO,
            env={**env, "QT_QPA_PLATFORM": "offscreen"},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        found = wait_for(lambda: START_LINE.search(device_log.read_text()), what="start line")
        device_id, pin = found.group(1), found.group(3)

        def listed() -> str | None:
            rows = _yihao(link.server_ns, yihao_home, "device", "list")
            return next((r for r in rows.splitlines() if r.startswith(device_id)), None)

        row = wait_for(listed, timeout=40, what="device discovered across the veth link")
        assert link.device_ip in row and "未配对" in row
        url = f"https://{link.server_ip}:{port}"
        out = _yihao(
            link.server_ns, yihao_home, "device", "pair", device_id, "--pin", pin, "--url", url
        )
        assert f"device {device_id} paired" in out
        pinned = json.loads((data / "device.json").read_text())["server"]
        assert pinned["url"] == url
        wait_for(lambda: "在线" in (listed() or ""), timeout=40, what="online over WSS")
        assert "push connection open" in device_log.read_text()
    finally:
        device.terminate()
        server.terminate()
        device.wait(15)
        server.wait(15)
        server_log.close()
