"""TLS with a pinned certificate, and several ``yihao serve`` processes on one database (a call
through either reaches a device; a killed device is one audited offline alert on both)."""

from __future__ import annotations

import json
import stat
import time
from pathlib import Path
from typing import Any

import httpx

from caller_server.domain.events import Event, EventKind
from caller_server.push.pusher import HEARTBEAT_FLUSH
from caller_server.push.tls import cert_fingerprint, paths
from caller_server.services import devices
from tests.devicekit import DeviceProcess, Hall, LocalDevice, init_home, start_hall, wait_for
from tests.serverkit import ServerProcess, dispose_engines, free_port, sample_hall, sql_context

COUNTER = 7


def _pair(hall: Hall, device: LocalDevice) -> None:
    identity = device.core.identity
    wait_for(lambda: hall.device(identity.id), what="device listed")
    answer = hall.pair(identity.id, identity.pin)
    assert answer.status_code == 200, answer.text


def test_tls_certificate_is_pinned_and_another_one_refused(
    yihao_home: Path, tmp_path: Path
) -> None:
    url = f"sqlite:///{yihao_home / 'yihao.db'}"
    hall = start_hall(yihao_home, url, tmp_path / "srv.log", counters=(7,), tls=True)
    device = LocalDevice.start(tmp_path / "screen", counter=COUNTER, insecure=False)
    try:
        cert = paths(yihao_home)
        assert stat.S_IMODE(cert.key.stat().st_mode) == 0o600
        assert hall.server.url.startswith("https://")
        _pair(hall, device)
        pinned = json.loads((tmp_path / "screen" / "device.json").read_text())["server"]
        assert pinned["url"] == hall.server.url
        assert pinned["fp"] == cert_fingerprint(cert.cert.read_bytes())
        wait_for(lambda: device.of_type("snapshot"), what="snapshot over WSS")
        hall.issue("D")
        hall.act(COUNTER, "call-next")
        wait_for(lambda: device.events("called"), what="call over WSS")

        # The same address now presents another certificate (the hall was re-keyed, or an
        # impostor took the address): the device refuses it and takes nothing.
        hall.server.stop()
        cert.cert.unlink()
        cert.key.unlink()
        init_home(yihao_home, url)
        assert pinned["fp"] != cert_fingerprint(cert.cert.read_bytes())
        seen = len(device.messages)
        hall.server.start()
        wait_for(lambda: "wrong_server" in device.statuses, what="certificate refused")
        hall.act(COUNTER, "call-next")
        assert len(device.messages) == seen
    finally:
        device.core.close()
        hall.close()


def test_several_servers_on_one_database(yihao_home: Path, tmp_path: Path, db_url: str) -> None:
    hall = start_hall(yihao_home, db_url, tmp_path / "a.log", counters=(7,))
    other = ServerProcess(yihao_home, db_url, free_port(), tmp_path / "b.log")
    other.start()
    device = LocalDevice.start(tmp_path / "screen", counter=COUNTER)
    try:
        _pair(hall, device)
        wait_for(lambda: device.of_type("snapshot"), what="snapshot from server A")
        # The clerk works through server B; the device is connected to server A.
        headers = hall.clerks[COUNTER].headers
        number = hall.issue("D")
        answer = httpx.post(f"{other.url}/api/v1/counters/{COUNTER}/call-next", headers=headers)
        assert answer.status_code == 200, answer.text
        calls = wait_for(lambda: device.events("called"), what="call made through B")
        assert calls[0].number == number and calls[0].counter == COUNTER

        # Both servers see it online (heartbeats are written to the shared database).
        def seen_by_b() -> bool:
            listed = httpx.get(f"{other.url}/api/v1/devices", headers=hall.manager.headers).json()
            return [d["online"] for d in listed if d["id"] == device.core.identity.id] == [True]

        wait_for(seen_by_b, what="server B lists the device online")
    finally:
        device.core.close()
        other.stop()
        hall.close()


def test_killed_device_is_an_audited_offline_alert_on_every_server(
    yihao_home: Path, tmp_path: Path, db_url: str
) -> None:
    hall = start_hall(yihao_home, db_url, tmp_path / "a.log", counters=(7,))
    other = ServerProcess(yihao_home, db_url, free_port(), tmp_path / "b.log")
    other.start()
    screen = DeviceProcess(
        tmp_path / "screen", "counter", "--counter", str(COUNTER), "--mdns", "127.0.0.1"
    )
    screen.cmd.append("--insecure")
    device_id, pin = screen.start()
    try:
        wait_for(lambda: hall.device(device_id), what="device listed")
        assert hall.pair(device_id, pin).status_code == 200

        def seen_by_b() -> dict[str, Any] | None:
            listed = httpx.get(f"{other.url}/api/v1/devices", headers=hall.manager.headers)
            return next((d for d in listed.json() if d["id"] == device_id), None)

        wait_for(lambda: (seen_by_b() or {}).get("online"), what="server B lists it online")
        screen.kill()  # the box loses power: no goodbye
        killed = time.monotonic()
        listed = wait_for(
            lambda: (found := seen_by_b()) and found["status"] == "offline" and found,
            timeout=20,
            what="server B lists it offline",
        )
        assert time.monotonic() - killed <= 10 + 2 * HEARTBEAT_FLUSH, "offline within 10 s"
        assert listed["status_zh"] == "离线"
        for server in (hall.server.url, other.url):
            queue = httpx.get(f"{server}/api/v1/queue", headers=hall.manager.headers).json()
            mine = [a for a in queue["alerts"] if a["counter"] == COUNTER]
            assert [a["kind"] for a in mine] == ["device_offline"], (server, mine)
            assert "离线" in mine[0]["message_zh"]

        # The silence is an audit fact, written once although both servers watch for it.
        ctx = sql_context(db_url, sample_hall())

        def audited() -> list[Event]:
            with ctx.unit(write=False) as uow:
                events = uow.repo.events_since(0, 10_000)
            return [e for e in events if e.data.get("alert") == "device_offline"]

        [event] = wait_for(audited, timeout=2 * HEARTBEAT_FLUSH + 2, what="offline audited")
        time.sleep(2 * HEARTBEAT_FLUSH + 1)  # both watchdogs have looked again
        assert audited() == [event]
        assert event.kind is EventKind.ALERT and event.counter == COUNTER
        assert event.data["device"] == device_id
        silence = event.at - event.data["last_seen"]
        assert devices.ONLINE_WINDOW < silence <= devices.ONLINE_WINDOW + 2 * HEARTBEAT_FLUSH
    finally:
        screen.stop()
        other.stop()
        hall.close()
        dispose_engines()
