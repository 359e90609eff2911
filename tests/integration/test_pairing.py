"""Discovery and pairing across processes on 127.0.0.1: real zeroconf, HTTP, keys and files."""

from __future__ import annotations

import asyncio
import base64
import json
import socket
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed
from zeroconf import ServiceBrowser, ServiceInfo, ServiceStateChange, Zeroconf

from caller_server.protocol import DeviceDown, DeviceUp, fingerprint, push_challenge_text
from caller_server.push.mdns import DEVICE_SERVICE, SERVER_SERVICE
from caller_server.push.tls import paths
from tests.devicekit import DeviceProcess, Hall, start_hall, wait_for


@pytest.fixture(scope="module")
def hall(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hall]:
    """One server for the module (each test uses its own devices)."""
    home = tmp_path_factory.mktemp("hall")
    running = start_hall(home, f"sqlite:///{home / 'yihao.db'}", home / "srv.log")
    yield running
    running.close()


@pytest.fixture
def screen(tmp_path: Path) -> Iterator[DeviceProcess]:
    device = DeviceProcess(
        tmp_path / "screen", "counter", "--counter", "3", "--mdns", "127.0.0.1", "--insecure"
    )
    yield device
    device.stop()


def _push_attempt(url: str, device_id: str, key: Ed25519PrivateKey, server_id: str) -> list[str]:
    """Open the push socket as ``device_id`` signing with ``key``; what came back."""

    async def attempt() -> list[str]:
        got: list[str] = []
        async with connect(url.replace("http", "ws") + "/api/v1/devices/push") as ws:
            challenge = DeviceDown.model_validate_json(await ws.recv())
            assert challenge.type == "challenge" and challenge.nonce
            text = push_challenge_text(server_id, device_id, challenge.nonce)
            sig = base64.b64encode(key.sign(text)).decode()
            await ws.send(DeviceUp(type="auth", id=device_id, signature=sig).model_dump_json())
            try:
                while True:
                    got.append(str(await asyncio.wait_for(ws.recv(), 5)))
            except ConnectionClosed as exc:
                got.append(f"closed {exc.rcvd.code if exc.rcvd else None}")
        return got

    return asyncio.run(attempt())


def test_device_pairs_with_its_pin_and_nothing_secret_crosses(
    hall: Hall, screen: DeviceProcess
) -> None:
    device_id, pin = screen.start()
    listed = wait_for(lambda: hall.device(device_id), what="device listed by mDNS")
    assert listed["role"] == "counter" and listed["name"] == "3号窗口屏"
    assert listed["status"] == "unpaired" and listed["status_zh"] == "未配对"
    # The identity is private to the device's user and survives in its data dir.
    for name in ("device.json", "device-key.pem"):
        assert stat.S_IMODE((screen.data_dir / name).stat().st_mode) == 0o600
    identity = json.loads((screen.data_dir / "device.json").read_text())
    assert identity["id"] == device_id and identity["server"] is None

    wrong = hall.pair(device_id, "000000" if pin != "000000" else "111111")
    assert wrong.status_code == 409 and wrong.json()["code"] == "pairing_refused"
    assert "PIN 不正确" in wrong.json()["detail"]

    right = hall.pair(device_id, pin)
    assert right.status_code == 200, right.text
    assert right.json()["paired"] is True and right.json()["counter"] == 3
    # Both ends pinned the other: the device the server's certificate, the server the key.
    pinned = json.loads((screen.data_dir / "device.json").read_text())["server"]
    cert = paths(hall.server.home).cert.read_bytes()
    from caller_server.push.tls import cert_fingerprint

    assert pinned["fp"] == cert_fingerprint(cert) and pinned["id"] == "sample-hall"
    assert right.json()["key_fp"] == listed["key_fp"]
    online = wait_for(lambda: (hall.device(device_id) or {}).get("online"), what="online")
    assert online is True and hall.device(device_id)["status_zh"] == "在线"  # type: ignore[index]
    # The PIN itself was never in any request the device received (the log shows the API).
    assert pin not in (hall.server.log_path.read_text())

    # Restarted, the device keeps its id and pairing and comes back online by itself.
    screen.stop()
    again_id, _ = screen.start()
    assert again_id == device_id
    wait_for(lambda: (hall.device(device_id) or {}).get("online"), what="online again")


def test_five_wrong_pins_draw_a_new_pin(hall: Hall, screen: DeviceProcess) -> None:
    device_id, pin = screen.start()
    wait_for(lambda: hall.device(device_id), what="device listed")
    wrong = f"{(int(pin) + 1) % 1000000:06d}"
    for _ in range(5):
        assert hall.pair(device_id, wrong).status_code == 409
    same_id, new_pin = screen.next_start_line()
    assert same_id == device_id and new_pin != pin
    assert hall.pair(device_id, pin).status_code == 409, "the old PIN must be dead"
    assert hall.pair(device_id, new_pin).status_code == 200


def test_spoofed_id_with_another_key_gets_nothing_and_is_flagged(
    hall: Hall, screen: DeviceProcess
) -> None:
    device_id, pin = screen.start()
    wait_for(lambda: hall.device(device_id), what="device listed")
    assert hall.pair(device_id, pin).status_code == 200
    real_fp = hall.device(device_id)["key_fp"]  # type: ignore[index]

    # Another host announces the same id with its own key.
    spoofer_key = Ed25519PrivateKey.generate()
    raw = spoofer_key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    zc = Zeroconf(interfaces=["127.0.0.1"])
    info = ServiceInfo(
        DEVICE_SERVICE,
        f"spoof-{device_id}.{DEVICE_SERVICE}",
        addresses=[socket.inet_aton("127.0.0.1")],
        port=40999,
        properties={
            "id": device_id,
            "role": "counter",
            "name": "3号窗口屏",
            "v": "1",
            "pk": fingerprint(raw),
        },
        server="spoofer.local.",
    )
    zc.register_service(info)
    try:
        flagged = wait_for(
            lambda: (
                (hall.device(device_id) or {}).get("status") == "suspect" and hall.device(device_id)
            ),
            what="suspect flag",
        )
    finally:
        zc.unregister_service(info)
        zc.close()
    assert flagged["status_zh"] == "可疑设备" and flagged["suspect_address"] == "127.0.0.1:40999"
    assert flagged["key_fp"] == real_fp and flagged["port"] != 40999, "spoofer inherited nothing"
    alerts = hall.manager.get("/api/v1/queue").json()["alerts"]
    assert any(a["kind"] == "device_suspect" and "可疑设备" in a["message_zh"] for a in alerts)
    # Signing with its own key, the spoofer gets no snapshot: the socket is closed at once.
    got = _push_attempt(hall.server.url, device_id, spoofer_key, "sample-hall")
    assert got == ["closed 4403"]
    # An unpaired device (never paired, unknown id) gets nothing either.
    assert _push_attempt(hall.server.url, "wall-x", spoofer_key, "sample-hall") == ["closed 4403"]


def test_unpair_sends_the_device_back_to_its_pin(hall: Hall, screen: DeviceProcess) -> None:
    device_id, pin = screen.start()
    wait_for(lambda: hall.device(device_id), what="device listed")
    assert hall.pair(device_id, pin).status_code == 200
    wait_for(lambda: (hall.device(device_id) or {}).get("online"), what="online")
    gone = hall.manager.delete(f"/api/v1/devices/{device_id}/pair")
    assert gone.status_code == 200 and gone.json()["paired"] is False
    # The device learns it at its next connection and shows a fresh PIN.
    _, new_pin = screen.next_start_line(timeout=40)
    assert new_pin != pin
    state = json.loads((screen.data_dir / "device.json").read_text())
    assert state["server"] is None and state["pin"] == new_pin


def test_factory_reset_makes_a_new_device(hall: Hall, screen: DeviceProcess) -> None:
    device_id, pin = screen.start()
    wait_for(lambda: hall.device(device_id), what="device listed")
    assert hall.pair(device_id, pin).status_code == 200
    wait_for(lambda: (hall.device(device_id) or {}).get("online"), what="online")
    screen.stop()
    import subprocess

    reset = subprocess.run([*screen.cmd, "--factory-reset"], capture_output=True, text=True)
    assert reset.returncode == 0 and "factory reset" in reset.stdout, reset.stderr
    assert not screen.data_dir.exists()
    # A new id, key and PIN: the box is unpaired and listed as a new device; the old record
    # is the manager's to unpair (it stays offline).
    new_id, new_pin = screen.start()
    assert new_id != device_id
    listed = wait_for(lambda: hall.device(new_id), what="the reset box listed")
    assert listed["paired"] is False and listed["status"] == "unpaired"
    state = json.loads((screen.data_dir / "device.json").read_text())
    assert state["server"] is None and state["pin"] == new_pin


def test_device_registers_itself_where_multicast_is_blocked(hall: Hall, tmp_path: Path) -> None:
    device = DeviceProcess(
        tmp_path / "wall", "wall", "--mdns", "off", "--server", hall.server.url, "--insecure"
    )
    try:
        device_id, pin = device.start()
        listed = wait_for(lambda: hall.device(device_id), what="registered device")
        assert listed["role"] == "wall" and listed["address"] == "127.0.0.1"
        assert hall.pair(device_id, pin).status_code == 200
        wait_for(lambda: (hall.device(device_id) or {}).get("online"), what="online")
    finally:
        device.stop()


def test_plain_http_server_is_refused_without_insecure(tmp_path: Path) -> None:
    device = DeviceProcess(tmp_path / "v", "voice", "--mdns", "off", "--server", "http://x:1")
    assert device.proc is None
    import subprocess

    done = subprocess.run(device.cmd, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "明文 HTTP" in done.stderr and "--insecure" in done.stderr


def test_server_advertises_its_certificate_fingerprint(hall: Hall) -> None:
    zc = Zeroconf(interfaces=["127.0.0.1"])
    names: list[str] = []

    def seen(
        zeroconf: Zeroconf, service_type: str, name: str, state_change: ServiceStateChange
    ) -> None:
        if state_change is ServiceStateChange.Added:
            names.append(name)

    def ours() -> ServiceInfo | None:
        """This test's server's record (another sample hall may be on loopback too)."""
        for name in list(names):
            found = zc.get_service_info(SERVER_SERVICE, name, timeout=3000)
            if found is not None and found.port == hall.server.port:
                return found
        return None

    browser = ServiceBrowser(zc, SERVER_SERVICE, handlers=[seen])
    try:
        info = wait_for(ours, what="this server's record")
        props = {k.decode(): (v or b"").decode() for k, v in info.properties.items()}
        assert props["id"] == "sample-hall" and props["v"] == "1"
        assert props["hall"] == "示例市政务服务中心"
        from caller_server.push.tls import cert_fingerprint

        assert props["fp"] == cert_fingerprint(paths(hall.server.home).cert.read_bytes())
    finally:
        browser.cancel()
        zc.close()
